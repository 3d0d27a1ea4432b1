// name: documents_list
// description: Every document with kind, date, voices, authors and statement counts
// params: none
MATCH (d:Dokument)
OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme)
OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn)
WITH d, count(DISTINCT v) AS voices, count(DISTINCT u) AS statements
RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, d.kind AS kind,
       d.language AS language, d.pages AS pages, d.format AS format, d.source AS source,
       voices AS voice_count, statements AS statement_count,
       [(d)-[:HAS_VOICE]->(:Stemme)<-[:AUTHORED]-(a:`Aktør`) | a.name] AS authors
ORDER BY name
