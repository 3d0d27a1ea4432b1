"""The named query catalog: ``*.cypher`` and ``*.rq`` files, loaded by name."""

from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent
