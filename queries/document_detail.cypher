// name: document_detail
// description: One document with its voices (authors, line ranges), the actors it names and the examples it mentions
// params: document (str) document id (dokument/...) or file name
MATCH (d:Dokument)
WHERE d.id = $document OR d.name = $document
OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme)
WITH d, v ORDER BY v.line_from
WITH d, collect({id: v.id, voice: v.voice, note: v.note, line_from: v.line_from, line_to: v.line_to,
                 authors: [(x:`Aktør`)-[:AUTHORED]->(v) | {id: x.id, name: x.name, type: x.type}]}) AS voices
OPTIONAL MATCH (d)-[:HAS_VOICE]->(:Stemme)-[:STATES]->(u:Utsagn)
WITH d, voices, count(DISTINCT u) AS statements
RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, d.kind AS kind,
       d.language AS language, d.pages AS pages, d.format AS format, d.sha256 AS sha256,
       d.extractor AS extractor, d.source AS source, size([x IN voices WHERE x.id IS NOT NULL]) AS voice_count,
       statements AS statement_count,
       [x IN voices WHERE x.id IS NOT NULL] AS voices,
       [(d)-[:MENTIONS]->(a:`Aktør`) | {id: a.id, name: a.name, type: a.type}] AS actors,
       [(d)-[:HAS_VOICE]->(:Stemme)-[:MENTIONS]->(e:Eksempel) | {id: e.id, name: e.name}] AS examples
