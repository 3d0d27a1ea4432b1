"""The named query catalog: every ``queries/*.cypher`` and ``queries/*.rq`` file, by name.

Each file starts with a comment block (``//`` for Cypher, ``#`` for SPARQL)::

    // name: actors_raising_challenge
    // description: Actors whose voices raise a challenge, with quote and document
    // params: challenge (str) codebook id, e.g. utfordring/rekruttering; limit (int = 100) most rows

``params`` lists parameters separated by ``,`` or ``;``, each ``name``, optionally followed by
``(type)`` or ``(type = default)`` and a description. ``params: none`` declares none.

A file ``<name>.<dialect>.cypher`` (e.g. ``path_between_actors.falkordb.cypher``) is a variant of
``<name>`` for one engine; :meth:`NamedQuery.text_for` picks it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from helsegraf.core.errors import HelsegrafError

QUERIES_DIR = Path(__file__).resolve().parent
DIALECTS = ("falkordb", "neo4j")

_HEADER = re.compile(r"^\s*(?://|#)\s*(name|description|params?)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_PARAM = re.compile(
    r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*"
    r"(?:\(\s*(?P<type>[a-z]+)\s*(?:=\s*(?P<default>[^)]*?))?\s*\))?\s*(?P<doc>.*)$"
)


class QueryParam(BaseModel):
    """One declared parameter of a named query."""

    name: str
    type: str = "str"
    default: Any = None
    description: str = ""


class NamedQuery(BaseModel):
    """A query of the catalog."""

    name: str
    language: Literal["cypher", "sparql"]
    text: str = Field(description="the portable text (the Neo4j/openCypher form for Cypher)")
    description: str
    params: list[str] = Field(default_factory=list, description="parameter names, in order")
    param_specs: list[QueryParam] = Field(default_factory=list)
    variants: dict[str, str] = Field(
        default_factory=dict, description="engine dialect -> text, where an engine needs its own"
    )
    path: str = ""

    def text_for(self, dialect: str) -> str:
        """The text to run on ``dialect`` (``falkordb`` or ``neo4j``)."""
        return self.variants.get(dialect, self.text)

    @property
    def required(self) -> list[str]:
        """Parameters without a declared default: a run must give them."""
        return [p.name for p in self.param_specs if p.default is None]

    def missing(self, values: dict[str, Any]) -> list[str]:
        """Required parameters that ``values`` leaves out or gives empty."""
        return [p for p in self.required if values.get(p) in (None, "")]

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        """Parameters for running: given values, declared defaults for the missing ones.

        Raises HelsegrafError for a parameter the query does not declare.
        """
        unknown = set(values) - set(self.params)
        if unknown:
            raise HelsegrafError(
                f"query {self.name} has no parameter(s) {', '.join(sorted(unknown))}"
            )
        out: dict[str, Any] = {}
        for spec in self.param_specs:
            value = values.get(spec.name, spec.default)
            if value is None:
                value = 0 if spec.type == "int" else ""
            out[spec.name] = _coerce(value, spec.type, self.name, spec.name)
        return out


def _coerce(value: Any, type_name: str, query: str, name: str) -> Any:
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    except (TypeError, ValueError):
        raise HelsegrafError(
            f"query {query}: parameter {name} must be {type_name}, got {value!r}"
        ) from None
    return value if not isinstance(value, str) or type_name != "str" else str(value)


def _parse_default(raw: str | None, type_name: str) -> Any:
    if raw is None:
        return None
    raw = raw.strip().strip("\"'")
    return _coerce(raw, type_name, "", "") if raw != "" else ""


def parse_params(text: str) -> list[QueryParam]:
    """Parse a ``params:`` value into parameter specs."""
    text = text.strip()
    if not text or text.lower() in ("none", "-"):
        return []
    specs = []
    # "a, b" (names only) or "a (str) text, more text; b (int = 5) text"
    separator = ";" if ";" in text or "(" in text else ","
    for part in text.split(separator):
        part = part.strip()
        if not part:
            continue
        m = _PARAM.match(part)
        if not m:
            raise ValueError(f"cannot read parameter {part!r}")
        type_name = m.group("type") or "str"
        specs.append(
            QueryParam(
                name=m.group("name"),
                type=type_name,
                default=_parse_default(m.group("default"), type_name),
                description=m.group("doc").strip(" -—:"),
            )
        )
    return specs


def parse_file(path: Path) -> tuple[str | None, NamedQuery]:
    """Read one query file: (dialect of a variant file or None, the query)."""
    language: Literal["cypher", "sparql"] = "cypher" if path.suffix == ".cypher" else "sparql"
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[QueryParam] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _HEADER.match(line)
        if m:
            key = m.group(1).lower()
            if key.startswith("param"):
                params.extend(parse_params(m.group(2)))
            else:
                fields[key] = m.group(2)
            continue
        if line.lstrip().startswith(("//", "#")):
            continue
        break
    stem = path.name.split(".")[0]
    dialect = path.name.split(".")[1] if path.name.count(".") == 2 else None
    if dialect is not None and dialect not in DIALECTS:
        raise HelsegrafError(f"unknown dialect {dialect!r}", path=str(path))
    name = fields.get("name") or stem
    if name != stem:
        raise HelsegrafError(f"name {name!r} does not match the file name", path=str(path))
    if "description" not in fields:
        raise HelsegrafError("no '// description:' line", path=str(path))
    return dialect, NamedQuery(
        name=name,
        language=language,
        text=text,
        description=fields["description"],
        params=[p.name for p in params],
        param_specs=params,
        path=str(path),
    )


#: Parameters that name a codebook concept, and the concept scheme whose id prefix the short
#: form (``rekruttering`` for ``utfordring/rekruttering``) leaves out.
CONCEPT_PARAMS = {
    "challenge": "utfordring",
    "measure": "tiltak",
    "theme": "tema",
    "patient_group": "pasientgruppe",
}


def expand_concept_ids(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with short concept ids made full, as the API takes them:
    ``{"challenge": "rekruttering"}`` -> ``{"challenge": "utfordring/rekruttering"}``."""
    out = dict(values)
    for name, scheme in CONCEPT_PARAMS.items():
        value = out.get(name)
        if isinstance(value, str) and value.strip() and "/" not in value.strip().strip("/"):
            out[name] = f"{scheme}/{value.strip().strip('/')}"
    return out


