"""Read-only SPARQL over the RDF export of the graph, answered by Oxigraph.

:class:`SparqlEngine` answers SELECT, ASK, CONSTRUCT and DESCRIBE queries and refuses everything
else. A query is checked before it runs:

* it must parse with the SPARQL *query* grammar (rdflib's parser); text that parses as an
  *update* (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...) is refused with :class:`UpdateRefused`;
* its algebra must not contain a ``SERVICE`` pattern (federated calls would let a query reach
  other servers): :class:`ServiceRefused`.

The data sit in an on-disk Oxigraph store. Queries run in a worker *process* that opens the
store read-only; the caller waits at most ``timeout_s`` for the answer. A query that runs over
its time limit is stopped by terminating the worker process (Oxigraph cannot be interrupted from
Python, and a thread cannot be killed); the next query starts a fresh worker.

Results are :class:`SparqlResult` objects; :func:`serialize` turns them into SPARQL JSON, XML,
CSV, TSV (SELECT/ASK) or Turtle, N-Triples (CONSTRUCT/DESCRIBE) for content negotiation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from helsegraf.core.errors import HelsegrafError

if TYPE_CHECKING:
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import GraphStore

log = logging.getLogger(__name__)

ResultKind = Literal["select", "ask", "graph"]


# --------------------------------------------------------------------------- errors


class SparqlSyntaxError(HelsegrafError):
    """The text is not a SPARQL query."""


class QueryRefused(HelsegrafError):
    """The query is well-formed but not allowed here."""


class UpdateRefused(QueryRefused):
    """The text is a SPARQL update; the endpoint is read-only."""


class ServiceRefused(QueryRefused):
    """The query calls another endpoint with SERVICE."""


class QueryTimeout(HelsegrafError):
    """The query ran over its time limit and was stopped."""


# --------------------------------------------------------------------------- media types

#: media type -> (kind of result it serialises, canonical media type)
SELECT_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
}
_RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def media_types_for(kind: ResultKind) -> list[str]:
    """Media types a result of this kind can be serialised to (the first is the default)."""
    return list(GRAPH_MEDIA_TYPES if kind == "graph" else SELECT_MEDIA_TYPES)


# --------------------------------------------------------------------------- results


@dataclass
class SparqlResult:
    """The answer to one query.

    ``kind`` is ``select`` (``variables`` and rows), ``ask`` (``boolean``) or ``graph``
    (CONSTRUCT/DESCRIBE; triples as N-Triples in ``payload``). For SELECT, ``payload`` is the
    SPARQL 1.1 JSON results document. ``truncated`` is true when the row cap cut the answer.
    """

    kind: ResultKind
    payload: bytes = b""
    variables: list[str] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    elapsed_s: float = 0.0
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def bindings(self) -> list[dict[str, dict[str, str]]]:
        """SELECT rows in SPARQL JSON form: ``{var: {"type": ..., "value": ...}}``."""
        if self.kind != "select":
            return []
        return json.loads(self.payload)["results"]["bindings"]

    def rows(self) -> list[dict[str, str | None]]:
        """SELECT rows as plain strings (IRIs and literal values), ``None`` when unbound."""
        out = []
        for b in self.bindings:
            out.append({v: (b[v]["value"] if v in b else None) for v in self.variables})
        return out

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.bindings)
        if self.kind == "ask":
            return 1
        return self.payload.count(b"\n")


def serialize(result: SparqlResult, media_type: str) -> bytes:
    """Serialise ``result`` as ``media_type`` (see :data:`SELECT_MEDIA_TYPES`, :data:`GRAPH_MEDIA_TYPES`).

    Raises :class:`HelsegrafError` when the media type does not fit the kind of result.
    """
    mt = media_type.split(";")[0].strip().lower()
    if result.kind == "graph":
        fmt = GRAPH_MEDIA_TYPES.get(mt)
        if fmt is None:
            raise HelsegrafError(
                f"a CONSTRUCT/DESCRIBE result cannot be given as {media_type}; "
                f"use one of {', '.join(GRAPH_MEDIA_TYPES)}"
            )
        if fmt == "nt":
            return result.payload
        triples = (q.triple for q in ox.parse(result.payload, format=ox.RdfFormat.N_TRIPLES))
        prefixes = result.prefixes if fmt == "ttl" else None
        return ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=prefixes) or b""
    fmt = SELECT_MEDIA_TYPES.get(mt)
    if fmt is None:
        raise HelsegrafError(
            f"a {result.kind.upper()} result cannot be given as {media_type}; "
            f"use one of {', '.join(SELECT_MEDIA_TYPES)}"
        )
    if result.kind == "ask":
        doc: dict[str, Any] = {"head": {}, "boolean": bool(result.boolean)}
        payload = json.dumps(doc).encode()
    else:
        payload = result.payload
    if fmt == "json":
        return payload
    parsed = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=_RESULTS_FORMATS[fmt]) or b""


# --------------------------------------------------------------------------- checking


# rdflib's SPARQL parser (pyparsing) keeps state between calls and is not thread-safe: the
# API checks queries in several threads at once, so parsing is serialised.
_PARSER_LOCK = threading.Lock()


def check_query(text: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Check that ``text`` is a read-only SPARQL query without SERVICE; return its form.

    The form is ``select``, ``ask``, ``construct`` or ``describe``. Raises
    :class:`UpdateRefused`, :class:`ServiceRefused` or :class:`SparqlSyntaxError`.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        with _PARSER_LOCK:
            parsed = parseQuery(text)
    except ParseException as exc:
        try:
            with _PARSER_LOCK:
                parseUpdate(text)
        except ParseException:
            raise SparqlSyntaxError(f"not a SPARQL query: {_one_line(exc)}") from None
        raise UpdateRefused(
            "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...) are refused: "
            "this endpoint is read-only"
        ) from None
    # SERVICE is looked for in the parse tree and in the algebra rdflib translates it to.
    if _contains_service(parsed):
        raise ServiceRefused(
            "SERVICE (federated query) is refused: only the local graph is queried"
        )
    try:
        with _PARSER_LOCK:
            algebra = translateQuery(parsed, initNs=dict(prefixes or {})).algebra
    except Exception:  # rdflib's translation has gaps Oxigraph has not; the parse tree was clean
        algebra = None
    if algebra is not None and _contains_service(algebra):
        raise ServiceRefused(
            "SERVICE (federated query) is refused: only the local graph is queried"
        )
    name = getattr(parsed[1], "name", "") if len(parsed) > 1 else ""
    return {
        "SelectQuery": "select",
        "AskQuery": "ask",
        "ConstructQuery": "construct",
        "DescribeQuery": "describe",
    }.get(name, name.lower())


def _contains_service(node: Any, _seen: set[int] | None = None) -> bool:
    """True if a ServiceGraphPattern occurs anywhere in an rdflib parse tree or algebra."""
    from rdflib.plugins.sparql.parserutils import CompValue

    seen = _seen if _seen is not None else set()
    if id(node) in seen:
        return False
    seen.add(id(node))
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            return True
        return any(_contains_service(v, seen) for v in node.values())
    if isinstance(node, Mapping):
        return any(_contains_service(v, seen) for v in node.values())
    if isinstance(node, list | tuple | set):
        return any(_contains_service(v, seen) for v in node)
    if hasattr(node, "asList") and not isinstance(node, str | Identifier):
        return any(_contains_service(v, seen) for v in node.asList())
    return False


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


# --------------------------------------------------------------------------- worker process


def _term_json(term: Any) -> dict[str, Any]:
    """One pyoxigraph term in SPARQL 1.1 JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _parse_term(n3: str) -> Any:
    """A pyoxigraph term from its N-Triples form (substitution values)."""
    quads = list(ox.parse(f"<urn:s> <urn:p> {n3} .", format=ox.RdfFormat.N_TRIPLES))
    return quads[0].object


