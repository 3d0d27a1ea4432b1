// name: statements_export
// description: Every statement (challenge or measure) with its document, voice, authors, concept and evidence, for export as a table; one page of documents at a time, in file-name order
// params: after (str = "") file name of the last document of the previous page ("" for the first page); documents (int = 10) documents per page
// A page reads only its own documents (keyset paging on the document name, not SKIP), so every
// page costs the same however large the corpus; the export route reads page after page and
// streams them. A document or voice without statements gives one row without a statement_id,
// so that a page is never empty before the last document (the route leaves those rows out).
// The authors are read once per voice, not once per statement.
MATCH (d:Dokument)
WHERE d.name > $after
WITH d ORDER BY d.name LIMIT $documents
OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme)
WITH d, v, [(a:`Aktør`)-[:AUTHORED]->(v) | a.name] AS authors
OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn)-[:CODED_AS]->(c)
RETURN d.id AS document_id, d.name AS document_name, d.title AS document_title, v.voice AS voice,
       authors,
       u.kind AS kind, u.concept AS concept, c.label AS concept_label, u.label AS label,
       u.quote AS quote, u.quote_cut AS quote_cut, u.line AS line, u.start AS start, u.`end` AS `end`, u.page AS page,
       u.id AS statement_id
ORDER BY document_name, coalesce(u.start, 0), coalesce(u.line, 0), kind, concept
