"""RDF view of the property graph: export, import and SHACL validation.

:func:`export_rdf` reads the whole property graph through read-only Cypher (every node with its
labels and properties, every relationship) and writes it in the ontology's terms
(docs/ontology.md): actors as W3C ORG organisations typed with their ``hg:`` class, documents
with Dublin Core terms, statements and example mentions as Web Annotations whose target is the
quoted span of the document (``oa:TextQuoteSelector`` + ``oa:TextPositionSelector``), and
provenance with PROV-O. The codebook (``ontology/codebook.ttl``) is included as it is.

The mapping is generic: a label, property or relationship type the mapping does not know is
still exported (``hg:<Label>``, ``hg:<property>``, ``hg:<relationshipType>``), and a
relationship property that cannot be derived from the nodes (e.g. the document an ``INVOLVES``
edge came from) is kept on an ``rdf:Statement`` that reifies the edge. :func:`import_rdf` is the
inverse, so export -> import into a fresh store -> export gives an isomorphic graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS
from rdflib.term import Node as RDFNode

from helsegraf.core.errors import HelsegrafError
from helsegraf.graph.counts import CONCEPT_EDGES, KEPT_RELS
from helsegraf.graph.counts import KEPT as KEPT_COUNTS
from helsegraf.ingest.models import ActorType
from helsegraf.ontology import ONTOLOGY_DIR

if TYPE_CHECKING:
    from helsegraf.graph.store import GraphStore

HG = Namespace("https://w3id.org/helsegraf/ontology#")
HGID = Namespace("https://w3id.org/helsegraf/id/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")

PREFIXES: dict[str, str] = {
    "hg": str(HG),
    "hgid": str(HGID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "oa": str(OA),
    "org": str(ORG),
}

ACTOR_TYPES: frozenset[str] = frozenset(get_args(ActorType))
CONCEPT_LABELS: dict[str, str] = {
    "Utfordring": "utfordring",
    "Tiltak": "tiltak",
    "Tema": "tema",
    "Pasientgruppe": "pasientgruppe",
}
#: Labels that are bookkeeping of the store, not data. (The ``:Meta`` node of the reference
#: data's version is exported: an import must not load the reference data again over it.)
SKIPPED_LABELS: frozenset[str] = frozenset()
#: Extra classes that come with a label (besides ``hg:<Label>``).
EXTRA_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "Aktør": (ORG.Organization,),
    "Sykehus": (ORG.OrganizationalUnit,),
    "Utsagn": (OA.Annotation,),
    **{label: (SKOS.Concept,) for label in CONCEPT_LABELS},
}
#: rdf:type values that do not name a label on import.
_NON_LABEL_CLASSES = {OA.Annotation, SKOS.Concept}


@dataclass(frozen=True)
class Prop:
    """How one node property is written: predicate and value kind.

    Kinds: ``str`` plain string, ``lang`` string tagged with the document's language, ``int``
    xsd:integer, ``float`` xsd:double, ``date`` xsd:date (xsd:gYear / plain when not a full date), ``list`` one plain
    string per item, ``node`` an IRI made from an id (``hgid:`` + value), ``scheme`` the
    concept scheme IRI.
    """

    predicate: URIRef
    kind: str = "str"


_COMMON = {"id": Prop(DCTERMS.identifier)}
_ACTOR = {
    "name": Prop(RDFS.label),
    "aliases": Prop(SKOS.altLabel, "list"),
    "kommunenummer": Prop(HG.kommunenummer),
    "fylkesnummer": Prop(HG.fylkesnummer),
    "orgnr": Prop(HG.orgnr),
    "valid_from": Prop(HG.validFrom),
    "valid_to": Prop(HG.validTo),
    "source": Prop(HG.source),
}
_DOCUMENT = {
    "name": Prop(HG.fileName),
    "title": Prop(DCTERMS.title, "lang"),
    "date": Prop(DCTERMS.date, "date"),
    "language": Prop(DCTERMS.language),
    "kind": Prop(HG.documentKind),
    "format": Prop(DCTERMS.format),
    "pages": Prop(HG.pageCount, "int"),
    "sha256": Prop(HG.sha256),
    "source": Prop(DCTERMS.source, "iri"),
}
_VOICE = {
    "voice": Prop(HG.voiceKey),
    "note": Prop(RDFS.comment),
    "line_from": Prop(HG.lineFrom, "int"),
    "line_to": Prop(HG.lineTo, "int"),
}
_CONCEPT = {
    "label": Prop(SKOS.prefLabel, "nb"),
    "scheme": Prop(SKOS.inScheme, "scheme"),
    "source": Prop(HG.source),
}
_EXAMPLE = {
    "name": Prop(RDFS.label),
    "aliases": Prop(SKOS.altLabel, "list"),
    "description": Prop(DCTERMS.description),
}
_PLACE = {"name": Prop(RDFS.label)}
# Statement properties that are not about the quote (the quote, its offsets and the links to
# document, voice, concept and software are written by _statement()).
_STATEMENT = {
    "label": Prop(HG.topic, "lang"),
    "responsible": Prop(HG.responsible, "list"),
    "when": Prop(HG.when),
    "theme": Prop(HG.inTheme, "node"),
    "status": Prop(HG.reviewStatus),
    # what made the coding (rules, model, reviewer) and the statement model's probability
    "coded_by": Prop(HG.codedBy),
    "confidence": Prop(HG.confidence, "float"),
    # set by review (helsegraf.review): when a reviewer last decided on the coding
    "reviewed_at": Prop(DCTERMS.modified),
}
_STATEMENT_SPECIAL = frozenset(
    {
        "kind",
        "concept",
        "quote",
        "line",
        "start",
        "end",
        "page",
        "doc_id",
        "voice_id",
        "assigned_by",
    }
)

PROPS_BY_LABEL: dict[str, dict[str, Prop]] = {
    "Aktør": _ACTOR,
    **{t: _ACTOR for t in ACTOR_TYPES},
    "Dokument": _DOCUMENT,
    "Stemme": _VOICE,
    **{label: _CONCEPT for label in CONCEPT_LABELS},
    "Eksempel": _EXAMPLE,
    "Sted": _PLACE,
    "Utsagn": _STATEMENT,
}
#: Properties that are written another way (as a class, or derived from the structure).
DERIVED_PROPS: dict[str, frozenset[str]] = {
    "Aktør": frozenset({"type", *KEPT_COUNTS["Aktør"]}),
    "Stemme": frozenset({"doc_id"}),
    "Utsagn": _STATEMENT_SPECIAL,
    # Counts kept for the list queries (graph/counts.py): recounted on import.
    "Dokument": frozenset(KEPT_COUNTS["Dokument"]),
    "Eksempel": frozenset(KEPT_COUNTS["Eksempel"]),
    **{label: frozenset(KEPT_COUNTS[label]) for label in CONCEPT_EDGES},
}

#: relationship type -> (predicate, reversed: the RDF subject is the relationship's end node)
RELATIONSHIPS: dict[str, tuple[URIRef, bool]] = {
    "HAS_VOICE": (HG.hasVoice, False),
    "AUTHORED": (HG.authoredBy, True),
    "MENTIONS": (HG.mentions, False),
    "STATES": (HG.states, False),
    "CODED_AS": (HG.codedAs, False),
    "RAISES": (HG.raises, False),
    "PROPOSES": (HG.proposes, False),
    "INVOLVES": (HG.involves, False),
    "FOR_GROUP": (HG.forGroup, False),
    "LOCATED_IN": (HG.locatedIn, False),
    "IN_THEME": (HG.inTheme, False),
    "ADDRESSES": (HG.addresses, False),
    "IN_FYLKE": (HG.inFylke, False),
    "MEMBER_OF": (HG.memberOf, False),
    "SUCCEEDED_BY": (HG.succeededBy, False),
    "PART_OF": (HG.partOf, False),
}
_REL_BY_PREDICATE = {pred: (rtype, rev) for rtype, (pred, rev) in RELATIONSHIPS.items()}

_LABEL_RE = re.compile(r"^[^\W\d]\w*$")
_REL_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


# --------------------------------------------------------------------------- small helpers


def node_iri(node_id: str) -> URIRef:
    """The IRI of a graph node: ``hgid:`` + its id.

    Non-ASCII letters stay as they are (IRIs allow them); characters outside the IRI grammar
    (spaces, ``<>"{}|\\^``` and controls) and ``%`` are percent-encoded.
    """
    return URIRef(str(HGID) + "".join(_IRI_ESCAPES.get(c, c) for c in node_id))


_IRI_ESCAPES = {
    c: quote(c, safe="") for c in [chr(i) for i in range(0x21)] + list(' <>"{}|\\^`%') + ["\x7f"]
}


def concept_iri(concept_id: str) -> URIRef | None:
    """The IRI of a codebook concept id (``utfordring/rekruttering``), or None if not one."""
    scheme, sep, slug = concept_id.partition("/")
    if not sep or scheme not in CONCEPT_LABELS.values() or not slug:
        return None
    return node_iri(concept_id)


def _id_of(iri: RDFNode, g: Graph) -> str | None:
    ident = g.value(iri, DCTERMS.identifier)
    if ident is not None:
        return str(ident)
    s = str(iri)
    if s.startswith(str(HGID)):
        from urllib.parse import unquote

        return unquote(s[len(str(HGID)) :])
    return None


def agent_iri(assigned_by: str) -> tuple[URIRef, URIRef]:
    """IRI and class of whoever assigned a coding.

    ``helsegraf <version>`` is a ``prov:SoftwareAgent``; anything else is a reviewer, a
    ``prov:Person`` known only by an opaque IRI (names of persons never enter the export).
    """
    if assigned_by.startswith("helsegraf"):
        slug = re.sub(r"[^0-9A-Za-z.]+", "-", assigned_by.strip()).strip("-").lower()
        return HGID[f"programvare/{slug}"], PROV.SoftwareAgent
    if re.fullmatch(r"[a-z]+/[0-9a-f]{8,64}", assigned_by):
        return node_iri(assigned_by), PROV.Person
    digest = hashlib.sha256(assigned_by.encode()).hexdigest()[:16]
    return HGID[f"vurderer/{digest}"], PROV.Person


def _date_literal(value: str) -> Literal:
    try:
        dt.date.fromisoformat(value)
        return Literal(value, datatype=XSD.date)
    except ValueError:
        if re.fullmatch(r"\d{4}", value):
            return Literal(value, datatype=XSD.gYear)
        return Literal(value)


def _plain(value: Any) -> Literal:
    """A typed literal for a property value the mapping does not know."""
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(value, datatype=XSD.double)
    if isinstance(value, list | dict):
        return Literal(json.dumps(value, ensure_ascii=False, sort_keys=True), datatype=RDF.JSON)
    return Literal(str(value))


def _from_plain(lit: Literal) -> Any:
    if lit.datatype == RDF.JSON:
        return json.loads(str(lit))
    if lit.datatype in (XSD.integer, XSD.nonNegativeInteger, XSD.int, XSD.long):
        return int(lit)
    if lit.datatype == XSD.double:
        return float(lit)
    if lit.datatype == XSD.boolean:
        return lit.toPython()
    return str(lit)


def _camel(rel_type: str) -> str:
    head, *rest = rel_type.lower().split("_")
    return head + "".join(p.capitalize() for p in rest)


def _uncamel(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def _rel_predicate(rel_type: str) -> tuple[URIRef, bool]:
    return RELATIONSHIPS.get(rel_type, (HG[_camel(rel_type)], False))


def _props_for(labels: Iterable[str]) -> dict[str, Prop]:
    out: dict[str, Prop] = dict(_COMMON)
    for label in labels:
        out.update(PROPS_BY_LABEL.get(label, {}))
    return out


def _derived_for(labels: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for label in labels:
        out |= DERIVED_PROPS.get(label, frozenset())
    return frozenset(out)


# --------------------------------------------------------------------------- reading the store


@dataclass
class Node:
    labels: list[str]
    props: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.props["id"])


@dataclass
class Rel:
    type: str
    src: str
    dst: str
    props: dict[str, Any] = field(default_factory=dict)


def _all_rows(store: GraphStore, cypher: str) -> list[dict[str, Any]]:
    """Every row of a read-only query: no row cap, no time limit (the export reads everything).

    One query rather than SKIP/LIMIT pages: pages over an order with ties (several edges of one
    type between the same two nodes) could repeat or lose rows.
    """
    return list(store.query(cypher, {}, read_only=True, timeout_ms=0, row_cap=0))


_NODES_CYPHER = (
    "MATCH (n) WHERE n.id IS NOT NULL RETURN labels(n) AS labels, properties(n) AS props"
)
# The counts kept on relationships (graph/counts.py) are derived: recounted on import.
_RELS_CYPHER = (
    "MATCH (a)-[r]->(b) WHERE a.id IS NOT NULL AND b.id IS NOT NULL "
    f"AND NOT type(r) IN {sorted(KEPT_RELS)!r} "
    "RETURN a.id AS src, type(r) AS type, b.id AS dst, properties(r) AS props"
)


def read_graph(store: GraphStore) -> tuple[list[Node], list[Rel]]:
    """Every node (labels, properties) and relationship of the store, through read-only Cypher."""
    nodes = []
    for row in _all_rows(store, _NODES_CYPHER):
        labels = sorted(row["labels"])
        if SKIPPED_LABELS.intersection(labels):
            continue
        props = {k: v for k, v in dict(row["props"]).items() if v is not None}
        nodes.append(Node(labels, props))
    rels = [
        Rel(row["type"], str(row["src"]), str(row["dst"]), dict(row["props"] or {}))
        for row in _all_rows(store, _RELS_CYPHER)
    ]
    return nodes, rels


def document_signature(store: GraphStore) -> list[Any]:
    """What the SPARQL cache key is made of, besides the counts.

    Every document's (id, sha256, extractor), the reference data's version (the ``:Meta`` node),
    the statements per review status, and a hash of ``codebook.ttl`` (it is part of the export).
    """

    def rows(cypher: str) -> list[dict[str, Any]]:
        return list(store.query(cypher, read_only=True, timeout_ms=0, row_cap=0))

    docs = rows(
        "MATCH (d:Dokument) RETURN d.id AS id, d.sha256 AS sha, d.extractor AS x ORDER BY id"
    )
    meta = rows("MATCH (m:Meta) RETURN m.id AS id, m.version AS version ORDER BY id")
    status = rows("MATCH (u:Utsagn) RETURN u.status AS status, count(u) AS n ORDER BY status")
    codebook = hashlib.sha256((ONTOLOGY_DIR / "codebook.ttl").read_bytes()).hexdigest()
    return [
        [[r["id"], r.get("sha"), r.get("x")] for r in docs],
        [[r["id"], r.get("version")] for r in meta],
        [[r.get("status"), r["n"]] for r in status],
        codebook,
    ]


# --------------------------------------------------------------------------- export


@lru_cache(maxsize=4)
def _codebook_graph(path: str) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


def codebook_graph() -> Graph:
    """The codebook triples (``ontology/codebook.ttl``), parsed once per process."""
    return _codebook_graph(str(ONTOLOGY_DIR / "codebook.ttl"))


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def export_rdf(store: GraphStore, *, include_codebook: bool = True) -> Graph:
    """The whole property graph as RDF in the ontology's terms (see docs/rdf.md)."""
    nodes, rels = read_graph(store)
    return graph_to_rdf(nodes, rels, include_codebook=include_codebook)


def graph_to_rdf(nodes: list[Node], rels: list[Rel], *, include_codebook: bool = True) -> Graph:
    """Map nodes and relationships read from the store to RDF (the core of :func:`export_rdf`)."""
    g = new_graph()
    if include_codebook:
        for t in codebook_graph():
            g.add(t)
    nodes = [n for n in nodes if not SKIPPED_LABELS.intersection(n.labels)]
    by_id: dict[str, Node] = {n.id: n for n in nodes}
    lang_of_doc = {
        n.id: str(n.props.get("language") or "nb") for n in nodes if "Dokument" in n.labels
    }
    extractor_of_doc = {
        n.id: str(n.props["extractor"])
        for n in nodes
        if "Dokument" in n.labels and n.props.get("extractor")
    }
    for n in nodes:
        _node(g, n, lang_of_doc)

    groups: dict[tuple[str, str, str], list[Rel]] = defaultdict(list)
    for r in rels:
        groups[(r.src, r.type, r.dst)].append(r)
    for (src, rtype, dst), edges in sorted(groups.items()):
        s_node, d_node = by_id.get(src), by_id.get(dst)
        if s_node is None or d_node is None:
            continue  # an edge to a skipped node (e.g. bookkeeping)
        if rtype == "MENTIONS" and "Stemme" in s_node.labels and "Eksempel" in d_node.labels:
            for e in edges:
                _mention(g, e, s_node, d_node, lang_of_doc, extractor_of_doc)
            continue
        pred, rev = _rel_predicate(rtype)
        subj, obj = (node_iri(dst), node_iri(src)) if rev else (node_iri(src), node_iri(dst))
        g.add((subj, pred, obj))
        derived = [e.props == _derived_rel_props(rtype, s_node, d_node, e, by_id) for e in edges]
        if rtype in ("RAISES", "PROPOSES"):
            # one edge per statement: each is rebuilt from its statement on import
            to_reify = [e for e, ok in zip(edges, derived, strict=True) if not ok]
        else:
            to_reify = [] if len(edges) == 1 and derived[0] else edges
        for e in to_reify:
            _reify(g, subj, pred, obj, e)
    return g


def _literal(value: Any, prop: Prop, lang: str) -> list[URIRef | Literal]:
    if prop.kind == "list":
        items = value if isinstance(value, list) else [value]
        return [Literal(str(v)) for v in items]
    if prop.kind == "lang":
        return [Literal(str(value), lang=lang)]
    if prop.kind == "nb":
        return [Literal(str(value), lang="nb")]
    if prop.kind == "int":
        return [Literal(int(value), datatype=XSD.integer)]
    if prop.kind == "float":
        return [Literal(float(value), datatype=XSD.double)]
    if prop.kind == "date":
        return [_date_literal(str(value))]
    if prop.kind == "node":
        return [node_iri(str(value))]
    if prop.kind == "scheme":
        return [HGID[f"kodebok/{value}"]]
    if prop.kind == "iri":
        text = str(value)
        return [URIRef(text) if _WEB_IRI.match(text) else Literal(text)]
    return [Literal(str(value))]


# a web address that is safe as an IRI (no spaces, quotes or angle brackets)
_WEB_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _node(g: Graph, n: Node, lang_of_doc: dict[str, str]) -> None:
    iri = node_iri(n.id)
    for label in n.labels:
        if not _LABEL_RE.match(label):
            continue
        g.add((iri, RDF.type, HG[label]))
        for extra in EXTRA_CLASSES.get(label, ()):
            g.add((iri, RDF.type, extra))
    props = _props_for(n.labels)
    derived = _derived_for(n.labels)
    if "Dokument" in n.labels:
        lang = lang_of_doc.get(n.id, "nb")
    else:
        lang = lang_of_doc.get(str(n.props.get("doc_id")), "nb")
    for key, value in sorted(n.props.items()):
        if key in derived:
            continue
        prop = props.get(key)
        if prop is None:
            g.add((iri, HG[key], _plain(value)))
            continue
        for obj in _literal(value, prop, lang):
            g.add((iri, prop.predicate, obj))
    if set(CONCEPT_LABELS).intersection(n.labels):
        g.add((iri, SKOS.notation, Literal(n.id)))
        if "label" not in n.props:
            g.add((iri, SKOS.prefLabel, Literal(n.id, lang="nb")))
        if "scheme" not in n.props:
            g.add((iri, SKOS.inScheme, HGID[f"kodebok/{n.id.partition('/')[0]}"]))
    if "Aktør" in n.labels:
        for t in n.labels:
            if t in ACTOR_TYPES and n.props.get("type") not in (None, t):
                g.add((iri, HG.type, Literal(str(n.props["type"]))))
    if "Utsagn" in n.labels:
        _statement(g, iri, n, lang)


def _quote_target(
    g: Graph,
    owner: URIRef,
    doc_id: str | None,
    quote_text: str | None,
    lang: str,
    line: Any,
    start: Any,
    end: Any,
    page: Any,
) -> None:
    """``owner oa:hasTarget <#target>`` with the quote and position selectors."""
    target = URIRef(f"{owner}#target")
    g.add((owner, OA.hasTarget, target))
    g.add((target, RDF.type, OA.SpecificResource))
    if doc_id:
        g.add((target, OA.hasSource, node_iri(doc_id)))
    if line is not None:
        g.add((target, HG.line, Literal(int(line), datatype=XSD.integer)))
    if page is not None:
        g.add((target, HG.page, Literal(int(page), datatype=XSD.integer)))
    if quote_text is not None:
        sel = URIRef(f"{owner}#quote")
        g.add((target, OA.hasSelector, sel))
        g.add((sel, RDF.type, OA.TextQuoteSelector))
        g.add((sel, OA.exact, Literal(quote_text, lang=lang)))
    if start is not None and end is not None:
        pos = URIRef(f"{owner}#position")
        g.add((target, OA.hasSelector, pos))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(int(start), datatype=XSD.nonNegativeInteger)))
        g.add((pos, OA.end, Literal(int(end), datatype=XSD.nonNegativeInteger)))


