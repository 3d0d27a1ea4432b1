// name: challenge_matrix
// description: Actor × challenge matrix (or actor type × challenge): for each row and challenge, how many actors, documents and statements, filtered by fylke, helsefellesskap, actor type and document kind; one page of cells (by row label, then challenge) at a time, with the total
// params: by (str = "actor") rows are "actor" or "type"; fylke (str = "") fylke id or name; helsefellesskap (str = "") helsefellesskap id or name; actor_type (str = "") actor type such as Kommune; document_kind (str = "") innspill, handlingsplan or annet; limit (int = 500) most cells returned; offset (int = 0) cells skipped first
// Rows by actor without a document kind are the kept TALLY cells (graph/counts.py): one
// relationship per actor and challenge, with its documents and statements, so the page costs
// the number of cells, not of statements. Rows by type, or by document kind, count the
// statements (co-signers share a document, which a sum of cells would count twice). Only
// one of the two parts has rows: each starts from a list that is empty for the other case.
// The fylke and helsefellesskap filters are lists of member ids found first (a pattern tested
// on every cell costs more than the cells).
UNWIND CASE WHEN $by <> 'type' AND $document_kind = '' THEN [1] ELSE [] END AS kept
CALL {
  MATCH (f:Fylke) WHERE f.id = $fylke OR f.name = $fylke
  MATCH (f)<-[:IN_FYLKE]-(fa:`Aktør`)
  RETURN collect(fa.id) AS in_fylke
}
CALL {
  MATCH (h:Helsefellesskap) WHERE h.id = $helsefellesskap OR h.name = $helsefellesskap
  MATCH (h)<-[:MEMBER_OF]-(ha:`Aktør`)
  RETURN collect(ha.id) AS in_hf
}
MATCH (a:`Aktør`)-[t:TALLY]->(:Utfordring)
WHERE ($actor_type = '' OR a.type = $actor_type)
  AND ($fylke = '' OR a.id IN in_fylke) AND ($helsefellesskap = '' OR a.id IN in_hf)
WITH in_fylke, in_hf, count(t) AS total
MATCH (a:`Aktør`)-[t:TALLY]->(c:Utfordring)
WHERE ($actor_type = '' OR a.type = $actor_type)
  AND ($fylke = '' OR a.id IN in_fylke) AND ($helsefellesskap = '' OR a.id IN in_hf)
WITH total, a, c, t
ORDER BY a.name, c.id, a.id
SKIP $offset LIMIT $limit
RETURN a.id AS row, a.name AS row_label, c.id AS challenge, c.label AS challenge_label,
       1 AS actors, t.documents AS documents, t.statements AS statements, total
UNION
UNWIND CASE WHEN $by = 'type' OR $document_kind <> '' THEN [1] ELSE [] END AS counted
CALL {
  MATCH (f:Fylke) WHERE f.id = $fylke OR f.name = $fylke
  MATCH (f)<-[:IN_FYLKE]-(fa:`Aktør`)
  RETURN collect(fa.id) AS in_fylke
}
CALL {
  MATCH (h:Helsefellesskap) WHERE h.id = $helsefellesskap OR h.name = $helsefellesskap
  MATCH (h)<-[:MEMBER_OF]-(ha:`Aktør`)
  RETURN collect(ha.id) AS in_hf
}
MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[r:RAISES]->(c:Utfordring)
WHERE ($actor_type = '' OR a.type = $actor_type)
  AND ($fylke = '' OR a.id IN in_fylke) AND ($helsefellesskap = '' OR a.id IN in_hf)
MATCH (d:Dokument)-[:HAS_VOICE]->(v)
WHERE $document_kind = '' OR d.kind = $document_kind
WITH CASE WHEN $by = 'type' THEN a.type ELSE a.id END AS row, a, c, d, r
WITH row, CASE WHEN $by = 'type' THEN row ELSE a.name END AS row_label, c,
     count(DISTINCT a) AS actors, count(DISTINCT d) AS documents,
     count(DISTINCT r.statement) AS statements
WITH collect([row, row_label, c, actors, documents, statements]) AS cells
UNWIND cells AS cell
WITH size(cells) AS total, cell[0] AS row, cell[1] AS row_label, cell[2] AS c,
     cell[3] AS actors, cell[4] AS documents, cell[5] AS statements
ORDER BY row_label, c.id, row
SKIP $offset LIMIT $limit
RETURN row, row_label, c.id AS challenge, c.label AS challenge_label,
       actors, documents, statements, total
