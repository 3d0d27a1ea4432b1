// name: measure_detail
// description: One measure with its themes, the challenges the codebook says it answers, the challenges raised by the voices that propose it, and how many actors, documents and statements propose it
// params: measure (str) codebook id of the measure, e.g. tiltak/bedre-utskrivning
// The counts are kept on the measure, and the challenges raised with it on the CO_TALLY
// relationships, by every writer (graph/counts.py): nothing here grows with the corpus.
MATCH (m:Tiltak {id: $measure})
RETURN m.id AS id, m.label AS label, m.source AS source,
       coalesce(m.actor_count, 0) AS actor_count, coalesce(m.document_count, 0) AS document_count,
       coalesce(m.statement_count, 0) AS statement_count,
       [(m)-[:IN_THEME]->(t:Tema) | {id: t.id, label: t.label}] AS themes,
       [(m)-[:ADDRESSES]->(c:Utfordring) | {id: c.id, label: c.label}] AS addresses,
       [(rc:Utfordring)-[:CO_TALLY]->(m) | {id: rc.id, label: rc.label}] AS raised_with
