"""The ontology and vocabulary (data files) and their loaders."""

from pathlib import Path

ONTOLOGY_DIR = Path(__file__).resolve().parent
