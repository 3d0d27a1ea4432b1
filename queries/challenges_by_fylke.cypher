// name: challenges_by_fylke
// description: Number of municipalities raising each challenge, broken down by county (fylke)
// params: challenge (str = "") codebook id of one challenge, or empty for all
MATCH (c:Utfordring)<-[:RAISES]-(:Stemme)<-[:AUTHORED]-(a:Kommune)-[:IN_FYLKE]->(f:Fylke)
WHERE $challenge = '' OR c.id = $challenge
RETURN c.id AS id, c.label AS label, f.id AS fylke_id, f.name AS fylke, count(DISTINCT a) AS actors
ORDER BY id, actors DESC, fylke
