// name: path_between_actors
// description: Shortest connection between two nodes by id (Neo4j: shortestPath, undirected, up to 8 hops)
// params: source (str) id of the first node; target (str) id of the second node
MATCH (a {id: $source}), (b {id: $target})
MATCH p = shortestPath((a)-[*..8]-(b))
RETURN [n IN nodes(p) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), labels: labels(n)}] AS nodes,
       [r IN relationships(p) | {type: type(r), start: startNode(r).id, `end`: endNode(r).id}] AS relationships,
       length(p) AS hops
