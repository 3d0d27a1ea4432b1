// name: measures_list
// description: Every measure (tiltak) of the codebook and the documents, with themes, the challenges it addresses and how many actors, documents and statements propose it
// params: none
// The counts are kept on the concept by every writer (graph/counts.py).
MATCH (m:Tiltak)
RETURN m.id AS id, m.label AS label, coalesce(m.source, '') <> 'document' AS in_codebook,
       coalesce(m.actor_count, 0) AS actor_count, coalesce(m.document_count, 0) AS document_count,
       coalesce(m.statement_count, 0) AS statement_count,
       [(m)-[:IN_THEME]->(t:Tema) | t.id] AS themes,
       [(m)-[:ADDRESSES]->(x:Utfordring) | x.id] AS addresses
ORDER BY actor_count DESC, id
