// name: document_statements
// description: The challenges and measures of one document in reading order, with quote, line, offsets and page
// params: document (str) document id (dokument/...) or file name
MATCH (d:Dokument)
WHERE d.id = $document OR d.name = $document
MATCH (d)-[:HAS_VOICE]->(v:Stemme)-[:STATES]->(u:Utsagn)-[:CODED_AS]->(c)
RETURN u.id AS id, u.kind AS kind, u.concept AS concept, c.label AS concept_label, u.label AS label,
       u.quote AS quote, u.quote_cut AS quote_cut, u.line AS line, u.start AS start, u.`end` AS `end`, u.page AS page,
       u.responsible AS responsible, u.`when` AS `when`, u.theme AS theme,
       v.voice AS voice, v.id AS voice_id, d.id AS document_id, d.name AS document_name,
       u.status AS status, u.assigned_by AS assigned_by
ORDER BY coalesce(u.start, 0), coalesce(u.line, 0), kind, concept
