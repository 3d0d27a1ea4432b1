// name: actor_detail
// description: One actor with its registry links and what it (and, for a municipality, its predecessors) said: challenges, measures, examples and documents
// params: actor (str) graph id of the actor, e.g. kommune/5029
MATCH (a:`Aktør` {id: $actor})
OPTIONAL MATCH (p:`Aktør`)-[:SUCCEEDED_BY*0..]->(a)
WITH a, collect(DISTINCT p.id) AS lineage
OPTIONAL MATCH (x:`Aktør`)-[:AUTHORED]->(v:Stemme)
WHERE x.id IN lineage
WITH a, lineage, collect(DISTINCT v.id) AS voices
OPTIONAL MATCH (v1:Stemme)-[r:RAISES]->(c:Utfordring)
WHERE v1.id IN voices
WITH a, lineage, voices, c, count(DISTINCT r.statement) AS n
WITH a, lineage, voices, collect(CASE WHEN c IS NULL THEN NULL ELSE {id: c.id, label: c.label, count: n} END) AS challenges
OPTIONAL MATCH (v2:Stemme)-[r2:PROPOSES]->(m:Tiltak)
WHERE v2.id IN voices
WITH a, lineage, voices, challenges, m, count(DISTINCT r2.statement) AS n
WITH a, lineage, voices, challenges, collect(CASE WHEN m IS NULL THEN NULL ELSE {id: m.id, label: m.label, count: n} END) AS measures
OPTIONAL MATCH (v3:Stemme)-[:MENTIONS]->(e:Eksempel)
WHERE v3.id IN voices
WITH a, lineage, voices, challenges, measures, collect(DISTINCT {id: e.id, name: e.name}) AS mentioned
OPTIONAL MATCH (d:Dokument)-[:HAS_VOICE]->(v4:Stemme)
WHERE v4.id IN voices
WITH a, lineage, challenges, measures, mentioned, collect(DISTINCT {id: d.id, name: d.name, title: d.title}) AS documents
RETURN a.id AS id, a.name AS name, a.type AS type, a.kommunenummer AS kommunenummer, a.orgnr AS orgnr,
       a.valid_from AS valid_from, a.valid_to AS valid_to, a.source AS source,
       [(a)-[:IN_FYLKE]->(f:Fylke) | f.name][0] AS fylke,
       [(a)-[:PART_OF]->(o:`Aktør`) | {id: o.id, name: o.name, type: o.type}] AS part_of,
       [(a)-[:MEMBER_OF]->(o:`Aktør`) | {id: o.id, name: o.name, type: o.type}] AS member_of,
       [(a)-[:SUCCEEDED_BY]->(o:`Aktør`) | {id: o.id, name: o.name}] AS successors,
       [(o:`Aktør`)-[:SUCCEEDED_BY]->(a) | {id: o.id, name: o.name}] AS predecessors,
       [x IN lineage WHERE x <> a.id] AS lineage,
       challenges, measures,
       [(e:Eksempel)-[:INVOLVES]->(a) | {id: e.id, name: e.name}] + [x IN mentioned WHERE x.id IS NOT NULL] AS examples,
       [x IN documents WHERE x.id IS NOT NULL] AS documents
