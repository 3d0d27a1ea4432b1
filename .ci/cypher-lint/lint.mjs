// Check every queries/*.cypher with Neo4j's own Cypher parser and semantic analysis
// (@neo4j-cypher/language-support). Files named *.falkordb.cypher are FalkorDB-only
// variants and are skipped. Exit code 1 if any query has an error, 2 if no file was found.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const dir = resolve(process.argv[2] ?? '../../queries');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.cypher') && !f.endsWith('.falkordb.cypher'))
  .sort();
if (files.length === 0) {
  console.error(`no .cypher files in ${dir}`);
  process.exit(2);
}
// The parameters a file declares in its header (`// params: a (str) ...; b (int = 5) ...`),
// so that the linter checks the text uses exactly declared parameters.
function declaredParameters(text) {
  const params = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*\/\/\s*params?\s*:\s*(.*)$/i);
    if (!m) continue;
    const body = m[1].trim();
    if (!body || body.toLowerCase() === 'none') continue;
    const sep = body.includes(';') || body.includes('(') ? ';' : ',';
    for (const part of body.split(sep)) {
      const pm = part.trim().match(/^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*([a-z]+))?/);
      if (pm) params[pm[1]] = pm[2] === 'int' ? 1 : pm[2] === 'float' ? 1.5 : pm[2] === 'bool' ? true : 'x';
    }
  }
  return params;
}

let errors = 0;
let warnings = 0;
for (const file of files) {
  const text = readFileSync(join(dir, file), 'utf8');
  const { diagnostics } = lintCypherQuery(text, { parameters: declaredParameters(text) });
  for (const d of diagnostics) {
    // LSP severities: 1 error, 2 warning
    const kind = d.severity === 1 ? 'error' : 'warning';
    if (d.severity === 1) errors += 1;
    else warnings += 1;
    const line = d.range.start.line + 1;
    const col = d.range.start.character + 1;
    console.log(`${file}:${line}:${col}: ${kind}: ${d.message.split('\n')[0]}`);
  }
}
console.log(`${files.length} files checked: ${errors} errors, ${warnings} warnings`);
process.exit(errors > 0 ? 1 : 0);
