// name: challenge_matrix_quotes
// description: The statements behind one cell of the actor × challenge matrix: actor, quote, place and document, under the matrix's filters
// params: challenge (str) codebook id of the challenge; row (str) actor id, or actor type when by is "type"; by (str = "actor") rows are "actor" or "type"; fylke (str = "") fylke id or name; helsefellesskap (str = "") helsefellesskap id or name; actor_type (str = "") actor type; document_kind (str = "") innspill, handlingsplan or annet
MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[r:RAISES]->(c:Utfordring {id: $challenge})
WHERE (CASE WHEN $by = 'type' THEN a.type ELSE a.id END) = $row
  AND ($actor_type = '' OR a.type = $actor_type)
  AND ($fylke = '' OR (a)-[:IN_FYLKE]->(:Fylke {id: $fylke}) OR (a)-[:IN_FYLKE]->(:Fylke {name: $fylke}))
  AND ($helsefellesskap = '' OR (a)-[:MEMBER_OF]->(:Helsefellesskap {id: $helsefellesskap})
       OR (a)-[:MEMBER_OF]->(:Helsefellesskap {name: $helsefellesskap}))
MATCH (d:Dokument)-[:HAS_VOICE]->(v)-[:STATES]->(u:Utsagn {id: r.statement})
WHERE $document_kind = '' OR d.kind = $document_kind
RETURN a.id AS actor_id, a.name AS name, a.type AS type, u.id AS statement, u.quote AS quote, u.quote_cut AS quote_cut,
       u.line AS line, u.start AS start, u.`end` AS `end`, u.page AS page,
       d.id AS document, d.name AS document_name, d.title AS document_title, d.date AS document_date
ORDER BY name, document, line
