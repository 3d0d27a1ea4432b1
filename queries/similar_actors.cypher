// name: similar_actors
// description: Actors that raise the same challenges as a given actor: number of shared challenges and Jaccard similarity of their challenge sets
// params: actor (str) graph id of the actor, e.g. kommune/5029; limit (int = 20) most actors returned; without_cosigners (bool = false) leave out actors that signed a letter together with it
// The challenges an actor raises are its kept TALLY cells (graph/counts.py): one relationship
// per actor and challenge, so no voice or statement is read but the actor's own (co-signers).
MATCH (a:`Aktør` {id: $actor})-[:TALLY]->(c:Utfordring)
WITH a, collect(c) AS mine
// The co-signers are found once, not tested for every pair.
OPTIONAL MATCH (a)-[:AUTHORED]->(:Stemme)<-[:AUTHORED]-(co:`Aktør`)
WITH a, mine, CASE WHEN $without_cosigners THEN collect(DISTINCT co.id) ELSE [] END AS left_out
WITH a, mine, left_out, size(mine) AS n_a
UNWIND mine AS c
MATCH (c)<-[:TALLY]-(b:`Aktør`)
WHERE b.id <> a.id AND NOT b.id IN left_out
WITH n_a, b, collect(c.id) AS shared
MATCH (b)-[:TALLY]->(cb:Utfordring)
WITH n_a, b, shared, count(cb) AS n_b
RETURN b.id AS id, b.name AS name, b.type AS type, size(shared) AS shared_count, shared,
       toFloat(size(shared)) / toFloat(n_a + n_b - size(shared)) AS jaccard
ORDER BY jaccard DESC, shared_count DESC, name
LIMIT $limit
