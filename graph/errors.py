"""Typed errors of the graph layer (the API maps them to 4xx responses)."""

from __future__ import annotations

from helsegraf.core.errors import HelsegrafError


class GraphError(HelsegrafError):
    """Something went wrong talking to the graph store."""


class StoreUnavailable(GraphError):
    """The configured store cannot be opened or reached."""


class QueryError(GraphError):
    """The engine refused a query (syntax error, unknown function, bad parameter ...)."""


class QueryRejected(QueryError):
    """A query tried to write while running in read-only mode; the engine refused it."""


class QueryTimeout(QueryError):
    """A query ran longer than its time limit and the engine stopped it."""