def _attribute(g: Graph, subject: URIRef, assigned_by: str | None) -> None:
    if not assigned_by:
        return
    agent, cls = agent_iri(assigned_by)
    g.add((subject, PROV.wasAttributedTo, agent))
    g.add((agent, RDF.type, cls))
    if cls == PROV.SoftwareAgent:
        g.add((agent, RDFS.label, Literal(assigned_by.strip())))


def _kind_of_concept(concept: str | None) -> str | None:
    if concept is None:
        return None
    scheme = concept.partition("/")[0]
    return {"utfordring": "challenge", "tiltak": "measure"}.get(scheme)


def _statement(g: Graph, iri: URIRef, n: Node, lang: str) -> None:
    p = n.props
    g.add((iri, OA.motivatedBy, OA.classifying))
    concept = p.get("concept")
    if concept is not None:
        g.add((iri, HG.codedAs, node_iri(str(concept))))
    kind = p.get("kind")
    if kind is not None and kind != _kind_of_concept(concept):
        g.add((iri, HG.kind, Literal(str(kind))))
    doc_id = p.get("doc_id")
    if doc_id:
        g.add((iri, PROV.wasDerivedFrom, node_iri(str(doc_id))))
    if p.get("voice_id"):
        g.add((node_iri(str(p["voice_id"])), HG.states, iri))
    _attribute(g, iri, p.get("assigned_by"))
    _quote_target(
        g,
        iri,
        doc_id,
        p.get("quote"),
        lang,
        p.get("line"),
        p.get("start"),
        p.get("end"),
        p.get("page"),
    )


