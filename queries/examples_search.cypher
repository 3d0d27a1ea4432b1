// name: examples_search
// description: Good-practice examples by text (name, aliases, description), theme, patient group, actor or stance, with who mentions them and with what stance; one page (most mentioned first) at a time, with the total; empty parameters match everything
// params: text (str = "") words in name, alias or description; theme (str = "") tema id of a statement in a voice that mentions the example; patient_group (str = "") pasientgruppe id; actor (str = "") id of an actor that runs or mentions it; stance (str = "") "good-practice" (a voice holds it up) or "mentioned" (voices only mention it); limit (int = 50) most examples returned; offset (int = 0) examples skipped first
// The examples each filter admits are found from the filter's own node (an id look-up that
// finds nothing when the parameter is empty), not by testing a pattern on every example. The
// page is chosen by the mention counts kept on the examples (graph/counts.py), which also give
// the stances; only the page's examples have their mentioning authors read (as nodes, made
// into maps once each: DISTINCT over maps costs several times more).
CALL {
  MATCH (:Pasientgruppe {id: $patient_group})<-[:FOR_GROUP]-(ge:Eksempel)
  RETURN collect(DISTINCT ge.id) AS in_group
}
CALL {
  MATCH (:`Aktør` {id: $actor})<-[:INVOLVES]-(ie:Eksempel)
  RETURN collect(DISTINCT ie.id) AS run_by_actor
}
CALL {
  MATCH (:`Aktør` {id: $actor})-[:AUTHORED]->(:Stemme)-[:MENTIONS]->(me:Eksempel)
  RETURN collect(DISTINCT me.id) AS mentioned_by_actor
}
CALL {
  MATCH (:Tema {id: $theme})<-[:IN_THEME]-()<-[:CODED_AS]-(:Utsagn)<-[:STATES]-(tv:Stemme)
  WITH DISTINCT tv
  MATCH (tv)-[:MENTIONS]->(te:Eksempel)
  RETURN collect(DISTINCT te.id) AS in_theme
}
MATCH (e:Eksempel)
WHERE ($text = ''
       OR toLower(e.name) CONTAINS toLower($text)
       OR toLower(coalesce(e.description, '')) CONTAINS toLower($text)
       OR any(al IN coalesce(e.aliases, []) WHERE toLower(al) CONTAINS toLower($text)))
  AND ($patient_group = '' OR e.id IN in_group)
  AND ($actor = '' OR e.id IN run_by_actor OR e.id IN mentioned_by_actor)
  AND ($theme = '' OR e.id IN in_theme)
  AND ($stance = ''
       OR ($stance = 'good-practice' AND e.good_practice_count > 0)
       OR ($stance = 'mentioned' AND e.mention_count > 0 AND coalesce(e.good_practice_count, 0) = 0))
WITH collect(e) AS found
UNWIND found AS e
WITH size(found) AS total, e
ORDER BY coalesce(e.mention_count, 0) DESC, e.name, e.id
SKIP $offset LIMIT $limit
// Each list is gathered in its own subquery (carrying one list through the next expansion
// copies it on every row). Who runs it, its groups and places come once each: there is one
// edge per document that says so.
CALL {
  WITH e
  OPTIONAL MATCH (e)<-[:MENTIONS]-(:Stemme)<-[:AUTHORED]-(who:`Aktør`)
  RETURN collect(DISTINCT who) AS whos
}
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
       [w IN whos | {id: w.id, name: w.name, type: w.type}] AS mentioned_by,
       [a IN runners | {id: a.id, name: a.name, type: a.type}] AS run_by,
       groups AS patient_groups, places,
       total
ORDER BY mention_count DESC, name, id
