// name: actors_list
// description: Actors that author or are named in documents (with text: every actor whose name contains it), filtered by type and county, with document and statement counts
// params: type (str = "") actor type such as Kommune; text (str = "") part of the name; fylke (str = "") county id, number or name
// The counts are kept on the actor by every writer (graph/counts.py): documents with a voice it
// authors, statements of those voices, documents that name it.
MATCH (a:`Aktør`)
WHERE ($type = '' OR a.type = $type)
  AND ($text = '' OR toLower(a.name) CONTAINS toLower($text))
  AND ($text <> '' OR a.authored_documents > 0 OR a.named_in > 0)
OPTIONAL MATCH (a)-[:IN_FYLKE]->(f:Fylke)
WITH a, f
WHERE $fylke = '' OR f.id = $fylke OR f.fylkesnummer = $fylke OR toLower(f.name) = toLower($fylke)
WITH a, f, coalesce(a.authored_documents, 0) AS authored, coalesce(a.named_in, 0) AS named_in
RETURN a.id AS id, a.name AS name, a.type AS type, a.kommunenummer AS kommunenummer, a.orgnr AS orgnr,
       f.name AS fylke, CASE WHEN authored > named_in THEN authored ELSE named_in END AS document_count,
       coalesce(a.statement_count, 0) AS statement_count
ORDER BY statement_count DESC, document_count DESC, name
