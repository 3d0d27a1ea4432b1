// name: actor_detail
// description: One actor with its registry links and what it (and, for a municipality, its predecessors) said: challenges, measures, examples and documents
// params: actor (str) graph id of the actor, e.g. kommune/5029
// Each list is gathered in its own subquery from the actor's own voices (no list of voices is
// carried through an aggregation, and no voice of anyone else is read). Variables inside the
// subqueries have names of their own: FalkorDB lets them leak into the pattern comprehensions.
MATCH (a:`Aktør` {id: $actor})
OPTIONAL MATCH (p:`Aktør`)-[:SUCCEEDED_BY*0..]->(a)
WITH a, collect(DISTINCT p) AS predecessors_and_self
CALL {
  WITH predecessors_and_self
  UNWIND predecessors_and_self AS px
  OPTIONAL MATCH (px)-[:AUTHORED]->(pv:Stemme)
  RETURN collect(DISTINCT pv) AS voices
}
CALL {
  WITH voices
  UNWIND voices AS cv
  MATCH (cv)-[cr:RAISES]->(c:Utfordring)
  WITH c, count(DISTINCT cr.statement) AS cn
  RETURN collect({id: c.id, label: c.label, count: cn}) AS challenges
}
CALL {
  WITH voices
  UNWIND voices AS mv
  MATCH (mv)-[mr:PROPOSES]->(m:Tiltak)
  WITH m, count(DISTINCT mr.statement) AS mn
  RETURN collect({id: m.id, label: m.label, count: mn}) AS measures
}
CALL {
  WITH voices
  UNWIND voices AS ev
  MATCH (ev)-[:MENTIONS]->(me:Eksempel)
  RETURN collect(DISTINCT {id: me.id, name: me.name}) AS mentioned
}
CALL {
  WITH voices
  UNWIND voices AS dv
  MATCH (d:Dokument)-[:HAS_VOICE]->(dv)
  RETURN collect(DISTINCT {id: d.id, name: d.name, title: d.title}) AS documents
}
// Each pattern comprehension names its own variables: FalkorDB binds a name reused across
// comprehensions of one RETURN to the first one's match (part_of's empty list emptied member_of).
RETURN a.id AS id, a.name AS name, a.type AS type, a.kommunenummer AS kommunenummer, a.orgnr AS orgnr,
       a.valid_from AS valid_from, a.valid_to AS valid_to, a.source AS source,
       [(a)-[:IN_FYLKE]->(f:Fylke) | f.name][0] AS fylke,
       [(a)-[:PART_OF]->(po:`Aktør`) | {id: po.id, name: po.name, type: po.type}] AS part_of,
       [(a)-[:MEMBER_OF]->(mo:`Aktør`) | {id: mo.id, name: mo.name, type: mo.type}] AS member_of,
       [(a)-[:SUCCEEDED_BY]->(so:`Aktør`) | {id: so.id, name: so.name}] AS successors,
       [(pr:`Aktør`)-[:SUCCEEDED_BY]->(a) | {id: pr.id, name: pr.name}] AS predecessors,
       [y IN predecessors_and_self WHERE y.id <> a.id | y.id] AS lineage,
       challenges, measures,
       [(e:Eksempel)-[:INVOLVES]->(a) | {id: e.id, name: e.name}] + mentioned AS examples,
       documents
