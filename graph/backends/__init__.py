"""Graph store backends: one small module per engine (FalkorDB embedded, Neo4j)."""
