// name: actors_list
// description: Actors that author or are named in documents (with text: also every actor of the registries whose name contains it and that still exists; a historical one only where a document names it), filtered by type and county, with document and statement counts; one page at a time (most statements first), with how many actors match in all (total)
// params: type (str = "") actor type such as Kommune; text (str = "") part of the name; fylke (str = "") county id, number or name; limit (int = 50) most actors returned; offset (int = 0) actors skipped first
// The counts are kept on the actor by every writer (graph/counts.py): documents with a voice it
// authors, statements of those voices, documents that name it. The filter runs twice, once to
// count and once for the page, which is cheaper than carrying every matching actor along.
MATCH (a:`Aktør`)
WHERE ($type = '' OR a.type = $type)
  AND ($text = '' OR toLower(a.name) CONTAINS toLower($text))
  AND (a.authored_documents > 0 OR a.named_in > 0 OR ($text <> '' AND a.valid_to IS NULL))
OPTIONAL MATCH (a)-[:IN_FYLKE]->(f:Fylke)
WITH a, f
WHERE $fylke = '' OR f.id = $fylke OR f.fylkesnummer = $fylke OR toLower(f.name) = toLower($fylke)
WITH count(a) AS total
MATCH (a:`Aktør`)
WHERE ($type = '' OR a.type = $type)
  AND ($text = '' OR toLower(a.name) CONTAINS toLower($text))
  AND (a.authored_documents > 0 OR a.named_in > 0 OR ($text <> '' AND a.valid_to IS NULL))
OPTIONAL MATCH (a)-[:IN_FYLKE]->(f:Fylke)
WITH total, a, f
WHERE $fylke = '' OR f.id = $fylke OR f.fylkesnummer = $fylke OR toLower(f.name) = toLower($fylke)
WITH total, a, f, coalesce(a.authored_documents, 0) AS authored, coalesce(a.named_in, 0) AS named_in,
     coalesce(a.statement_count, 0) AS statement_count
WITH total, a, f, statement_count,
     CASE WHEN authored > named_in THEN authored ELSE named_in END AS document_count
ORDER BY statement_count DESC, document_count DESC, a.name
SKIP $offset LIMIT $limit
RETURN a.id AS id, a.name AS name, a.type AS type, a.kommunenummer AS kommunenummer, a.orgnr AS orgnr,
       f.name AS fylke, document_count, statement_count, total
ORDER BY statement_count DESC, document_count DESC, name
