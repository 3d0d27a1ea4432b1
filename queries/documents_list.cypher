// name: documents_list
// description: Every document with kind, date, voices, authors and statement counts
// params: none
// The voice and statement counts are kept on the document by every writer (graph/counts.py).
MATCH (d:Dokument)
RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, d.kind AS kind,
       d.language AS language, d.pages AS pages, d.format AS format, d.source AS source,
       coalesce(d.voice_count, 0) AS voice_count, coalesce(d.statement_count, 0) AS statement_count,
       [(d)-[:HAS_VOICE]->(:Stemme)<-[:AUTHORED]-(a:`Aktør`) | a.name] AS authors
ORDER BY name