def _answer(store: ox.Store, request: dict[str, Any]) -> tuple[Any, ...]:
    """Run one query in the worker; return a picklable answer."""
    subs = {ox.Variable(k): _parse_term(v) for k, v in (request.get("bindings") or {}).items()}
    cap: int = request["row_cap"]
    res = store.query(request["text"], prefixes=request.get("prefixes") or None, substitutions=subs)
    if isinstance(res, ox.QueryBoolean):
        return ("ask", bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        bindings = []
        truncated = False
        for i, sol in enumerate(res):
            if i >= cap:
                truncated = True
                break
            row = {}
            for v in variables:
                t = sol[v]
                if t is not None:
                    row[v] = _term_json(t)
            bindings.append(row)
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return ("select", json.dumps(doc, ensure_ascii=False).encode(), variables, truncated)
    triples = []
    truncated = False
    for i, t in enumerate(res):
        if i >= cap:
            truncated = True
            break
        triples.append(t)
    payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return ("graph", payload, truncated)


def _worker_main(store_path: str, read_fd: int, write_fd: int) -> None:
    """Worker process: open the store read-only and answer requests until told to stop.

    Started as ``python -c`` (see :meth:`SparqlEngine._ensure_worker`) rather than through
    :mod:`multiprocessing`, so the caller's main module is never imported again.
    """
    from multiprocessing.connection import Connection

    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    store = ox.Store.read_only(store_path)
    outbox.send(("ready",))
    while True:
        try:
            request = inbox.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            outbox.send(_answer(store, request))
        except SyntaxError as exc:
            outbox.send(("error", "syntax", _one_line(exc)))
        except Exception as exc:
            outbox.send(("error", type(exc).__name__, _one_line(exc)))


_WORKER_CODE = (
    "import sys; from helsegraf.graph.sparql import _worker_main; "
    "_worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))"
)


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    inbox: Any  # Connection the worker answers on
    outbox: Any  # Connection the requests go to


# --------------------------------------------------------------------------- engine


DEFAULT_TIMEOUT_S = 5.0
DEFAULT_ROW_CAP = 1000


class SparqlEngine:
    """Read-only SPARQL over an RDF graph, held in an on-disk Oxigraph store.

    ``SparqlEngine(graph)`` loads an rdflib graph (e.g. :func:`helsegraf.graph.rdf.export_rdf`'s
    output) into a temporary store; :meth:`for_store` keeps the store in the data directory and
    rebuilds it only when the property graph changed. Use as a context manager or call
    :meth:`close` to stop the worker process.
    """

    def __init__(
        self,
        graph: Graph | None = None,
        *,
        store_path: Path | str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        row_cap: int = DEFAULT_ROW_CAP,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.row_cap = row_cap
        self._tmpdir: str | None = None
        if store_path is None:
            if graph is None:
                raise ValueError("give a graph or a store_path")
            self._tmpdir = tempfile.mkdtemp(prefix="helsegraf-sparql-")
            store_path = Path(self._tmpdir) / "store"
            build_oxigraph_store(graph, store_path)
        elif graph is not None:
            build_oxigraph_store(graph, Path(store_path))
        self.store_path = Path(store_path)
        if prefixes is None:
            prefixes = _graph_prefixes(graph) if graph is not None else _default_prefixes()
        self.prefixes = dict(prefixes)
        self._lock = threading.Lock()
        self._worker: _Worker | None = None

    # ---------------------------------------------------------------- building

    @classmethod
    def for_store(
        cls, store: GraphStore, settings: Settings | None = None, *, rebuild: bool = False
    ) -> SparqlEngine:
        """An engine over the RDF export of ``store``, cached in ``<data_dir>/rdf/``.

        The cache is keyed by :func:`graph_fingerprint`; a changed graph gets a new store and
        old ones are removed.
        """
        from helsegraf.core.config import get_settings
        from helsegraf.graph.rdf import export_rdf

        settings = settings or get_settings()
        base = Path(settings.data_dir) / "rdf"
        key = graph_fingerprint(store)
        path = base / f"oxigraph-{key}"
        ready = path / ".complete"
        kwargs: dict[str, Any] = {
            "timeout_s": settings.query_timeout_ms / 1000,
            "row_cap": settings.row_cap,
        }
        if rebuild or not ready.exists():
            graph = export_rdf(store)
            # build beside the final place and rename, so that a concurrent reader never
            # sees a half-built store
            tmp = base / f".building-{key}-{os.getpid()}"
            build_oxigraph_store(graph, tmp)
            (tmp / ".complete").write_text(key)
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            try:
                tmp.rename(path)
            except OSError:  # built by someone else meanwhile: use theirs
                shutil.rmtree(tmp, ignore_errors=True)
            for old in base.glob("oxigraph-*"):
                if old != path:
                    shutil.rmtree(old, ignore_errors=True)
            return cls(store_path=path, prefixes=_graph_prefixes(graph), **kwargs)
        return cls(store_path=path, **kwargs)

    # ---------------------------------------------------------------- querying

    def query(
        self,
        text: str,
        timeout_s: float | None = None,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        row_cap: int | None = None,
    ) -> SparqlResult:
        """Answer a SELECT/ASK/CONSTRUCT/DESCRIBE query within ``timeout_s`` seconds.

        ``bindings`` maps variable names to rdflib terms (``URIRef``, ``Literal``); they are
        substituted as RDF terms, never pasted into the text. Raises :class:`UpdateRefused`,
        :class:`ServiceRefused`, :class:`SparqlSyntaxError` or :class:`QueryTimeout`.
        """
        check_query(text, self.prefixes)
        limit = self.timeout_s if timeout_s is None else timeout_s
        request = {
            "text": text,
            "prefixes": self.prefixes,
            "bindings": {k: v.n3() for k, v in (bindings or {}).items()},
            "row_cap": row_cap or self.row_cap,
        }
        with self._lock:
            worker = self._ensure_worker()
            started = time.perf_counter()
            try:
                worker.outbox.send(request)
            except OSError:  # the worker died since the last query: start a new one
                self._kill_worker()
                worker = self._ensure_worker()
                worker.outbox.send(request)
            if not worker.inbox.poll(limit):
                self._kill_worker()
                raise QueryTimeout(
                    f"the query ran over its time limit of {limit:g} s and was stopped"
                )
            try:
                answer = worker.inbox.recv()
            except EOFError:
                self._kill_worker()
                raise HelsegrafError("the SPARQL worker stopped while answering") from None
            elapsed = time.perf_counter() - started
        if answer[0] == "error":
            if answer[1] == "syntax":
                raise SparqlSyntaxError(f"not a SPARQL query: {answer[2]}")
            raise HelsegrafError(f"SPARQL query failed: {answer[2]}")
        if answer[0] == "ask":
            return SparqlResult("ask", boolean=answer[1], elapsed_s=elapsed)
        if answer[0] == "select":
            return SparqlResult(
                "select",
                payload=answer[1],
                variables=answer[2],
                truncated=answer[3],
                elapsed_s=elapsed,
            )
        return SparqlResult(
            "graph",
            payload=answer[1],
            truncated=answer[2],
            elapsed_s=elapsed,
            prefixes=self.prefixes,
        )

    def query_named(
        self, name: str, params: Mapping[str, Any] | None = None, timeout_s: float | None = None
    ) -> SparqlResult:
        """Run a SPARQL query of the catalog (``queries/<name>.rq``) with typed parameters.

        Every parameter the query declares is bound (missing ones get their declared default,
        ``""`` meaning "any"); ``limit`` is applied as the row cap, since SPARQL's LIMIT cannot
        take a variable.
        """
        from helsegraf.queries import catalog

        try:
            named = catalog.get(name, language="sparql")
        except KeyError:
            raise HelsegrafError(f"no SPARQL query named {name!r}") from None
        values = named.bind(dict(params or {}))
        row_cap = None
        if "limit" in values:
            row_cap = max(1, min(int(values.pop("limit") or self.row_cap), self.row_cap))
        return self.query(named.text, timeout_s, bindings=bind_params(values), row_cap=row_cap)

    # ---------------------------------------------------------------- worker

    def _ensure_worker(self) -> _Worker:
        if self._worker is not None and self._worker.proc.poll() is None:
            return self._worker
        from multiprocessing.connection import Connection

        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, str(self.store_path), str(req_r), str(ans_w)],
            pass_fds=(req_r, ans_w),
            stdin=subprocess.DEVNULL,
        )
        os.close(req_r)
        os.close(ans_w)
        worker = _Worker(proc, Connection(ans_r, writable=False), Connection(req_w, readable=False))
        self._worker = worker
        try:
            ready = worker.inbox.poll(30) and worker.inbox.recv() == ("ready",)
        except EOFError:
            ready = False
        if not ready:
            self._kill_worker()
            raise HelsegrafError("the SPARQL worker did not start", path=str(self.store_path))
        return worker

    def _kill_worker(self) -> None:
        """Stop the worker: SIGTERM, then SIGKILL if it does not exit within 2 s."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        for conn in (worker.inbox, worker.outbox):
            with contextlib.suppress(OSError):
                conn.close()
        if worker.proc.poll() is None:
            worker.proc.terminate()
            try:
                worker.proc.wait(2)
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait(2)

    def close(self) -> None:
        """Stop the worker process and remove a temporary store."""
        with self._lock:
            if self._worker is not None:
                with contextlib.suppress(OSError):
                    self._worker.outbox.send(None)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._worker.proc.wait(2)
            self._kill_worker()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> SparqlEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


# --------------------------------------------------------------------------- helpers


def build_oxigraph_store(graph: Graph, path: Path) -> None:
    """Write ``graph`` into a new on-disk Oxigraph store at ``path`` (replacing any old one)."""
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = graph.serialize(format="nt", encoding="utf-8")
    store = ox.Store(str(path))
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store


def graph_fingerprint(store: GraphStore) -> str:
    """A short hash that changes when the property graph changes.

    Uses ``store.revision()`` if the store offers one; otherwise the node and relationship
    counts plus :func:`helsegraf.graph.rdf.document_signature` (documents' ids, hashes and
    extractor versions, the reference data version, statements per review status, the
    codebook file's hash), all read through read-only Cypher. A change none of these shows
    (an edited property with the same counts) needs ``for_store(..., rebuild=True)``.
    """
    from helsegraf import __version__

    parts: list[Any] = [__version__]
    revision = getattr(store, "revision", None)
    if callable(revision):
        parts.append(revision())
    else:
        parts.append(sorted(store.counts().items()))
        from helsegraf.graph.rdf import document_signature

        parts.append(document_signature(store))
    raw = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def bind_params(params: Mapping[str, Any]) -> dict[str, Identifier]:
    """Typed RDF terms for query parameters: they are substituted as terms, never pasted as text.

    rdflib terms are kept; numbers and booleans become typed literals; an absolute
    ``http(s)://`` IRI becomes an IRI; any other value a plain string literal (ids such as
    ``utfordring/rekruttering`` or ``kommune/5029`` are matched in the queries against
    ``skos:notation`` / ``dcterms:identifier``).
    """
    from rdflib import Literal, URIRef

    out: dict[str, Identifier] = {}
    for name, value in params.items():
        if isinstance(value, Identifier):
            out[name] = value
        elif isinstance(value, bool | int | float):
            out[name] = Literal(value)
        elif isinstance(value, str) and re.fullmatch(r"https?://\S+", value):
            out[name] = URIRef(value)
        else:
            out[name] = Literal("" if value is None else str(value))
    return out


def _graph_prefixes(graph: Graph | None) -> dict[str, str]:
    out = _default_prefixes()
    if graph is not None:
        for prefix, ns in graph.namespaces():
            if prefix and prefix not in out:
                out[prefix] = str(ns)
    return out


def _default_prefixes() -> dict[str, str]:
    from helsegraf.graph.rdf import PREFIXES

    return dict(PREFIXES)


# --------------------------------------------------------------------------- benchmark


def generate_benchmark_graph(n_triples: int = 200_000, seed: int = 7) -> Graph:
    """A synthetic graph shaped like the export: actors -> statements -> concepts.

    Each statement has 5 triples (type, voice/actor, concept, quote, derived-from document);
    the graph has about ``n_triples`` triples.
    """
    import random

    from rdflib import RDF, Literal, Namespace

    rng = random.Random(seed)
    ex = Namespace("https://example.org/bench/")
    g = Graph()
    n_statements = n_triples // 5
    n_actors = max(10, n_statements // 20)
    n_concepts = 60
    n_docs = max(5, n_statements // 100)
    for i in range(n_statements):
        s = ex[f"statement/{i}"]
        g.add((s, RDF.type, ex.Utsagn))
        g.add((s, ex.actor, ex[f"actor/{rng.randrange(n_actors)}"]))
        g.add((s, ex.concept, ex[f"concept/{rng.randrange(n_concepts)}"]))
        g.add((s, ex.quote, Literal(f"quote {i}", lang="nb")))
        g.add((s, ex.document, ex[f"doc/{rng.randrange(n_docs)}"]))
    return g


BENCH_TWO_HOP = """
PREFIX ex: <https://example.org/bench/>
SELECT ?other (COUNT(DISTINCT ?c) AS ?shared) WHERE {
  ?s1 ex:actor <https://example.org/bench/actor/1> ; ex:concept ?c .
  ?s2 ex:concept ?c ; ex:actor ?other .
  FILTER(?other != <https://example.org/bench/actor/1>)
} GROUP BY ?other ORDER BY DESC(?shared) LIMIT 20
"""


def bench_two_hop(n_triples: int = 200_000, repeats: int = 5) -> dict[str, Any]:
    """Time a 2-hop query (actors sharing concepts with one actor) on three engines.

    Returns seconds per query (median of ``repeats``) for rdflib's in-memory store, rdflib
    over Oxigraph (oxrdflib) and pyoxigraph directly, plus load times and the triple count.
    """
    import statistics

    g = generate_benchmark_graph(n_triples)
    nt = g.serialize(format="nt", encoding="utf-8")
    out: dict[str, Any] = {"triples": len(g), "repeats": repeats}

    def timed(fn: Any) -> tuple[float, Any]:
        t0 = time.perf_counter()
        r = fn()
        return time.perf_counter() - t0, r

    def median_time(fn: Any) -> tuple[float, int]:
        times, n = [], 0
        for _ in range(repeats):
            t, rows = timed(fn)
            times.append(t)
            n = rows
        return statistics.median(times), n

    # rdflib in-memory
    t, mem = timed(lambda: Graph().parse(data=nt, format="nt"))
    out["rdflib_memory_load_s"] = t
    out["rdflib_memory_query_s"], out["rows"] = median_time(
        lambda: len(list(mem.query(BENCH_TWO_HOP)))
    )
    # rdflib over Oxigraph
    t, oxg = timed(lambda: Graph(store="Oxigraph").parse(data=nt, format="ox-nt"))
    out["oxrdflib_load_s"] = t
    out["oxrdflib_query_s"], rows_ox = median_time(
        lambda: len(list(cast("Iterable[Any]", oxg.query(BENCH_TWO_HOP))))
    )
    # pyoxigraph directly
    st = ox.Store()
    t, _ = timed(lambda: st.bulk_load(nt, format=ox.RdfFormat.N_TRIPLES))
    out["pyoxigraph_load_s"] = t
    out["pyoxigraph_query_s"], rows_py = median_time(
        lambda: len(list(cast("Iterable[Any]", st.query(BENCH_TWO_HOP))))
    )
    out["same_rows"] = out["rows"] == rows_ox == rows_py
    out["speedup_oxrdflib_vs_memory"] = out["rdflib_memory_query_s"] / out["oxrdflib_query_s"]
    out["speedup_pyoxigraph_vs_memory"] = out["rdflib_memory_query_s"] / out["pyoxigraph_query_s"]
    return out
