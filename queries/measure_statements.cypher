// name: measure_statements
// description: Statements that propose a measure, one page at a time (by document date, document and line), with the total: their authors, quote, place in the document, who is responsible and when, and the challenges the same voice raises
// params: measure (str) codebook id of the measure, e.g. tiltak/bedre-utskrivning; limit (int = 100) most statements returned; offset (int = 0) statements skipped first
// Only the page's statements have their authors and the voice's challenges read; finding and
// ordering the page still reads every statement of the measure (with its voice and document).
MATCH (m:Tiltak {id: $measure})<-[:CODED_AS]-(tu:Utsagn)<-[:STATES]-(:Stemme)<-[:HAS_VOICE]-(:Dokument)
WITH m, count(*) AS total
MATCH (m)<-[:CODED_AS]-(u:Utsagn)<-[:STATES]-(v:Stemme)<-[:HAS_VOICE]-(d:Dokument)
WITH total, u, v, d
ORDER BY d.date, d.id, u.line, u.id
SKIP $offset LIMIT $limit
RETURN u.id AS statement, u.quote AS quote, u.quote_cut AS quote_cut, u.label AS label, u.line AS line, u.start AS start,
       u.`end` AS `end`, u.page AS page, u.responsible AS responsible, u.`when` AS `when`,
       v.voice AS voice,
       [(a:`Aktør`)-[:AUTHORED]->(v) | {id: a.id, name: a.name, type: a.type}] AS authors,
       [(v)-[:RAISES]->(c:Utfordring) | {id: c.id, label: c.label}] AS voice_challenges,
       d.id AS document, d.name AS document_name, d.title AS document_title, d.date AS document_date,
       total
