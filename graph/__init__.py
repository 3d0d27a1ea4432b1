"""helsegraf.graph."""
