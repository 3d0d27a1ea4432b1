// name: statements_export
// description: Every statement (challenge or measure) with its document, voice, authors, concept and evidence, for export as a table
// params: none
// The authors are read once per voice, not once per statement.
MATCH (d:Dokument)-[:HAS_VOICE]->(v:Stemme)
WITH d, v, [(a:`Aktør`)-[:AUTHORED]->(v) | a.name] AS authors
MATCH (v)-[:STATES]->(u:Utsagn)-[:CODED_AS]->(c)
RETURN d.id AS document_id, d.name AS document_name, d.title AS document_title, v.voice AS voice,
       authors,
       u.kind AS kind, u.concept AS concept, c.label AS concept_label, u.label AS label,
       u.quote AS quote, u.quote_cut AS quote_cut, u.line AS line, u.start AS start, u.`end` AS `end`, u.page AS page,
       u.id AS statement_id
ORDER BY document_name, coalesce(u.start, 0), coalesce(u.line, 0), kind, concept
