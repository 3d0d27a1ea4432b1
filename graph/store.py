"""The graph store: one interface, two engines.

:class:`GraphStore` holds everything both engines share (query limits, loading documents and
reference data through ``UNWIND $rows … MERGE`` batches, counts, named queries). An engine
module in ``graph/backends/`` supplies only what differs: connecting, running one query
(read-only at the engine level, with a time limit), running a unit of writes atomically,
schema DDL, full-text search and shortest paths.

Use :func:`open_store` to get the store the settings name::

    with open_store() as store:
        store.ensure_reference()
        rows = store.query("MATCH (a:`Aktør`) RETURN a.name AS name LIMIT 5")
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from helsegraf.core.config import Settings, get_settings
from helsegraf.graph.values import check_params

if TYPE_CHECKING:
    from helsegraf.ingest.models import Extraction

# Node labels that carry a unique ``id`` (see docs/graph-model.md).
ID_LABELS: tuple[str, ...] = (
    "Aktør",
    "Dokument",
    "Stemme",
    "Utsagn",
    "Utfordring",
    "Tiltak",
    "Tema",
    "Pasientgruppe",
    "Eksempel",
    "Sted",
    "Meta",
)
# Actor type labels, each node also carries :Aktør.
ACTOR_LABELS: tuple[str, ...] = (
    "Kommune",
    "Fylke",
    "Helseforetak",
    "RegionaltHelseforetak",
    "Sykehus",
    "Helsefellesskap",
    "Samarbeidsorgan",
    "StatligEtat",
    "Organisasjon",
    "Utdanningsinstitusjon",
    "Region",
    "Selskap",
)
REL_TYPES: tuple[str, ...] = (
    "HAS_VOICE",
    "AUTHORED",
    "MENTIONS",
    "STATES",
    "CODED_AS",
    "RAISES",
    "PROPOSES",
    "INVOLVES",
    "FOR_GROUP",
    "LOCATED_IN",
    "IN_THEME",
    "ADDRESSES",
    "IN_FYLKE",
    "MEMBER_OF",
    "SUCCEEDED_BY",
    "PART_OF",
)
# Secondary exact-match indexes (label, property) used by loading and the named queries.
INDEXES: tuple[tuple[str, str], ...] = (
    ("Dokument", "name"),
    ("Stemme", "doc_id"),
    ("Utsagn", "doc_id"),
    ("Utsagn", "concept"),
    ("Aktør", "name"),
    ("Kommune", "kommunenummer"),
    ("Eksempel", "name"),
)
# Full-text indexes: label -> properties.
FULLTEXT: dict[str, tuple[str, ...]] = {
    "Eksempel": ("name", "description"),
    "Utsagn": ("quote",),
    "Aktør": ("name",),
}


def label(name: str) -> str:
    """Return ``name`` quoted for use as a Cypher label (``Aktør`` needs backticks in FalkorDB)."""
    return f"`{name}`"


class Rows(list[dict[str, Any]]):
    """Query result: a list of row dicts, with the column order and whether rows were cut off."""

    def __init__(
        self,
        rows: Iterable[dict[str, Any]] = (),
        columns: Sequence[str] = (),
        truncated: bool = False,
    ) -> None:
        super().__init__(rows)
        self.columns: list[str] = list(columns)
        self.truncated = truncated


class GraphStore(ABC):
    """A property-graph store (FalkorDB or Neo4j) holding helsegraf's graph.

    A context manager: ``with open_store() as store: ...`` closes it at the end.
    Values in result rows are plain Python: a node becomes a dict of its properties with
    ``_labels``; a relationship a dict of its properties with ``_type``; a path a dict with
    ``nodes`` and ``relationships``.
    """

    #: Cypher dialect name, also the suffix of per-engine query variants
    #: (``queries/<name>.<dialect>.cypher``).
    dialect: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._reference_checked = False

    # ------------------------------------------------------------------ engine primitives

    @abstractmethod
    def _run(
        self,
        cypher: str,
        params: dict[str, Any],
        *,
        read_only: bool,
        timeout_ms: int | None,
        limit: int | None,
    ) -> Rows:
        """Run one query; at most ``limit`` rows (``truncated`` set if there were more)."""

    @abstractmethod
    def _write_unit(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Run write statements as one atomic unit: if one fails, none has any effect."""

    @abstractmethod
    def _ensure_schema(self) -> None:
        """Create uniqueness constraints / indexes and full-text indexes if missing."""

    @abstractmethod
    def shortest_path(self, from_id: str, to_id: str, max_hops: int = 8) -> dict[str, Any] | None:
        """Return the shortest undirected path between two nodes by ``id``.

        The result is ``{"nodes": [{id, name, labels}], "relationships": [{type, start, end}]}``
        (start/end are node ids), or ``None`` when there is no path within ``max_hops``.
        """

    @abstractmethod
    def fulltext(self, label_name: str, text: str, limit: int = 20) -> Rows:
        """Search a full-text index (see :data:`FULLTEXT`); rows have ``id``, ``name``, ``score``."""

    def generation(self) -> int | None:
        """A number that changes with every write to the store (by any process), or ``None``
        where the engine keeps none (then nothing may cache what the store answers)."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Release connections; the embedded engine stops its server if no one else uses it."""

    # ------------------------------------------------------------------ shared behaviour

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        read_only: bool = True,
        timeout_ms: int | None = None,
        row_cap: int | None = None,
    ) -> Rows:
        """Run Cypher and return its rows.

        ``read_only`` (default) runs it in the engine's read-only mode: a query that writes is
        refused by the engine (:class:`~helsegraf.graph.errors.QueryRejected`).
        ``timeout_ms``: time limit (default ``Settings.query_timeout_ms``; ``0`` = none);
        a query over it raises :class:`~helsegraf.graph.errors.QueryTimeout`.
        ``row_cap``: most rows returned (``None``/``0`` = all: internal readers such as the RDF
        export page through everything; callers serving researchers pass
        ``Settings.row_cap``); ``Rows.truncated`` tells whether rows were left off.
        """
        timeout = self.settings.query_timeout_ms if timeout_ms is None else timeout_ms
        params = dict(params or {})
        check_params(params)
        return self._run(
            cypher,
            params,
            read_only=read_only,
            timeout_ms=timeout or None,
            limit=row_cap or None,
        )

    def run_named(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        timeout_ms: int | None = None,
        row_cap: int | None = None,
    ) -> Rows:
        """Run a catalog query by name (read-only), in this engine's dialect.

        Parameters the query declares but ``params`` lacks are passed as their declared
        default (``""`` for text), because both engines need every parameter the text uses.
        ``row_cap`` defaults to ``Settings.row_cap`` here.
        """
        from helsegraf.queries import catalog

        nq = catalog.get(name)
        return self.query(
            nq.text_for(self.dialect),
            nq.bind(params or {}),
            read_only=True,
            timeout_ms=timeout_ms,
            row_cap=self.settings.row_cap if row_cap is None else row_cap,
        )

    def write(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Run write statements as one unit, applied whole or not at all (one transaction in
        Neo4j, one query in FalkorDB). A parameter value no engine can take (see
        :mod:`helsegraf.graph.values`) refuses the whole unit before anything is written."""
        for _, params in statements:
            check_params(params)
        if statements:
            self._write_unit(statements)

    def ensure_reference(self, *, force: bool = False) -> None:
        """Create the schema and load codebook and registries, unless already loaded unchanged.

        Idempotent: a marker node ``(:Meta {id: "reference"})`` holds a hash of the loaded
        reference data; loading is skipped when the hash is the same.
        """
        from helsegraf.graph.reference import load_reference

        if self._reference_checked and not force:
            return
        from helsegraf.graph.counts import ensure as ensure_counts

        self._ensure_schema()
        load_reference(self, force=force)
        # A store written before the counts were kept (or by another definition) is recounted.
        ensure_counts(self)
        self._reference_checked = True

    def load_extraction(self, x: Extraction) -> None:
        """Write one document, replacing that document's previous voices, statements and mentions."""
        from helsegraf.graph.loader import load_extraction

        self.ensure_reference()
        load_extraction(self, x)

    def load_extractions(self, xs: Sequence[Extraction], per_unit: int | None = None) -> list[str]:
        """Write several documents, several per unit of writes (as one by one would, each
        replacing its previous version); return their ids. See ``graph.loader.load_extractions``.
        """
        from helsegraf.graph.loader import load_extractions

        self.ensure_reference()
        return load_extractions(self, list(xs), per_unit)

    def delete_document(self, name_or_id: str) -> int:
        """Delete a document (by file name or id) and all it contributed; return how many."""
        from helsegraf.graph.loader import delete_document

        return delete_document(self, name_or_id)

    def counts(self) -> dict[str, int]:
        """Return node counts per label and relationship counts per type, plus totals.

        Keys: each label in :data:`ID_LABELS` and :data:`ACTOR_LABELS`, each type in
        :data:`REL_TYPES`, and ``nodes`` / ``relationships``.
        """
        out: dict[str, int] = {}
        for name in (*ID_LABELS, *ACTOR_LABELS):
            rows = self.query(
                f"MATCH (n:{label(name)}) RETURN count(n) AS n", timeout_ms=0, row_cap=0
            )
            out[name] = int(rows[0]["n"]) if rows else 0
        for rel in REL_TYPES:
            rows = self.query(
                f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n", timeout_ms=0, row_cap=0
            )
            out[rel] = int(rows[0]["n"]) if rows else 0
        rows = self.query("MATCH (n) RETURN count(n) AS n", timeout_ms=0, row_cap=0)
        out["nodes"] = int(rows[0]["n"]) if rows else 0
        rows = self.query("MATCH ()-[r]->() RETURN count(r) AS n", timeout_ms=0, row_cap=0)
        out["relationships"] = int(rows[0]["n"]) if rows else 0
        return out


def open_store(settings: Settings | None = None) -> GraphStore:
    """Open the graph store the settings name (``Settings.backend``): FalkorDB or Neo4j."""
    settings = settings or get_settings()
    if settings.backend == "neo4j":
        from helsegraf.graph.backends.neo4j import Neo4jStore

        return Neo4jStore(settings)
    from helsegraf.graph.backends.falkordb import FalkorDBStore

    return FalkorDBStore(settings)
