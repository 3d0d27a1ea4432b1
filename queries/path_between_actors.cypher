// name: path_between_actors
// description: Shortest connection between two nodes (actors, examples, concepts) by id, ignoring direction: the nodes and relationships on it
// params: source (str) id of the first node, e.g. kommune/5029; target (str) id of the second node
// The portable form (any engine, up to 4 hops); the store runs its engine's variant
// (path_between_actors.<dialect>.cypher), which searches further.
MATCH p = (a {id: $source})-[*..4]-(b {id: $target})
WITH p, length(p) AS hops
ORDER BY hops, reduce(k = '', n IN nodes(p) | k + coalesce(n.id, '') + ' ')
LIMIT 1
RETURN [n IN nodes(p) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), labels: labels(n)}] AS nodes,
       [r IN relationships(p) | {type: type(r), start: startNode(r).id, `end`: endNode(r).id}] AS relationships,
       hops
