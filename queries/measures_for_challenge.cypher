// name: measures_for_challenge
// description: Measures for a challenge: those the codebook says address it, and those proposed by voices that raise it (with how many actors)
// params: challenge (str) codebook id of the challenge, e.g. utfordring/rekruttering
MATCH (m:Tiltak)
OPTIONAL MATCH (m)-[:ADDRESSES]->(c:Utfordring {id: $challenge})
OPTIONAL MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[p:PROPOSES]->(m)
WHERE (v)-[:RAISES]->(:Utfordring {id: $challenge})
WITH m, count(c) > 0 AS in_codebook, count(DISTINCT a) AS actors, count(DISTINCT p.statement) AS statements
WHERE in_codebook OR actors > 0
RETURN m.id AS id, m.label AS label, in_codebook, actors AS actor_count, statements AS statement_count,
       [(m)-[:IN_THEME]->(t:Tema) | t.id] AS themes,
       [(m)-[:ADDRESSES]->(x:Utfordring) | x.id] AS addresses
ORDER BY actor_count DESC, in_codebook DESC, id
