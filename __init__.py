"""helsegraf: a knowledge graph of Norwegian health-collaboration documents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("helsegraf")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
