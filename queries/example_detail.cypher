// name: example_detail
// description: One example with the actors that run it, patient groups, places, and every mention (voice, authors, stance, quote, document)
// params: example (str) id of the example, e.g. eksempel/fact
// The authors of the mentioning voices are gathered in the stream (a pattern comprehension per
// mention is a subquery per mention).
MATCH (e:Eksempel {id: $example})
OPTIONAL MATCH (d:Dokument)-[:HAS_VOICE]->(v:Stemme)-[m:MENTIONS]->(e)
OPTIONAL MATCH (x:`Aktør`)-[:AUTHORED]->(v)
WITH e, d, v, m, collect(CASE WHEN x IS NULL THEN NULL ELSE {id: x.id, name: x.name, type: x.type} END) AS authors
WITH e, collect(CASE WHEN m IS NULL THEN NULL ELSE {
       stance: m.stance, quote: m.quote, quote_cut: m.quote_cut, line: m.line, start: m.start, `end`: m.`end`, page: m.page,
       voice: v.voice, voice_id: v.id, document: d.id, document_name: d.name, document_title: d.title,
       authors: authors} END) AS mentions
RETURN e.id AS id, e.name AS name, e.aliases AS aliases, e.description AS description,
       [x IN mentions | x.stance] AS stances,
       [(e)-[:INVOLVES]->(a:`Aktør`) | {id: a.id, name: a.name, type: a.type}] AS run_by,
       [(e)-[:FOR_GROUP]->(g:Pasientgruppe) | g.id] AS patient_groups,
       [(e)-[:LOCATED_IN]->(s:Sted) | s.name] AS places,
       mentions
