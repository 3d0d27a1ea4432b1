// name: challenges_by_actor_type
// description: Number of actors raising each challenge, broken down by actor type (Kommune, Helseforetak ...)
// params: challenge (str = "") codebook id of one challenge, or empty for all
MATCH (c:Utfordring)<-[:RAISES]-(:Stemme)<-[:AUTHORED]-(a:`Aktør`)
WHERE $challenge = '' OR c.id = $challenge
RETURN c.id AS id, c.label AS label, a.type AS actor_type, count(DISTINCT a) AS actors
ORDER BY id, actors DESC, actor_type
