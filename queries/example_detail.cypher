// name: example_detail
// description: One example with the actors that run it, patient groups, places, who mentions it, and its mentions (voice, authors, stance, quote, document) one page at a time, by document and line
// params: example (str) id of the example, e.g. eksempel/fact; limit (int = 100) most mentions returned; offset (int = 0) mentions skipped first
// The mention count and the stances come from the counts kept on the example (graph/counts.py);
// only the page's mentions have their voice's authors and document read. Each subquery names
// its own variables: FalkorDB lets a name leak between pattern comprehensions.
MATCH (e:Eksempel {id: $example})
CALL {
  WITH e
  OPTIONAL MATCH (d:Dokument)-[:HAS_VOICE]->(v:Stemme)-[m:MENTIONS]->(e)
  WITH d, v, m
  ORDER BY d.name, m.line, m.start, v.id
  SKIP $offset LIMIT $limit
  OPTIONAL MATCH (x:`Aktør`)-[:AUTHORED]->(v)
  WITH d, v, m, collect(CASE WHEN x IS NULL THEN NULL ELSE {id: x.id, name: x.name, type: x.type} END) AS authors
  ORDER BY d.name, m.line, m.start, v.id
  RETURN collect(CASE WHEN m IS NULL THEN NULL ELSE {
           stance: m.stance, quote: m.quote, quote_cut: m.quote_cut, line: m.line, start: m.start, `end`: m.`end`, page: m.page,
           voice: v.voice, voice_id: v.id, document: d.id, document_name: d.name, document_title: d.title,
           authors: authors} END) AS mentions
}
CALL {
  WITH e
  OPTIONAL MATCH (e)<-[:MENTIONS]-(:Stemme)<-[:AUTHORED]-(w:`Aktør`)
  WITH collect(DISTINCT w) AS ws
  RETURN [w IN ws | {id: w.id, name: w.name, type: w.type}] AS mentioned_by
}
// Who runs it, its groups and places, once each: there is one edge per document that says so.
CALL {
  WITH e
  OPTIONAL MATCH (e)-[:INVOLVES]->(ra:`Aktør`)
  RETURN collect(DISTINCT ra) AS runners
}
CALL {
  WITH e
  OPTIONAL MATCH (e)-[:FOR_GROUP]->(rg:Pasientgruppe)
  RETURN collect(DISTINCT rg.id) AS groups
}
CALL {
  WITH e
  OPTIONAL MATCH (e)-[:LOCATED_IN]->(rs:Sted)
  RETURN collect(DISTINCT rs.name) AS places
}
RETURN e.id AS id, e.name AS name, e.aliases AS aliases, e.description AS description,
       CASE WHEN coalesce(e.good_practice_count, 0) > 0 THEN ['good-practice'] ELSE [] END
         + CASE WHEN coalesce(e.mention_count, 0) > coalesce(e.good_practice_count, 0) THEN ['mentioned'] ELSE [] END AS stances,
       coalesce(e.mention_count, 0) AS mention_count,
       [y IN mentioned_by WHERE y.id IS NOT NULL] AS mentioned_by,
       [a IN runners | {id: a.id, name: a.name, type: a.type}] AS run_by,
       groups AS patient_groups, places,
       mentions
