"""Read-only SPARQL over the RDF export of the graph, answered by Oxigraph.

:class:`SparqlEngine` answers SELECT, ASK, CONSTRUCT and DESCRIBE queries and refuses everything
else. A query is checked before it runs:

* it must parse with the SPARQL *query* grammar (rdflib's parser); text that parses as an
  *update* (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...) is refused with :class:`UpdateRefused`;
* its algebra must not contain a ``SERVICE`` pattern (federated calls would let a query reach
  other servers): :class:`ServiceRefused`.

Before anything else, a query longer than ``max_query_bytes`` or nested deeper than
``max_depth`` brackets is refused (:class:`QueryTooLarge`); both are cheap checks.

The data sit in an on-disk Oxigraph store. Queries are checked (parsed) and answered in worker
*processes* (:class:`helsegraf.core.workers.WorkerProcess`) that open the store read-only, up to
``max_workers`` at once, so a slow query holds up no other (rdflib's parser is not thread-safe
and holds the interpreter: in the server's own process one slow parse stalled every request).
The caller waits at most ``timeout_s`` for the answer, parsing included. A query that runs over
its time limit is stopped by killing its worker (Oxigraph cannot be interrupted from Python, and
a thread cannot be killed); the next query starts a fresh one.

Results are :class:`SparqlResult` objects; :func:`serialize` turns them into SPARQL JSON, XML,
CSV, TSV (SELECT/ASK) or Turtle, N-Triples (CONSTRUCT/DESCRIBE) for content negotiation.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from helsegraf.core.errors import HelsegrafError
from helsegraf.core.workers import WorkerDied, WorkerProcess, WorkerTimeout

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


class QueryTooLarge(QueryRefused):
    """The query text is over the size limit or nested too deeply."""


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


# Strings (long and short forms), IRIs and comments: brackets inside them do not nest.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|\#[^\n]*"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])",
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``()``, ``[]`` and ``{}`` in a SPARQL text, outside strings,
    IRIs and comments."""
    depth = deepest = 0
    for m in _TOKEN.finditer(text):
        if m.group("open"):
            depth += 1
            deepest = max(deepest, depth)
        elif m.group("close"):
            depth = max(0, depth - 1)
    return deepest


