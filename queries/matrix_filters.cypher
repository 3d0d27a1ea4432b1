// name: matrix_filters
// description: The fylker and helsefellesskap that have members who wrote in the documents, for the matrix filters
// params: none
// Whether an actor wrote is its kept count of authored documents (graph/counts.py).
MATCH (f:Fylke)<-[:IN_FYLKE]-(a:`Aktør`)
WHERE a.authored_documents > 0
RETURN DISTINCT 'fylke' AS kind, f.id AS id, f.name AS name
UNION
MATCH (h:Helsefellesskap)<-[:MEMBER_OF]-(a:`Aktør`)
WHERE a.authored_documents > 0
RETURN DISTINCT 'helsefellesskap' AS kind, h.id AS id, h.name AS name
