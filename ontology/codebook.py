"""The codebook: themes, patient groups, challenges and measures, read from SKOS Turtle.

``ontology/codebook.ttl`` is the source of truth (see docs/ontology.md and
docs/adr/0002-codebook-as-skos.md). :func:`load_codebook` parses it with rdflib into plain
:class:`Concept` records; the default file is parsed once per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from helsegraf.core.errors import HelsegrafError
from helsegraf.ontology import ONTOLOGY_DIR

HG = Namespace("https://w3id.org/helsegraf/ontology#")
"""The ontology namespace (classes and properties)."""
HGID = Namespace("https://w3id.org/helsegraf/id/")
"""The namespace of data IRIs (concepts, actors, documents, statements ...)."""

DEFAULT_PATH = ONTOLOGY_DIR / "codebook.ttl"
SCHEMES = ("tema", "pasientgruppe", "utfordring", "tiltak")
OTHER_SLUG = "annet"


def concept_iri(concept_id: str) -> URIRef:
    """Return the IRI of a concept id, e.g. ``utfordring/rekruttering``."""
    return HGID[concept_id]


@dataclass(frozen=True, slots=True)
class Concept:
    """One codebook concept.

    ``id`` is the full id (``utfordring/rekruttering``), ``scheme`` one of ``tema``,
    ``pasientgruppe``, ``utfordring``, ``tiltak``; ``label`` the bokmål preferred label;
    ``phrasings`` the alternative labels (matching hints); ``themes`` theme ids; ``addresses``
    (measures only) the challenge ids the measure answers.
    """

    id: str
    scheme: str
    label: str
    phrasings: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    note: str | None = None
    iri: str = ""

    def __hash__(self) -> int:  # lists make the generated hash fail; the id is unique
        return hash(self.id)

    @property
    def slug(self) -> str:
        """The id without its scheme (``rekruttering``)."""
        return self.id.partition("/")[2]

    @property
    def is_other(self) -> bool:
        """True for the catch-all concepts ``utfordring/annet`` and ``tiltak/annet``."""
        return self.slug == OTHER_SLUG


def _sort_key(c: Concept) -> tuple[int, bool, str]:
    return (SCHEMES.index(c.scheme), c.is_other, c.id)


class Codebook:
    """All concepts of the codebook, by id, with lookups by scheme, theme and short id."""

    def __init__(self, concepts: dict[str, Concept], path: Path | None = None) -> None:
        self.path = path
        self.concepts: dict[str, Concept] = dict(
            sorted(concepts.items(), key=lambda kv: _sort_key(kv[1]))
        )
        self._by_slug: dict[str, list[str]] = {}
        self._by_iri: dict[str, str] = {}
        for c in self.concepts.values():
            self._by_slug.setdefault(c.slug, []).append(c.id)
            self._by_iri[c.iri] = c.id

    # -- by scheme ---------------------------------------------------------------------

    def scheme(self, name: str) -> list[Concept]:
        """Concepts of one scheme, sorted by id with ``…/annet`` last."""
        return [c for c in self.concepts.values() if c.scheme == name]

    def themes(self) -> list[Concept]:
        return self.scheme("tema")

    def patient_groups(self) -> list[Concept]:
        return self.scheme("pasientgruppe")

    def challenges(self) -> list[Concept]:
        return self.scheme("utfordring")

    def measures(self) -> list[Concept]:
        return self.scheme("tiltak")

    # -- lookups -----------------------------------------------------------------------

    def resolve(self, key: str) -> str:
        """Return the full id for a full id, a concept IRI or an unambiguous short id.

        Raises :class:`HelsegrafError` for an unknown or ambiguous key.
        """
        key = key.strip()
        if key in self.concepts:
            return key
        if key in self._by_iri:
            return self._by_iri[key]
        ids = self._by_slug.get(key, [])
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise HelsegrafError(f"'{key}' is ambiguous: {', '.join(ids)}")
        raise HelsegrafError(f"'{key}' is not a codebook concept")

    def get(self, key: str) -> Concept | None:
        """Return the concept for a full id, IRI or unambiguous short id, else None."""
        try:
            return self.concepts[self.resolve(key)]
        except HelsegrafError:
            return None

    def by_theme(self, theme_id: str) -> list[Concept]:
        """Challenges and measures that belong to the theme."""
        return [c for c in self.concepts.values() if theme_id in c.themes]

    def measures_for(self, challenge_id: str) -> list[Concept]:
        """Measures whose ``addresses`` name the challenge."""
        return [c for c in self.measures() if challenge_id in c.addresses]

    def __getitem__(self, key: str) -> Concept:
        return self.concepts[self.resolve(key)]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts.values())

    def __len__(self) -> int:
        return len(self.concepts)


def _text(values: list[Literal]) -> str | None:
    """Prefer a bokmål literal, then an untagged one, then any."""
    for want in ("nb", None):
        for v in values:
            if v.language == want:
                return str(v)
    return str(values[0]) if values else None


def parse_codebook(path: Path) -> Codebook:
    """Parse a SKOS codebook file (no caching). Raises HelsegrafError when it is unusable."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise HelsegrafError("codebook file not found", str(path)) from exc
    except Exception as exc:  # rdflib raises many parser-specific types
        raise HelsegrafError(f"cannot parse codebook Turtle: {exc}", str(path)) from exc

    def notation(node: Node) -> str:
        n = graph.value(node, SKOS.notation)
        if n is not None:
            return str(n)
        if str(node).startswith(str(HGID)):
            return str(node)[len(str(HGID)) :]
        raise HelsegrafError(f"<{node}> has no skos:notation", str(path))

    concepts: dict[str, Concept] = {}
    # only IRIs are concepts; filtering before sorting keeps rdflib's order of the IRIs
    concept_nodes = {n for n in graph.subjects(RDF.type, SKOS.Concept) if isinstance(n, URIRef)}
    for node in sorted(concept_nodes):
        cid = notation(node)
        scheme_node = graph.value(node, SKOS.inScheme)
        scheme = notation(scheme_node) if isinstance(scheme_node, URIRef) else cid.partition("/")[0]
        if scheme not in SCHEMES:
            raise HelsegrafError(f"{cid}: unknown scheme '{scheme}'", str(path))
        # skos:prefLabel and skos:scopeNote values are literals
        label = _text(cast("list[Literal]", list(graph.objects(node, SKOS.prefLabel))))
        if not label:
            raise HelsegrafError(f"{cid}: no skos:prefLabel", str(path))
        concepts[cid] = Concept(
            id=cid,
            scheme=scheme,
            label=label,
            phrasings=sorted(str(v) for v in graph.objects(node, SKOS.altLabel)),
            themes=sorted(notation(t) for t in graph.objects(node, HG.inTheme)),
            addresses=sorted(notation(t) for t in graph.objects(node, HG.addresses)),
            note=_text(cast("list[Literal]", list(graph.objects(node, SKOS.scopeNote)))),
            iri=str(node),
        )
    if not concepts:
        raise HelsegrafError("no skos:Concept in the codebook", str(path))
    for c in concepts.values():
        for ref in (*c.themes, *c.addresses):
            if ref not in concepts:
                raise HelsegrafError(f"{c.id}: links to unknown concept '{ref}'", str(path))
    return Codebook(concepts, path)


@lru_cache(maxsize=1)
def _default_codebook() -> Codebook:
    return parse_codebook(DEFAULT_PATH)


def load_codebook(path: Path | None = None) -> Codebook:
    """Return the codebook in ``path`` (default: ``ontology/codebook.ttl``, parsed once)."""
    if path is None:
        return _default_codebook()
    return parse_codebook(Path(path))


load_codebook.cache_clear = _default_codebook.cache_clear  # type: ignore[attr-defined]
