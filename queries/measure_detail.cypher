// name: measure_detail
// description: One measure (tiltak): its label, whether it comes from the codebook, its themes and the challenges the codebook says it answers
// params: measure (str) codebook id of the measure, e.g. tiltak/bedre-utskrivning
MATCH (m:Tiltak {id: $measure})
RETURN m.id AS id, m.label AS label, m.source AS source,
       [(m)-[:IN_THEME]->(t:Tema) | {id: t.id, label: t.label}] AS themes,
       [(m)-[:ADDRESSES]->(c:Utfordring) | {id: c.id, label: c.label}] AS addresses
