// name: documents_list
// description: Every document with kind, date, voices, authors and statement counts (FalkorDB: statements by outdegree, which reads the adjacency matrix instead of walking the edges)
// params: none
// A statement is stated by one voice, so the degrees count what the portable query counts; the
// authors are gathered in the stream (a pattern comprehension per row is a subquery per row).
MATCH (d:Dokument)
OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme)
OPTIONAL MATCH (v)<-[:AUTHORED]-(a)
WITH d, v, collect(a.name) AS names
WITH d, count(v) AS voices, toInteger(sum(CASE WHEN v IS NULL THEN 0 ELSE outdegree(v, 'STATES') END)) AS statements,
     collect(names) AS per_voice
RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, d.kind AS kind,
       d.language AS language, d.pages AS pages, d.format AS format, d.source AS source,
       voices AS voice_count, statements AS statement_count,
       reduce(acc = [], names IN per_voice | acc + names) AS authors
ORDER BY name
