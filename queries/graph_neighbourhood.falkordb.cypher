// name: graph_neighbourhood
// description: Nodes and edges around an actor or example for the graph view (FalkorDB: the node is looked up in the id index of each label, since an unlabelled {id: …} pattern reads every node)
// params: id (str) id of the actor or example; limit (int = 100) most edges per kind
// Each part orders before its LIMIT, so that a cut neighbourhood is the same on every engine.
OPTIONAL MATCH (n0:`Aktør` {id: $id}) OPTIONAL MATCH (n1:`Dokument` {id: $id})
OPTIONAL MATCH (n2:`Stemme` {id: $id}) OPTIONAL MATCH (n3:`Utsagn` {id: $id})
OPTIONAL MATCH (n4:`Utfordring` {id: $id}) OPTIONAL MATCH (n5:`Tiltak` {id: $id})
OPTIONAL MATCH (n6:`Tema` {id: $id}) OPTIONAL MATCH (n7:`Pasientgruppe` {id: $id})
OPTIONAL MATCH (n8:`Eksempel` {id: $id}) OPTIONAL MATCH (n9:`Sted` {id: $id})
OPTIONAL MATCH (n10:`Meta` {id: $id})
WITH coalesce(n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10) AS n
WITH n WHERE n IS NOT NULL
MATCH (n)-[:AUTHORED]->(:Stemme)-[r:RAISES|PROPOSES|MENTIONS]->(x)
WITH DISTINCT n, type(r) AS t, x
ORDER BY t, x.id
LIMIT $limit
RETURN [{id: n.id, name: coalesce(n.name, n.label, n.id), labels: labels(n)},
        {id: x.id, name: coalesce(x.name, x.label, x.id), labels: labels(x)}] AS nodes,
       [{source: n.id, target: x.id, type: t}] AS edges
UNION
OPTIONAL MATCH (n0:`Aktør` {id: $id}) OPTIONAL MATCH (n1:`Dokument` {id: $id})
OPTIONAL MATCH (n2:`Stemme` {id: $id}) OPTIONAL MATCH (n3:`Utsagn` {id: $id})
OPTIONAL MATCH (n4:`Utfordring` {id: $id}) OPTIONAL MATCH (n5:`Tiltak` {id: $id})
OPTIONAL MATCH (n6:`Tema` {id: $id}) OPTIONAL MATCH (n7:`Pasientgruppe` {id: $id})
OPTIONAL MATCH (n8:`Eksempel` {id: $id}) OPTIONAL MATCH (n9:`Sted` {id: $id})
OPTIONAL MATCH (n10:`Meta` {id: $id})
WITH coalesce(n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10) AS n
WITH n WHERE n IS NOT NULL
MATCH (y:`Aktør`)-[:AUTHORED]->(:Stemme)-[r:MENTIONS]->(n)
WITH DISTINCT n, type(r) AS t, y
ORDER BY y.id
LIMIT $limit
RETURN [{id: y.id, name: coalesce(y.name, y.id), labels: labels(y)},
        {id: n.id, name: coalesce(n.name, n.label, n.id), labels: labels(n)}] AS nodes,
       [{source: y.id, target: n.id, type: t}] AS edges
UNION
OPTIONAL MATCH (n0:`Aktør` {id: $id}) OPTIONAL MATCH (n1:`Dokument` {id: $id})
OPTIONAL MATCH (n2:`Stemme` {id: $id}) OPTIONAL MATCH (n3:`Utsagn` {id: $id})
OPTIONAL MATCH (n4:`Utfordring` {id: $id}) OPTIONAL MATCH (n5:`Tiltak` {id: $id})
OPTIONAL MATCH (n6:`Tema` {id: $id}) OPTIONAL MATCH (n7:`Pasientgruppe` {id: $id})
OPTIONAL MATCH (n8:`Eksempel` {id: $id}) OPTIONAL MATCH (n9:`Sted` {id: $id})
OPTIONAL MATCH (n10:`Meta` {id: $id})
WITH coalesce(n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10) AS n
WITH n WHERE n IS NOT NULL
MATCH (n)-[r:IN_FYLKE|MEMBER_OF|SUCCEEDED_BY|PART_OF|INVOLVES|FOR_GROUP|LOCATED_IN]-(z)
WITH DISTINCT n, r, z
ORDER BY type(r), z.id
LIMIT $limit
RETURN [{id: n.id, name: coalesce(n.name, n.label, n.id), labels: labels(n)},
        {id: z.id, name: coalesce(z.name, z.label, z.id), labels: labels(z)}] AS nodes,
       [{source: startNode(r).id, target: endNode(r).id, type: type(r)}] AS edges