def mention_iri(voice_id: str, example_id: str) -> URIRef:
    """IRI of the mention of an example by a voice (``<voice>/omtale/<example key>``)."""
    key = example_id.partition("/")[2] or example_id
    return node_iri(f"{voice_id}/omtale/{key}")


_MENTION_PROPS = frozenset({"stance", "quote", "line", "start", "end", "page", "doc_id"})


def _mention(
    g: Graph,
    e: Rel,
    voice: Node,
    example: Node,
    lang_of_doc: dict[str, str],
    extractor_of_doc: dict[str, str],
) -> None:
    v_iri, x_iri = node_iri(voice.id), node_iri(example.id)
    m = mention_iri(voice.id, example.id)
    p = e.props
    doc_id = str(p.get("doc_id") or voice.props.get("doc_id") or "") or None
    lang = lang_of_doc.get(doc_id or "", "nb")
    g.add((v_iri, HG.mentions, x_iri))
    g.add((v_iri, HG.states, m))
    g.add((m, RDF.type, HG.Omtale))
    g.add((m, RDF.type, OA.Annotation))
    g.add((m, OA.motivatedBy, OA.identifying))
    g.add((m, HG.example, x_iri))
    if p.get("stance"):
        g.add((m, HG.stance, Literal(str(p["stance"]))))
    if p.get("doc_id"):
        g.add((m, PROV.wasDerivedFrom, node_iri(str(p["doc_id"]))))
    _attribute(g, m, extractor_of_doc.get(doc_id or ""))
    for key, value in sorted(p.items()):
        if key not in _MENTION_PROPS:
            g.add((m, HG[key], _plain(value)))
    _quote_target(
        g,
        m,
        p.get("doc_id"),
        p.get("quote"),
        lang,
        p.get("line"),
        p.get("start"),
        p.get("end"),
        p.get("page"),
    )


