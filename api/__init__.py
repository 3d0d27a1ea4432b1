"""helsegraf.api."""
