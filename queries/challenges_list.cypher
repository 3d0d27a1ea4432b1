// name: challenges_list
// description: Every challenge (utfordring) of the codebook and the documents, with themes and how many actors, documents and statements raise it
// params: none
// The counts are kept on the concept by every writer (graph/counts.py), so nothing is counted
// over the corpus here.
MATCH (c:Utfordring)
RETURN c.id AS id, c.label AS label, coalesce(c.actor_count, 0) AS actor_count,
       coalesce(c.document_count, 0) AS document_count,
       coalesce(c.statement_count, 0) AS statement_count,
       [(c)-[:IN_THEME]->(t:Tema) | t.id] AS themes
ORDER BY actor_count DESC, id
