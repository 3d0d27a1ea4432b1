// name: documents_list
// description: Every document with kind, date, voices, authors and statement counts (FalkorDB: the authors are gathered in the stream, since a pattern comprehension per row is a subquery per row)
// params: none
// The voice and statement counts are kept on the document by every writer (graph/counts.py).
MATCH (d:Dokument)
OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme)
OPTIONAL MATCH (v)<-[:AUTHORED]-(a)
WITH d, v, collect(a.name) AS names
WITH d, collect(names) AS per_voice
RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, d.kind AS kind,
       d.language AS language, d.pages AS pages, d.format AS format, d.source AS source,
       coalesce(d.voice_count, 0) AS voice_count, coalesce(d.statement_count, 0) AS statement_count,
       reduce(acc = [], names IN per_voice | acc + names) AS authors
ORDER BY name
