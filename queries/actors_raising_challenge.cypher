// name: actors_raising_challenge
// description: Actors whose voices raise a challenge, one page of actors (by name) at a time, one row per statement with its quote, place in the document and the document; current_id names today's municipality where the author was merged into another; total is how many actors raise it
// params: challenge (str) codebook id of the challenge, e.g. utfordring/rekruttering; limit (int = 50) most actors returned; offset (int = 0) actors skipped first
// The actors are found and ordered without reading their statements' properties; only the
// actors of the page have their statements, documents and successors read.
MATCH (c:Utfordring {id: $challenge})<-[:CODED_AS]-(:Utsagn)<-[:STATES]-(:Stemme)<-[:AUTHORED]-(a:`Aktør`)
WITH DISTINCT c, a
ORDER BY a.name, a.id
WITH c, collect(a) AS actors
WITH c, actors, size(actors) AS total
UNWIND actors[$offset..($offset + $limit)] AS a
MATCH (c)<-[:CODED_AS]-(u:Utsagn)<-[:STATES]-(v:Stemme)<-[:AUTHORED]-(a)
MATCH (d:Dokument)-[:HAS_VOICE]->(v)
OPTIONAL MATCH (a)-[:SUCCEEDED_BY*1..]->(cur:`Aktør`)
WHERE NOT (cur)-[:SUCCEEDED_BY]->()
RETURN a.id AS id, a.id AS actor_id, a.name AS name, a.type AS type,
       cur.id AS current_id, cur.name AS current_name,
       c.id AS challenge, c.label AS challenge_label,
       u.id AS statement, u.quote AS quote, u.quote_cut AS quote_cut, u.line AS line, u.start AS start, u.`end` AS `end`,
       u.page AS page, v.voice AS voice,
       d.id AS document, d.name AS document_name, d.title AS document_title, total
ORDER BY name, id, document, line
