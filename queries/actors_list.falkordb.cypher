// name: actors_list
// description: Actors that author or are named in documents (with text: also every actor of the registries whose name contains it and that still exists; a historical one only where a document names it), filtered by type and county, with document and statement counts (FalkorDB: counts of edges by outdegree/indegree, which read the adjacency matrix instead of walking the edges)
// params: type (str = "") actor type such as Kommune; text (str = "") part of the name; fylke (str = "") county id, number or name
// An actor's MENTIONS edges come only from documents and a voice's STATES edges only lead to
// statements (docs/graph-model.md), so the degrees count what the portable query counts.
MATCH (a:`Aktør`)
WHERE ($type = '' OR a.type = $type)
  AND ($text = '' OR toLower(a.name) CONTAINS toLower($text))
  AND (outdegree(a, 'AUTHORED') > 0 OR indegree(a, 'MENTIONS') > 0 OR ($text <> '' AND a.valid_to IS NULL))
OPTIONAL MATCH (a)-[:IN_FYLKE]->(f:Fylke)
WITH a, f
WHERE $fylke = '' OR f.id = $fylke OR f.fylkesnummer = $fylke OR toLower(f.name) = toLower($fylke)
OPTIONAL MATCH (a)-[:AUTHORED]->(v:Stemme)
WITH a, f, count(DISTINCT v.doc_id) AS authored,
     toInteger(sum(CASE WHEN v IS NULL THEN 0 ELSE outdegree(v, 'STATES') END)) AS statements
WITH a, f, authored, statements, indegree(a, 'MENTIONS') AS named_in
RETURN a.id AS id, a.name AS name, a.type AS type, a.kommunenummer AS kommunenummer, a.orgnr AS orgnr,
       f.name AS fylke, CASE WHEN authored > named_in THEN authored ELSE named_in END AS document_count,
       statements AS statement_count
ORDER BY statement_count DESC, document_count DESC, name
