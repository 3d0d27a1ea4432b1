// name: path_between_actors
// description: Shortest connection between two nodes by id (FalkorDB: allShortestPaths in both directions, up to 8 hops, the first by node ids; its shortestPath() is directed only)
// params: source (str) id of the first node; target (str) id of the second node
// Each end is looked up by id in the index of every label that carries ids (an unlabelled
// {id: …} pattern would read every node of the graph).
OPTIONAL MATCH (s1:`Aktør` {id: $source}) OPTIONAL MATCH (s2:Eksempel {id: $source})
OPTIONAL MATCH (s3:Utfordring {id: $source}) OPTIONAL MATCH (s4:Tiltak {id: $source})
OPTIONAL MATCH (s5:Dokument {id: $source}) OPTIONAL MATCH (s6:Tema {id: $source})
OPTIONAL MATCH (s7:Pasientgruppe {id: $source}) OPTIONAL MATCH (s8:Sted {id: $source})
OPTIONAL MATCH (s9:Stemme {id: $source}) OPTIONAL MATCH (s10:Utsagn {id: $source})
WITH coalesce(s1, s2, s3, s4, s5, s6, s7, s8, s9, s10) AS a
WHERE a IS NOT NULL
OPTIONAL MATCH (t1:`Aktør` {id: $target}) OPTIONAL MATCH (t2:Eksempel {id: $target})
OPTIONAL MATCH (t3:Utfordring {id: $target}) OPTIONAL MATCH (t4:Tiltak {id: $target})
OPTIONAL MATCH (t5:Dokument {id: $target}) OPTIONAL MATCH (t6:Tema {id: $target})
OPTIONAL MATCH (t7:Pasientgruppe {id: $target}) OPTIONAL MATCH (t8:Sted {id: $target})
OPTIONAL MATCH (t9:Stemme {id: $target}) OPTIONAL MATCH (t10:Utsagn {id: $target})
WITH a, coalesce(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10) AS b
WHERE b IS NOT NULL AND a <> b
MATCH path = allShortestPaths((a)-[*..8]-(b))
WITH path
ORDER BY reduce(k = '', n IN nodes(path) | k + coalesce(n.id, '') + ' ')
LIMIT 1
RETURN [n IN nodes(path) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), labels: labels(n)}] AS nodes,
       [r IN relationships(path) | {type: type(r), start: startNode(r).id, `end`: endNode(r).id}] AS relationships,
       length(path) AS hops
