// name: challenges_ranked
// description: Challenges ranked by the number of actors that raise them
// params: limit (int = 20) most challenges returned
// The counts are kept on the concept by every writer (graph/counts.py).
MATCH (c:Utfordring)
WHERE c.actor_count > 0
RETURN c.id AS id, c.label AS label, c.actor_count AS actors, coalesce(c.statement_count, 0) AS statements
ORDER BY actors DESC, statements DESC, id
LIMIT $limit
