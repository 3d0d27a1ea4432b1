// name: examples_search
// description: Good-practice examples by text (name, aliases, description), theme, patient group or actor, with who mentions them and with what stance; empty parameters match everything
// params: text (str = "") words in name, alias or description; theme (str = "") tema id of a statement in a voice that mentions the example; patient_group (str = "") pasientgruppe id; actor (str = "") id of an actor that runs or mentions it
MATCH (e:Eksempel)
WHERE ($text = ''
       OR toLower(e.name) CONTAINS toLower($text)
       OR toLower(coalesce(e.description, '')) CONTAINS toLower($text)
       OR any(al IN coalesce(e.aliases, []) WHERE toLower(al) CONTAINS toLower($text)))
  AND ($patient_group = '' OR (e)-[:FOR_GROUP]->(:Pasientgruppe {id: $patient_group}))
  AND ($actor = ''
       OR (e)-[:INVOLVES]->(:`Aktør` {id: $actor})
       OR (e)<-[:MENTIONS]-(:Stemme)<-[:AUTHORED]-(:`Aktør` {id: $actor}))
  AND ($theme = ''
       OR (e)<-[:MENTIONS]-(:Stemme)-[:STATES]->(:Utsagn)-[:CODED_AS]->()-[:IN_THEME]->(:Tema {id: $theme}))
OPTIONAL MATCH (e)<-[m:MENTIONS]-(v:Stemme)
OPTIONAL MATCH (v)<-[:AUTHORED]-(who:`Aktør`)
WITH e, collect(DISTINCT m.stance) AS stances, count(DISTINCT v) AS mentions,
     collect(DISTINCT {id: who.id, name: who.name, type: who.type}) AS mentioned_by
RETURN e.id AS id, e.name AS name, e.aliases AS aliases, e.description AS description,
       stances, mentions AS mention_count,
       [x IN mentioned_by WHERE x.id IS NOT NULL] AS mentioned_by,
       [(e)-[:INVOLVES]->(a:`Aktør`) | {id: a.id, name: a.name, type: a.type}] AS run_by,
       [(e)-[:FOR_GROUP]->(g:Pasientgruppe) | g.id] AS patient_groups,
       [(e)-[:LOCATED_IN]->(s:Sted) | s.name] AS places
ORDER BY mention_count DESC, name
