// name: challenges_list
// description: Every challenge (utfordring) of the codebook and the documents, with themes and how many actors, documents and statements raise it
// params: none
// Only actors author voices, so the author is not label-checked (that check costs more than the walk).
MATCH (c:Utfordring)
OPTIONAL MATCH (a)-[:AUTHORED]->(:Stemme)-[r:RAISES]->(c)
WITH c, count(DISTINCT a) AS actors, count(DISTINCT r.doc_id) AS documents,
     count(DISTINCT r.statement) AS statements
RETURN c.id AS id, c.label AS label, actors AS actor_count, documents AS document_count,
       statements AS statement_count,
       [(c)-[:IN_THEME]->(t:Tema) | t.id] AS themes
ORDER BY actor_count DESC, id
