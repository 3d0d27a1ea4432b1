// name: path_between_actors
// description: Shortest connection between two nodes by id (FalkorDB: algo.SPpaths in both directions, up to 8 hops; its shortestPath() is directed only)
// params: source (str) id of the first node; target (str) id of the second node
MATCH (a {id: $source}), (b {id: $target})
CALL algo.SPpaths({sourceNode: a, targetNode: b, relDirection: 'both', maxLen: 8, pathCount: 1}) YIELD path
RETURN [n IN nodes(path) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), labels: labels(n)}] AS nodes,
       [r IN relationships(path) | {type: type(r), start: startNode(r).id, `end`: endNode(r).id}] AS relationships,
       length(path) AS hops
