// name: measures_list
// description: Every measure (tiltak) of the codebook and the documents, with themes, the challenges it addresses and how many actors, documents and statements propose it
// params: none
// Only actors author voices, so the author is not label-checked (that check costs more than the walk).
MATCH (m:Tiltak)
OPTIONAL MATCH (a)-[:AUTHORED]->(:Stemme)-[p:PROPOSES]->(m)
WITH m, count(DISTINCT a) AS actors, count(DISTINCT p.doc_id) AS documents,
     count(DISTINCT p.statement) AS statements
RETURN m.id AS id, m.label AS label, coalesce(m.source, '') <> 'document' AS in_codebook, actors AS actor_count,
       documents AS document_count, statements AS statement_count,
       [(m)-[:IN_THEME]->(t:Tema) | t.id] AS themes,
       [(m)-[:ADDRESSES]->(x:Utfordring) | x.id] AS addresses
ORDER BY actor_count DESC, id