def check_size(text: str, max_bytes: int, max_depth: int) -> None:
    """Refuse (:class:`QueryTooLarge`) a query over ``max_bytes`` bytes or nested deeper than
    ``max_depth``: the parser's time and stack grow with both."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryTooLarge(
            f"the query is {size:,} bytes, over the limit of {max_bytes:,} "
            "(HELSEGRAF_MAX_QUERY_BYTES)"
        )
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryTooLarge(
            f"the query nests brackets {depth} deep, over the limit of {max_depth} "
            "(HELSEGRAF_MAX_QUERY_DEPTH)"
        )


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


def sparql_worker(store_path: str) -> Any:
    """Worker process factory (see :mod:`helsegraf.core.workers`): open the store read-only
    and return the function that checks and answers one request. A request naming another
    store (``"store"``: a rebuilt view) makes the worker open that one instead."""
    opened: dict[str, Any] = {"path": store_path, "store": ox.Store.read_only(store_path)}
    check_query("ASK {}")  # loads the parser now, not within the first query's time limit

    # The same text with the same prefixes passes the same checks: parse it once.
    @functools.lru_cache(maxsize=256)
    def checked(text: str, prefixes: tuple[tuple[str, str], ...]) -> str:
        return check_query(text, dict(prefixes))

    def handle(request: dict[str, Any]) -> tuple[Any, ...]:
        path = request.get("store") or opened["path"]
        if path != opened["path"]:
            opened["store"] = None  # close the previous view before opening the next
            opened["store"], opened["path"] = ox.Store.read_only(path), path
        try:
            checked(request["text"], tuple(sorted((request.get("prefixes") or {}).items())))
            return _answer(opened["store"], request)
        except UpdateRefused as exc:
            return ("error", "update", str(exc))
        except ServiceRefused as exc:
            return ("error", "service", str(exc))
        except SparqlSyntaxError as exc:
            return ("error", "syntax", str(exc))
        except SyntaxError as exc:
            return ("error", "syntax", f"not a SPARQL query: {_one_line(exc)}")
        except RecursionError:
            return ("error", "syntax", "not a SPARQL query: nested too deeply to parse")

    return handle


# --------------------------------------------------------------------------- engine


DEFAULT_TIMEOUT_S = 5.0
DEFAULT_ROW_CAP = 1000
DEFAULT_MAX_QUERY_BYTES = 20_000
DEFAULT_MAX_DEPTH = 24
#: Queries answered at once, each in its own worker process (a process holds the store open
#: and rdflib loaded, 60-80 MB).
DEFAULT_MAX_WORKERS = 4
#: A query still running after this long gets its worker's ``worker_nice`` (see SparqlEngine).
#: Quick queries take a few ms, but on a busy machine up to a few hundred: a lower priority
#: then starves them past their time limit.
DEMOTE_AFTER_S = 1.0
#: Answers kept per engine (for its current store): the largest one, and all of them, in bytes.
ANSWER_CACHE_ENTRY_BYTES = 1_000_000
ANSWER_CACHE_BYTES = 16_000_000


class SparqlEngine:
    """Read-only SPARQL over an RDF graph, held in an on-disk Oxigraph store.

    ``SparqlEngine(graph)`` loads an rdflib graph (e.g. :func:`helsegraf.graph.rdf.export_rdf`'s
    output) into a temporary store; :meth:`for_store` keeps the store in the data directory and
    rebuilds it only when the property graph changed. Use as a context manager or call
    :meth:`close` to stop the worker processes. Safe to query from many threads at once.
    ``worker_nice`` lowers the CPU priority of a worker whose query has run for
    :data:`DEMOTE_AFTER_S` (the API: below its request threads), so a slow parse or query
    takes only the CPU the others leave; that worker is then not used again.
    """

    def __init__(
        self,
        graph: Graph | None = None,
        *,
        store_path: Path | str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        row_cap: int = DEFAULT_ROW_CAP,
        prefixes: Mapping[str, str] | None = None,
        max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES,
        max_depth: int = DEFAULT_MAX_DEPTH,
        max_workers: int = DEFAULT_MAX_WORKERS,
        worker_nice: int = 0,
    ) -> None:
        self.timeout_s = timeout_s
        self.worker_nice = worker_nice
        self.row_cap = row_cap
        self.max_query_bytes = max_query_bytes
        self.max_depth = max_depth
        self.max_workers = max(1, max_workers)
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
        self._pool = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._busy = 0
        self._starting = 0
        self._closed = False
        # Answers of the current store: the same query over the same data is the same answer.
        self._answers: OrderedDict[tuple[Any, ...], SparqlResult] = OrderedDict()
        self._answer_bytes = 0
        self._answers_lock = threading.Lock()

    # ---------------------------------------------------------------- building

    @classmethod
    def for_store(
        cls, store: GraphStore, settings: Settings | None = None, *, rebuild: bool = False
    ) -> SparqlEngine:
        """An engine over the RDF export of ``store``, cached in ``<data_dir>/rdf/``.

        The cache is keyed by :func:`graph_fingerprint`; a changed graph gets a new store and
        old ones are removed (:func:`build_view`, here in the calling process).
        """
        from helsegraf.core.config import get_settings

        settings = settings or get_settings()
        path, prefixes = build_view(store, settings, rebuild=rebuild)
        return cls(store_path=path, prefixes=prefixes, **engine_options(settings))

    def retarget(self, store_path: Path | str, prefixes: Mapping[str, str]) -> None:
        """Answer from another on-disk store (a rebuilt view) from now on: the worker
        processes stay and open it with their next query; queries on their way finish on the
        previous one."""
        with self._answers_lock:
            self.prefixes = dict(prefixes)
            self.store_path = Path(store_path)
            self._answers.clear()
            self._answer_bytes = 0

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
        check_size(text, self.max_query_bytes, self.max_depth)
        limit = self.timeout_s if timeout_s is None else timeout_s
        with self._answers_lock:  # the store and its prefixes together (see retarget)
            store, prefixes = str(self.store_path), self.prefixes
        request: dict[str, Any] = {
            "store": store,
            "text": text,
            "prefixes": prefixes,
            "bindings": {k: v.n3() for k, v in (bindings or {}).items()},
            "row_cap": row_cap or self.row_cap,
        }
        key = (
            request["store"],
            text,
            tuple(sorted(request["bindings"].items())),
            request["row_cap"],
        )
        with self._answers_lock:
            cached = self._answers.get(key)
            if cached is not None:
                self._answers.move_to_end(key)
                return cached
        result = self._ask(request, limit)
        self._keep(key, result)
        return result

    def _keep(self, key: tuple[Any, ...], result: SparqlResult) -> None:
        size = len(result.payload) + len(key[1])
        if size > ANSWER_CACHE_ENTRY_BYTES:
            return
        with self._answers_lock:
            if key[0] != str(self.store_path) or key in self._answers:
                return  # the view moved on while the query ran
            self._answers[key] = result
            self._answer_bytes += size
            while self._answer_bytes > ANSWER_CACHE_BYTES:
                (_, text, *_), dropped = self._answers.popitem(last=False)
                self._answer_bytes -= len(dropped.payload) + len(text)

    def _ask(self, request: dict[str, Any], limit: float) -> SparqlResult:
        """Send ``request`` to a worker and turn its answer into a result (or an error)."""
        worker = self._acquire(limit)
        ok = demoted = False
        try:
            started = time.perf_counter()
            try:
                worker.send(request)
                if self.worker_nice > 0 and not worker.ready(min(limit, DEMOTE_AFTER_S)):
                    # A long parse or query: from now on it takes the CPU the others leave.
                    # Its worker is not used again (a process cannot raise its priority back).
                    worker.renice(self.worker_nice)
                    demoted = True
                answer = worker.receive(max(0.0, limit - (time.perf_counter() - started)))
            except WorkerTimeout:
                raise QueryTimeout(
                    f"the query ran over its time limit of {limit:g} s and was stopped"
                ) from None
            except WorkerDied:
                raise HelsegrafError("the SPARQL worker stopped while answering") from None
            elapsed = time.perf_counter() - started
            ok = not demoted
        finally:
            self._release(worker, ok)
        if answer[0] == "error":
            if answer[1] == "update":
                raise UpdateRefused(answer[2])
            if answer[1] == "service":
                raise ServiceRefused(answer[2])
            if answer[1] == "syntax":
                message = answer[2]
                if not message.startswith("not a SPARQL query"):
                    message = f"not a SPARQL query: {message}"
                raise SparqlSyntaxError(message)
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

    def _acquire(self, wait_s: float) -> WorkerProcess:
        """An idle worker, a new one while fewer than ``max_workers`` are busy, or the first
        to come free within ``wait_s``."""
        deadline = time.monotonic() + wait_s
        with self._pool:
            while True:
                if self._closed:
                    # Replaced while this query came in: it gets a worker of its own.
                    self._busy += 1
                    break
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        self._busy += 1
                        self._top_up()
                        return worker
                if self._busy + self._starting < self.max_workers:
                    self._busy += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout(
                        f"every SPARQL worker stayed busy for {wait_s:g} s; try again later"
                    )
                self._pool.wait(remaining)
        try:
            worker = self._start_worker()
        except WorkerDied as exc:
            self._release(None, False)
            raise HelsegrafError(str(exc), path=str(self.store_path)) from None
        with self._pool:
            self._top_up()
        return worker

    def _start_worker(self) -> WorkerProcess:
        return WorkerProcess("helsegraf.graph.sparql:sparql_worker", [str(self.store_path)])

    def _top_up(self) -> None:
        """Start a spare worker in the background when none is idle (call holding the pool
        lock): the next query then waits for no process to start (1-2 s)."""
        if self._idle or self._closed or self._busy + self._starting >= self.max_workers:
            return
        self._starting += 1

        def start() -> None:
            worker = None
            try:
                worker = self._start_worker()
            except WorkerDied as exc:
                log.warning("a spare SPARQL worker did not start: %s", exc)
            with self._pool:
                self._starting -= 1
                if worker is not None and not self._closed:
                    self._idle.append(worker)
                    worker = None
                self._pool.notify()
            if worker is not None:
                worker.stop()

        threading.Thread(target=start, name="sparql-spare", daemon=True).start()

    def _release(self, worker: WorkerProcess | None, reuse: bool) -> None:
        with self._pool:
            self._busy -= 1
            keep = worker is not None and reuse and not self._closed and worker.alive()
            if keep and worker is not None:
                self._idle.append(worker)
            self._pool.notify()
        if worker is not None and not keep:
            worker.kill()

    def close(self) -> None:
        """Stop the idle worker processes (busy ones stop when their query ends) and remove a
        temporary store."""
        with self._pool:
            self._closed = True
            idle, self._idle = self._idle, []
            self._pool.notify_all()
        for worker in idle:
            worker.stop()
        if self._tmpdir is not None and self._busy == 0:
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


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another process
        return 0.0


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
    codebook file's hash), all read through read-only Cypher, and the store's write counter
    where it keeps one (FalkorDB), which every write moves. On a store without a counter, a
    change none of the others shows (an edited property with the same counts) needs
    ``for_store(..., rebuild=True)``.
    """
    from helsegraf import __version__

    parts: list[Any] = [__version__]
    revision = getattr(store, "revision", None)
    if callable(revision):
        parts.append(revision())
    else:
        generation = getattr(store, "generation", None)
        parts.append(generation() if callable(generation) else None)
        parts.append(sorted(store.counts().items()))
        from helsegraf.graph.rdf import document_signature

        parts.append(document_signature(store))
    raw = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def engine_options(settings: Settings) -> dict[str, Any]:
    """The :class:`SparqlEngine` keyword arguments the settings give (limits)."""
    return {
        "timeout_s": settings.query_timeout_ms / 1000,
        "row_cap": settings.row_cap,
        "max_query_bytes": settings.max_query_bytes,
        "max_depth": settings.max_query_depth,
    }