@lru_cache(maxsize=1)
def _load(directory: str) -> dict[tuple[str, str], NamedQuery]:
    base: dict[tuple[str, str], NamedQuery] = {}
    variants: list[tuple[str, NamedQuery]] = []
    for path in sorted(Path(directory).iterdir()):
        if path.suffix not in (".cypher", ".rq") or path.name.startswith("."):
            continue
        dialect, nq = parse_file(path)
        if dialect is None:
            base[(nq.language, nq.name)] = nq
        else:
            variants.append((dialect, nq))
    for dialect, nq in variants:
        target = base.get((nq.language, nq.name))
        if target is None:
            raise HelsegrafError(f"variant without a base query {nq.name}", path=nq.path)
        target.variants[dialect] = nq.text
    return base


@lru_cache(maxsize=1)
def norwegian_descriptions() -> dict[str, str]:
    """Name -> bokmål description of the queries (``queries/beskrivelser.yaml``), for the page."""
    import yaml

    data = yaml.safe_load((QUERIES_DIR / "beskrivelser.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in (data or {}).items()}


def all() -> list[NamedQuery]:
    """Every named query (Cypher first, then SPARQL), sorted by name."""
    return sorted(_load(str(QUERIES_DIR)).values(), key=lambda q: (q.language, q.name))


def get(name: str, language: str | None = None) -> NamedQuery:
    """The named query ``name`` (the Cypher one if both a .cypher and an .rq exist).

    Raises KeyError for an unknown name.
    """
    queries = _load(str(QUERIES_DIR))
    for lang in (language,) if language else ("cypher", "sparql"):
        if (lang, name) in queries:
            return queries[(lang, name)]
    raise KeyError(name)
