// name: documents_list
// description: Documents by file name, one page at a time, with kind, date, voices, authors and statement counts, and how many documents there are in all (total)
// params: limit (int = 50) most documents returned; offset (int = 0) documents skipped first
// The voice and statement counts are kept on the document by every writer (graph/counts.py);
// only the documents of the page are read beyond their name.
MATCH (d:Dokument)
WITH count(d) AS total
MATCH (d:Dokument)
WITH total, d ORDER BY d.name SKIP $offset LIMIT $limit
RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, d.kind AS kind,
       d.language AS language, d.pages AS pages, d.format AS format, d.source AS source,
       coalesce(d.voice_count, 0) AS voice_count, coalesce(d.statement_count, 0) AS statement_count,
       [(d)-[:HAS_VOICE]->(:Stemme)<-[:AUTHORED]-(a:`Aktør`) | a.name] AS authors,
       total
ORDER BY name
