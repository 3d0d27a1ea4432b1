// name: path_between_actors
// description: Shortest connection between two nodes by id (Neo4j: allShortestPaths, undirected, up to 8 hops, the first by node ids)
// params: source (str) id of the first node; target (str) id of the second node
// Of several shortest paths the one whose node ids come first, as on FalkorDB; a path from a
// node to itself is none (Neo4j refuses to search one).
MATCH (a {id: $source}), (b {id: $target})
WHERE a <> b
MATCH p = allShortestPaths((a)-[*..8]-(b))
WITH p
ORDER BY reduce(k = '', n IN nodes(p) | k + coalesce(n.id, '') + ' ')
LIMIT 1
RETURN [n IN nodes(p) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), labels: labels(n)}] AS nodes,
       [r IN relationships(p) | {type: type(r), start: startNode(r).id, `end`: endNode(r).id}] AS relationships,
       length(p) AS hops
