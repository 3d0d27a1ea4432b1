// name: challenge_matrix
// description: Actor × challenge matrix (or actor type × challenge): for each row and challenge, how many actors, documents and statements, filtered by fylke, helsefellesskap, actor type and document kind
// params: by (str = "actor") rows are "actor" or "type"; fylke (str = "") fylke id or name; helsefellesskap (str = "") helsefellesskap id or name; actor_type (str = "") actor type such as Kommune; document_kind (str = "") innspill, handlingsplan or annet
MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[r:RAISES]->(c:Utfordring)
WHERE ($actor_type = '' OR a.type = $actor_type)
  AND ($fylke = '' OR (a)-[:IN_FYLKE]->(:Fylke {id: $fylke}) OR (a)-[:IN_FYLKE]->(:Fylke {name: $fylke}))
  AND ($helsefellesskap = '' OR (a)-[:MEMBER_OF]->(:Helsefellesskap {id: $helsefellesskap})
       OR (a)-[:MEMBER_OF]->(:Helsefellesskap {name: $helsefellesskap}))
MATCH (d:Dokument)-[:HAS_VOICE]->(v)
WHERE $document_kind = '' OR d.kind = $document_kind
WITH CASE WHEN $by = 'type' THEN a.type ELSE a.id END AS row, a, c, d, r
RETURN row, CASE WHEN $by = 'type' THEN row ELSE a.name END AS row_label,
       c.id AS challenge, c.label AS challenge_label,
       count(DISTINCT a) AS actors, count(DISTINCT d) AS documents,
       count(DISTINCT r.statement) AS statements
ORDER BY row_label, challenge
