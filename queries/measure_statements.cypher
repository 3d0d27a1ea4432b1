// name: measure_statements
// description: Every statement that proposes a measure: its authors, quote, place in the document, who is responsible and when, and the challenges the same voice raises
// params: measure (str) codebook id of the measure, e.g. tiltak/bedre-utskrivning
MATCH (:Tiltak {id: $measure})<-[:CODED_AS]-(u:Utsagn)<-[:STATES]-(v:Stemme)<-[:HAS_VOICE]-(d:Dokument)
RETURN u.id AS statement, u.quote AS quote, u.quote_cut AS quote_cut, u.label AS label, u.line AS line, u.start AS start,
       u.`end` AS `end`, u.page AS page, u.responsible AS responsible, u.`when` AS `when`,
       v.voice AS voice,
       [(a:`Aktør`)-[:AUTHORED]->(v) | {id: a.id, name: a.name, type: a.type}] AS authors,
       [(v)-[:RAISES]->(c:Utfordring) | {id: c.id, label: c.label}] AS voice_challenges,
       d.id AS document, d.name AS document_name, d.title AS document_title, d.date AS document_date
ORDER BY document_date, document, line
