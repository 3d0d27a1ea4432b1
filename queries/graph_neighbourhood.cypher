// name: graph_neighbourhood
// description: Nodes and edges around an actor or example for the graph view; voices are folded into the edges (actor -RAISES-> challenge, actor -MENTIONS-> example), registry and example links are kept
// params: id (str) id of the actor or example; limit (int = 100) most edges per kind
// Each part orders before its LIMIT, so that a cut neighbourhood is the same on every engine.
MATCH (n {id: $id})-[:AUTHORED]->(:Stemme)-[r:RAISES|PROPOSES|MENTIONS]->(x)
WITH DISTINCT n, type(r) AS t, x
ORDER BY t, x.id
LIMIT $limit
RETURN [{id: n.id, name: coalesce(n.name, n.label, n.id), labels: labels(n)},
        {id: x.id, name: coalesce(x.name, x.label, x.id), labels: labels(x)}] AS nodes,
       [{source: n.id, target: x.id, type: t}] AS edges
UNION
MATCH (y:`Aktør`)-[:AUTHORED]->(:Stemme)-[r:MENTIONS]->(n {id: $id})
WITH DISTINCT n, type(r) AS t, y
ORDER BY y.id
LIMIT $limit
RETURN [{id: y.id, name: coalesce(y.name, y.id), labels: labels(y)},
        {id: n.id, name: coalesce(n.name, n.label, n.id), labels: labels(n)}] AS nodes,
       [{source: y.id, target: n.id, type: t}] AS edges
UNION
MATCH (n {id: $id})-[r:IN_FYLKE|MEMBER_OF|SUCCEEDED_BY|PART_OF|INVOLVES|FOR_GROUP|LOCATED_IN]-(z)
WITH DISTINCT n, r, z
ORDER BY type(r), z.id
LIMIT $limit
RETURN [{id: n.id, name: coalesce(n.name, n.label, n.id), labels: labels(n)},
        {id: z.id, name: coalesce(z.name, z.label, z.id), labels: labels(z)}] AS nodes,
       [{source: startNode(r).id, target: endNode(r).id, type: type(r)}] AS edges