def build_view(
    store: GraphStore, settings: Settings, *, rebuild: bool = False
) -> tuple[Path, dict[str, str]]:
    """The on-disk Oxigraph store of ``store``'s RDF export, built unless it is there: its
    path (``<data_dir>/rdf/oxigraph-<fingerprint>``) and the prefixes of the export.

    The store is built beside its final place and renamed, so a concurrent reader never sees
    a half-built one; the previous store stays (an engine replaced a moment ago may still
    answer from it), older ones are removed.
    """
    from helsegraf.graph import rdf

    base = Path(settings.data_dir) / "rdf"
    key = graph_fingerprint(store)
    path = base / f"oxigraph-{key}"
    if rebuild or not (path / ".complete").exists():
        base.mkdir(parents=True, exist_ok=True)
        with (base / ".build.lock").open("a") as lock:
            # One build at a time per data directory: a process that waited here (another
            # server process's builder, after the same write) finds the view built.
            fcntl.flock(lock, fcntl.LOCK_EX)
            key = graph_fingerprint(store)
            path = base / f"oxigraph-{key}"
            if rebuild or not (path / ".complete").exists():
                _build_view(rdf.export_rdf(store), base, key, path)
    try:
        prefixes = json.loads((path / _PREFIXES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        prefixes = _default_prefixes()
    return path, prefixes


def _build_view(graph: Graph, base: Path, key: str, path: Path) -> None:
    """Write ``graph`` as the view ``path`` (see :func:`build_view`)."""
    prefixes = _graph_prefixes(graph)
    tmp = base / f".building-{key}-{os.getpid()}"
    build_oxigraph_store(graph, tmp)
    del graph
    (tmp / _PREFIXES_FILE).write_text(json.dumps(prefixes), encoding="utf-8")
    (tmp / ".complete").write_text(key)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    try:
        tmp.rename(path)
    except OSError:  # built by someone else meanwhile: use theirs
        shutil.rmtree(tmp, ignore_errors=True)
    older = sorted((p for p in base.glob("oxigraph-*") if p != path), key=_mtime, reverse=True)
    for old in older[1:]:
        shutil.rmtree(old, ignore_errors=True)


_PREFIXES_FILE = "prefixes.json"


def view_builder() -> Callable[[Any], Any]:
    """Worker process factory (see :mod:`helsegraf.core.workers`): the function that builds
    the RDF view of the store a request's :class:`Settings` name (:func:`build_view`) and
    answers ``("view", path, prefixes)``. The API runs it outside its own process, so the
    export (seconds of Python for the whole graph) never holds the request threads."""
    import gc

    from helsegraf.graph.store import open_store

    opened: dict[tuple[str, ...], GraphStore] = {}

    def handle(settings: Settings) -> tuple[Any, ...]:
        ident = (
            settings.backend,
            str(settings.data_dir),
            settings.graph_name,
            str(settings.neo4j_uri),
            settings.neo4j_database,
        )
        store = opened.get(ident)
        if store is None:
            store = opened[ident] = open_store(settings)
        path, prefixes = build_view(store, settings)
        gc.collect()  # the export's graph: give its memory back before the next one
        return ("view", str(path), prefixes)

    return handle


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