def _derived_rel_props(
    rtype: str, src: Node, dst: Node, e: Rel, by_id: dict[str, Node]
) -> dict[str, Any]:
    """The properties an edge gets on import without a reification: what the nodes imply."""
    if rtype == "AUTHORED" and "doc_id" in dst.props:
        return {"doc_id": dst.props["doc_id"]}
    if rtype == "MENTIONS" and "Dokument" in src.labels:
        return {"doc_id": src.id}
    if rtype in ("RAISES", "PROPOSES"):
        stmt = by_id.get(str(e.props.get("statement")))
        if stmt is not None:
            return _derived_shortcut(stmt)
    return {}


def _derived_shortcut(stmt: Node) -> dict[str, Any]:
    out = {"statement": stmt.id}
    for key in ("quote", "doc_id"):
        if key in stmt.props:
            out[key] = stmt.props[key]
    return out


def _reify(g: Graph, subj: URIRef, pred: URIRef, obj: URIRef, e: Rel) -> None:
    """Keep an edge's properties on an ``rdf:Statement`` (its document as prov:wasDerivedFrom)."""
    digest = hashlib.sha256(
        json.dumps([e.src, e.type, e.dst, e.props], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    st = HGID[f"relasjon/{digest}"]
    g.add((st, RDF.type, RDF.Statement))
    g.add((st, RDF.subject, subj))
    g.add((st, RDF.predicate, pred))
    g.add((st, RDF.object, obj))
    for key, value in sorted(e.props.items()):
        if key == "doc_id":
            g.add((st, PROV.wasDerivedFrom, node_iri(str(value))))
        else:
            g.add((st, HG[key], _plain(value)))


# --------------------------------------------------------------------------- import


def rdf_to_graph(g: Graph) -> tuple[list[Node], list[Rel]]:
    """Nodes and relationships described by an export (the inverse of :func:`graph_to_rdf`)."""
    codebook = codebook_graph()
    nodes: dict[RDFNode, Node] = {}
    for s, ident in g.subject_objects(DCTERMS.identifier):
        if not isinstance(s, URIRef):
            continue
        labels = sorted(
            str(c)[len(str(HG)) :]
            for c in g.objects(s, RDF.type)
            if isinstance(c, URIRef) and str(c).startswith(str(HG)) and c not in _NON_LABEL_CLASSES
        )
        labels = [lb for lb in labels if _LABEL_RE.match(lb)]
        nodes[s] = Node(labels, {"id": str(ident)})
    ids = {iri: n.id for iri, n in nodes.items()}

    def node_id(iri: Any) -> str | None:
        return ids.get(iri) if isinstance(iri, URIRef) else None

    for iri, n in nodes.items():
        _import_props(g, iri, n, node_id)
    rels: list[Rel] = []
    reified: dict[tuple[RDFNode | None, ...], list[RDFNode]] = defaultdict(list)
    for st in g.subjects(RDF.type, RDF.Statement):
        key = (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
        reified[key].append(st)
    for s, p, o in g:
        if not isinstance(p, URIRef) or not str(p).startswith(str(HG)):
            continue
        if s not in nodes or o not in nodes:
            continue
        if p not in _REL_BY_PREDICATE and (s, p, o) in codebook:
            continue  # vocabulary of the codebook itself, not an edge of the graph
        if p == HG.inTheme and "Utsagn" in nodes[s].labels:
            continue  # the statement's theme property, not an edge
        rtype, rev = _REL_BY_PREDICATE.get(p, (_uncamel(str(p)[len(str(HG)) :]), False))
        if not _REL_RE.match(rtype):
            continue
        src, dst = (nodes[o], nodes[s]) if rev else (nodes[s], nodes[o])
        if rtype == "MENTIONS" and "Stemme" in src.labels and "Eksempel" in dst.labels:
            m = mention_iri(src.id, dst.id)
            rels.append(Rel("MENTIONS", src.id, dst.id, _mention_props(g, m)))
            continue
        sts = reified.get((s, p, o), [])
        if rtype in ("RAISES", "PROPOSES"):
            for stmt in _statements_for_shortcut(g, nodes, s, o, rtype):
                rels.append(Rel(rtype, src.id, dst.id, _derived_shortcut(stmt)))
        elif not sts:
            rels.append(
                Rel(
                    rtype,
                    src.id,
                    dst.id,
                    _derived_rel_props(rtype, src, dst, Rel(rtype, src.id, dst.id), {}),
                )
            )
        for st in sts:
            props: dict[str, Any] = {}
            for pp, oo in g.predicate_objects(st):
                if pp == PROV.wasDerivedFrom:
                    props["doc_id"] = node_id(oo) or _id_of(oo, g)
                elif (
                    isinstance(pp, URIRef)
                    and str(pp).startswith(str(HG))
                    and isinstance(oo, Literal)
                ):
                    props[str(pp)[len(str(HG)) :]] = _from_plain(oo)
            rels.append(Rel(rtype, src.id, dst.id, props))
    return list(nodes.values()), rels


def _statements_for_shortcut(
    g: Graph, nodes: dict[RDFNode, Node], voice: RDFNode, concept: RDFNode, rtype: str
) -> list[Node]:
    kind = "challenge" if rtype == "RAISES" else "measure"
    out = []
    for u in g.objects(voice, HG.states):
        n = nodes.get(u)
        if n is None or "Utsagn" not in n.labels:
            continue
        if n.props.get("status") == "rejected":
            continue  # a rejected coding loses its shortcut edge (review/overlay.py)
        if (u, HG.codedAs, concept) in g and n.props.get("kind", kind) == kind:
            out.append(n)
    return sorted(out, key=lambda n: n.id)


def _target_props(g: Graph, owner: RDFNode) -> dict[str, Any]:
    """quote, line, page, start, end from an annotation's target."""
    out: dict[str, Any] = {}
    target = g.value(owner, OA.hasTarget)
    if target is None:
        return out
    for key, pred in (("line", HG.line), ("page", HG.page)):
        v = g.value(target, pred)
        if v is not None:
            out[key] = int(str(v))
    for sel in g.objects(target, OA.hasSelector):
        if (sel, RDF.type, OA.TextQuoteSelector) in g:
            exact = g.value(sel, OA.exact)
            if exact is not None:
                out["quote"] = str(exact)
        if (sel, RDF.type, OA.TextPositionSelector) in g:
            start, end = g.value(sel, OA.start), g.value(sel, OA.end)
            if start is not None and end is not None:
                out["start"], out["end"] = int(str(start)), int(str(end))
    return out


def _mention_props(g: Graph, m: URIRef) -> dict[str, Any]:
    out = _target_props(g, m)
    stance = g.value(m, HG.stance)
    if stance is not None:
        out["stance"] = str(stance)
    doc = g.value(m, PROV.wasDerivedFrom)
    if doc is not None:
        out["doc_id"] = _id_of(doc, g)
    for p, o in g.predicate_objects(m):
        if isinstance(p, URIRef) and str(p).startswith(str(HG)) and isinstance(o, Literal):
            key = str(p)[len(str(HG)) :]
            if key not in ("stance",):
                out[key] = _from_plain(o)
    return out


def _import_props(g: Graph, iri: RDFNode, n: Node, node_id: Any) -> None:
    props = _props_for(n.labels)
    reverse: dict[RDFNode, tuple[str, Prop]] = {p.predicate: (k, p) for k, p in props.items()}
    for p, o in g.predicate_objects(iri):
        if p in (RDF.type, DCTERMS.identifier):
            continue
        if p in reverse:
            key, prop = reverse[p]
            if prop.kind == "list":
                n.props.setdefault(key, []).append(str(o))
            elif prop.kind == "int":
                n.props[key] = int(str(o))
            elif prop.kind == "float":
                n.props[key] = float(str(o))
            elif prop.kind == "node":
                n.props[key] = node_id(o) or _id_of(o, g)
            elif prop.kind == "scheme":
                n.props[key] = str(o).rsplit("/", 1)[-1]
            else:
                n.props[key] = str(o)
        elif isinstance(p, URIRef) and str(p).startswith(str(HG)) and isinstance(o, Literal):
            n.props[str(p)[len(str(HG)) :]] = _from_plain(o)
    for key, value in list(n.props.items()):
        if isinstance(value, list):
            n.props[key] = sorted(value)
    # a concept's prefLabel equal to its id was made up by the export
    if set(CONCEPT_LABELS).intersection(n.labels) and n.props.get("label") == n.id:
        del n.props["label"]
    if "Aktør" in n.labels:
        types = [t for t in n.labels if t in ACTOR_TYPES]
        if "type" not in n.props and types:
            n.props["type"] = types[0]
    if "Stemme" in n.labels:
        doc = next(iter(g.subjects(HG.hasVoice, iri)), None)
        if doc is not None:
            n.props["doc_id"] = node_id(doc) or _id_of(doc, g)
    if "Utsagn" in n.labels:
        n.props.update(_target_props(g, iri))
        concept = g.value(iri, HG.codedAs)
        if concept is not None:
            n.props["concept"] = node_id(concept) or _id_of(concept, g)
        kind = g.value(iri, HG.kind) or _kind_of_concept(n.props.get("concept"))
        if kind is not None:
            n.props["kind"] = str(kind)
        doc = g.value(iri, PROV.wasDerivedFrom)
        if doc is not None:
            n.props["doc_id"] = node_id(doc) or _id_of(doc, g)
        voice = next(iter(g.subjects(HG.states, iri)), None)
        if voice is not None:
            n.props["voice_id"] = node_id(voice) or _id_of(voice, g)
        agent = g.value(iri, PROV.wasAttributedTo)
        if agent is not None:
            label = g.value(agent, RDFS.label)
            n.props["assigned_by"] = str(label) if label is not None else _id_of(agent, g)


def import_rdf(graph: Graph, store: GraphStore) -> dict[str, int]:
    """Load an export into ``store``, which must be empty: schema, nodes by labels, then edges.

    The nodes and edges are one unit of writes, applied whole or not at all; the kept counts
    follow in a second (a counts marker says they are pending between the two, so a store
    opened after a crash in between is recounted). Returns counts of the nodes and
    relationships written. Raises :class:`HelsegrafError` if the store already holds nodes.
    """
    store._ensure_schema()  # also creates an empty graph, which the count below needs
    held = store.query("MATCH (n) RETURN count(n) AS n", timeout_ms=0, row_cap=0)
    if held and int(held[0]["n"]):
        raise HelsegrafError(
            f"the store is not empty ({int(held[0]['n']):,} nodes); import into a new data "
            "directory (HELSEGRAF_DATA_DIR)"
        )
    nodes, rels = rdf_to_graph(graph)
    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    label_of: dict[str, str] = {}
    for n in nodes:
        if not n.labels:
            raise HelsegrafError(f"node {n.id} has no hg: class, cannot import it")
        by_labels[tuple(n.labels)].append(n.props)
        label_of[n.id] = n.labels[0]
    unit: list[tuple[str, dict[str, Any]]] = []
    for labels, rows in by_labels.items():
        label_text = ":".join(f"`{lb}`" for lb in labels)
        for chunk in _chunks(rows, 500):
            unit.append(
                (f"UNWIND $rows AS row CREATE (n:{label_text}) SET n = row", {"rows": chunk})
            )
    by_shape: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rels:
        if r.src not in label_of or r.dst not in label_of:
            continue
        by_shape[(label_of[r.src], r.type, label_of[r.dst])].append(
            {"src": r.src, "dst": r.dst, "props": r.props}
        )
    for (sl, rtype, dl), rows in by_shape.items():
        for chunk in _chunks(rows, 500):
            unit.append(
                (
                    f"UNWIND $rows AS row MATCH (a:`{sl}` {{id: row.src}}) "
                    f"MATCH (b:`{dl}` {{id: row.dst}}) CREATE (a)-[r:`{rtype}`]->(b) "
                    "SET r = row.props",
                    {"rows": chunk},
                )
            )
    # The counts the list queries read are derived, not exported: count them afresh, in a
    # second unit (FalkorDB reads edges created earlier in the same query as null).
    from helsegraf.graph.counts import PENDING, recount

    store.write([*unit, (PENDING, {"step": 1})])
    recount(store)
    return {"nodes": len(nodes), "relationships": sum(len(v) for v in by_shape.values())}


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# --------------------------------------------------------------------------- validation


def validate_export(graph: Graph) -> tuple[bool, str]:
    """Validate an export against ``ontology/shapes.ttl`` with pySHACL.

    The ontology (``helsegraf.ttl``) is passed as ``ont_graph`` so subclass typing is known;
    warnings (``sh:Warning``) do not make the graph fail. Returns (conforms, report text).
    """
    from pyshacl import validate

    shapes_path = ONTOLOGY_DIR / "shapes.ttl"
    if not shapes_path.exists():
        raise HelsegrafError("no SHACL shapes to validate against", path=str(shapes_path))
    shapes = Graph().parse(shapes_path, format="turtle")
    ont_path = ONTOLOGY_DIR / "helsegraf.ttl"
    ontology = Graph().parse(ont_path, format="turtle") if ont_path.exists() else None
    conforms, _report, text = validate(
        graph,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    return bool(conforms), str(text)


def serialize_export(graph: Graph, fmt: str) -> bytes:
    """The export as Turtle (``ttl``), N-Triples (``nt``) or JSON-LD (``jsonld``)."""
    rdflib_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}.get(fmt)
    if rdflib_format is None:
        raise HelsegrafError(f"unknown RDF format {fmt!r}; use ttl, nt or jsonld")
    if rdflib_format == "json-ld":
        context = {k: v for k, v in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=rdflib_format, encoding="utf-8")


__all__ = [
    "HG",
    "HGID",
    "OA",
    "ORG",
    "PREFIXES",
    "concept_iri",
    "export_rdf",
    "import_rdf",
    "node_iri",
    "validate_export",
]
