"""helsegraf.ingest."""
