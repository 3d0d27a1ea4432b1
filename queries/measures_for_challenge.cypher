// name: measures_for_challenge
// description: Measures for a challenge: those the codebook says address it, and those proposed by voices that raise it (with how many actors, documents and statements, and who is responsible and when)
// params: challenge (str) codebook id of the challenge, e.g. utfordring/rekruttering
// Everything about the proposed measures is kept on the challenge's CO_TALLY relationships by
// every writer (graph/counts.py): counts, and who is responsible and when as
// "<document id>|<value>" (the document part is dropped here, by splitting at "|" and joining
// the rest: FalkorDB's substring() counts bytes where the text has non-ASCII letters). No voice
// is read.
MATCH (ch:Utfordring {id: $challenge})
OPTIONAL MATCH (ch)-[ct:CO_TALLY]->(pm:Tiltak)
WITH ch, collect(CASE WHEN pm IS NULL THEN NULL ELSE
       {id: pm.id, actors: ct.actors, documents: ct.documents, statements: ct.statements,
        responsible: [x IN coalesce(ct.responsible, []) | reduce(v = null, p IN tail(split(x, '|')) | CASE WHEN v IS NULL THEN p ELSE v + '|' + p END)],
        whens: [x IN coalesce(ct.whens, []) | reduce(v = null, p IN tail(split(x, '|')) | CASE WHEN v IS NULL THEN p ELSE v + '|' + p END)]} END) AS proposed
OPTIONAL MATCH (cm:Tiltak)-[:ADDRESSES]->(ch)
WITH proposed, collect(DISTINCT cm.id) AS codebook
WITH proposed, codebook, [x IN proposed | x.id] AS proposed_ids
UNWIND proposed + [x IN codebook WHERE NOT x IN proposed_ids |
                   {id: x, actors: 0, documents: 0, statements: 0, responsible: [], whens: []}] AS row
MATCH (m:Tiltak {id: row.id})
RETURN m.id AS id, m.label AS label, m.id IN codebook AS in_codebook, row.actors AS actor_count,
       row.documents AS document_count, row.statements AS statement_count,
       row.responsible AS responsible, row.whens AS `when`,
       [(m)-[:IN_THEME]->(t:Tema) | t.id] AS themes,
       [(m)-[:ADDRESSES]->(x:Utfordring) | x.id] AS addresses
ORDER BY actor_count DESC, in_codebook DESC, id
