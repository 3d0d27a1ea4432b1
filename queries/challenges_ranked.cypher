// name: challenges_ranked
// description: Challenges ranked by the number of actors that raise them
// params: limit (int = 20) most challenges returned
// Only actors author voices, so the author is not label-checked (that check costs more than the walk).
MATCH (c:Utfordring)<-[r:RAISES]-(:Stemme)<-[:AUTHORED]-(a)
RETURN c.id AS id, c.label AS label, count(DISTINCT a) AS actors, count(DISTINCT r.statement) AS statements
ORDER BY actors DESC, statements DESC, id
LIMIT $limit
