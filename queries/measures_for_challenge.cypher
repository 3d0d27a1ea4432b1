// name: measures_for_challenge
// description: Measures for a challenge: those the codebook says address it, and those proposed by voices that raise it (with how many actors, documents and statements, and who is responsible and when)
// params: challenge (str) codebook id of the challenge, e.g. utfordring/rekruttering
// Anchored on the challenge: only the voices that raise it are read, then what they propose.
OPTIONAL MATCH (:Utfordring {id: $challenge})<-[:RAISES]-(rv:Stemme)
WITH collect(DISTINCT rv) AS raising
UNWIND raising AS v
MATCH (a:`Aktør`)-[:AUTHORED]->(v)-[p:PROPOSES]->(pm:Tiltak)
WITH pm.id AS mid, count(DISTINCT a) AS actors, count(DISTINCT p.doc_id) AS documents,
     collect(DISTINCT p.statement) AS sids
WITH collect({id: mid, actors: actors, documents: documents, sids: sids}) AS proposed
OPTIONAL MATCH (cm:Tiltak)-[:ADDRESSES]->(:Utfordring {id: $challenge})
WITH proposed, collect(DISTINCT cm.id) AS codebook
WITH proposed, codebook, [x IN proposed | x.id] AS proposed_ids
UNWIND proposed + [x IN codebook WHERE NOT x IN proposed_ids | {id: x, actors: 0, documents: 0, sids: []}] AS row
MATCH (m:Tiltak {id: row.id})
// Who is responsible and when: read from the statements themselves, found by id.
OPTIONAL MATCH (u:Utsagn) WHERE u.id IN row.sids
WITH m, row, codebook, collect(u.responsible) AS responsible, collect(u.`when`) AS whens
RETURN m.id AS id, m.label AS label, m.id IN codebook AS in_codebook, row.actors AS actor_count,
       row.documents AS document_count, size(row.sids) AS statement_count,
       responsible, whens AS `when`,
       [(m)-[:IN_THEME]->(t:Tema) | t.id] AS themes,
       [(m)-[:ADDRESSES]->(x:Utfordring) | x.id] AS addresses
ORDER BY actor_count DESC, in_codebook DESC, id
