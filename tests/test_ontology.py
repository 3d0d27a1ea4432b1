"""The ontology, the SHACL shapes, and an example export built as docs/ontology.md describes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import get_args

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

from helsegraf.ingest.models import ActorType
from helsegraf.ontology import ONTOLOGY_DIR
from helsegraf.ontology.codebook import HG, HGID, concept_iri

OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
# a plain Namespace: rdflib's XSD warns when pytest probes its attributes
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "helsegraf.ttl")


@cache
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl")


@cache
def codebook_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "codebook.ttl")


# --------------------------------------------------------------------------- ontology


@pytest.mark.parametrize("path", sorted(ONTOLOGY_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_every_turtle_file_parses(path):
    g = Graph().parse(path)
    assert len(g) > 10


def test_every_class_and_property_has_bokmal_and_english_labels():
    g = ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef)}
    assert len(terms) > 40
    for term in terms:
        assert str(term).startswith(str(HG)), term
        langs = {lit.language for lit in g.objects(term, RDFS.label)}
        assert {"nb", "en"} <= langs, f"{term} lacks an nb or en label"


def test_every_actor_type_is_a_subclass_of_aktor():
    g = ontology()
    for name in get_args(ActorType):
        assert (HG[name], RDFS.subClassOf, HG["Aktør"]) in g, name
    assert (HG["Aktør"], RDFS.subClassOf, ORG.Organization) in g


@pytest.mark.parametrize(
    ("term", "parent", "relation"),
    [
        ("Utsagn", OA.Annotation, RDFS.subClassOf),
        ("Utfordring", SKOS.Concept, RDFS.subClassOf),
        ("Tiltak", SKOS.Concept, RDFS.subClassOf),
        ("memberOf", ORG.memberOf, RDFS.subPropertyOf),
        ("partOf", ORG.subOrganizationOf, RDFS.subPropertyOf),
        ("authoredBy", DCTERMS.creator, RDFS.subPropertyOf),
        ("codedAs", OA.hasBody, RDFS.subPropertyOf),
    ],
)
def test_reuses_standard_vocabularies(term, parent, relation):
    assert (HG[term], relation, parent) in ontology()


def test_terms_used_by_shapes_and_codebook_are_declared():
    declared = set(ontology().subjects())
    used = {
        t
        for g in (shapes(), codebook_graph())
        for triple in g
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(str(HG))
    }
    assert used, "no hg: terms used"
    assert used <= declared, sorted(used - declared)


# --------------------------------------------------------------------------- example export

DOC = HGID["dokument/3f2a000000000000"]
VOICE = HGID["dokument/3f2a000000000000/v1"]
STMT = HGID["utsagn/9c1e000000000000"]
MENTION = URIRef(f"{VOICE}/omtale/fact")
KOMMUNE = HGID["kommune/5029"]
FYLKE = HGID["fylke/50"]
HF = HGID["helseforetak/983974899"]
RHF = HGID["rhf/983658725"]
EKSEMPEL = HGID["eksempel/fact"]
AGENT = HGID["programvare/helsegraf-0.1.0"]
MEASURE = concept_iri("tiltak/video-digital-oppfolging")


def _quote(g: Graph, owner: URIRef, text: str, start: int, line: int) -> None:
    target, quote, pos = (URIRef(f"{owner}#{k}") for k in ("target", "quote", "position"))
    g.add((owner, OA.hasTarget, target))
    g.add((target, RDF.type, OA.SpecificResource))
    g.add((target, OA.hasSource, DOC))
    g.add((target, HG.line, Literal(line)))
    g.add((target, OA.hasSelector, quote))
    g.add((target, OA.hasSelector, pos))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(text)))
    g.add((pos, RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((pos, OA.end, Literal(start + len(text), datatype=XSD.nonNegativeInteger)))


def example_export(with_codebook: bool = True) -> Graph:
    """A small export: one document, one voice, one measure statement, one example mention."""
    g = Graph()
    if with_codebook:
        g += codebook_graph()
    else:  # just the concepts used, as the codebook writes them
        for s in (MEASURE, concept_iri("tiltak/annet"), concept_iri("tema/digitalisering")):
            for p, o in codebook_graph().predicate_objects(s):
                if p not in (HG.inTheme, HG.addresses):  # their targets are left out
                    g.add((s, p, o))
        for scheme in ("tiltak", "tema"):
            g.add((HGID[f"kodebok/{scheme}"], RDF.type, SKOS.ConceptScheme))
    # actors
    g.add((KOMMUNE, RDF.type, HG["Aktør"]))
    g.add((KOMMUNE, RDF.type, HG.Kommune))
    g.add((KOMMUNE, RDFS.label, Literal("Skaun kommune")))
    g.add((KOMMUNE, HG.kommunenummer, Literal("5029")))
    g.add((KOMMUNE, HG.inFylke, FYLKE))
    g.add((FYLKE, RDF.type, HG.Fylke))
    g.add((FYLKE, RDFS.label, Literal("Trøndelag")))
    g.add((FYLKE, HG.fylkesnummer, Literal("50")))
    g.add((HF, RDF.type, HG.Helseforetak))
    g.add((HF, RDFS.label, Literal("Helse Møre og Romsdal HF")))
    g.add((HF, HG.orgnr, Literal("983974899")))
    g.add((HF, HG.partOf, RHF))
    g.add((RHF, RDF.type, HG.RegionaltHelseforetak))
    g.add((RHF, RDFS.label, Literal("Helse Midt-Norge RHF")))
    # document and voice
    g.add((DOC, RDF.type, HG.Dokument))
    g.add((DOC, DCTERMS.identifier, Literal("dokument/3f2a000000000000")))
    g.add((DOC, HG.fileName, Literal("000_b211a8940c2d5fc4.txt")))
    g.add((DOC, DCTERMS.title, Literal("Innspill til nasjonal helse- og samhandlingsplan")))
    g.add((DOC, DCTERMS.date, Literal("2022-09-30", datatype=XSD.date)))
    g.add((DOC, DCTERMS.language, Literal("nb")))
    g.add((DOC, HG.documentKind, Literal("innspill")))
    g.add((DOC, HG.mentions, HF))
    g.add((DOC, HG.hasVoice, VOICE))
    g.add((VOICE, RDF.type, HG.Stemme))
    g.add((VOICE, HG.voiceKey, Literal("v1")))
    g.add((VOICE, HG.lineFrom, Literal(1)))
    g.add((VOICE, HG.lineTo, Literal(283)))
    g.add((VOICE, HG.authoredBy, KOMMUNE))
    # a measure statement with its quote
    g.add((VOICE, HG.states, STMT))
    g.add((VOICE, HG.proposes, MEASURE))
    g.add((STMT, RDF.type, HG.Utsagn))
    g.add((STMT, RDF.type, OA.Annotation))
    g.add((STMT, OA.motivatedBy, OA.classifying))
    g.add((STMT, HG.codedAs, MEASURE))
    g.add((STMT, HG.inTheme, concept_iri("tema/digitalisering")))
    g.add((STMT, PROV.wasDerivedFrom, DOC))
    g.add((STMT, PROV.wasAttributedTo, AGENT))
    g.add((STMT, HG.reviewStatus, Literal("machine")))
    _quote(g, STMT, "Legge til rette for digitale besøk på sykehusene", 2310, 41)
    g.add((AGENT, RDF.type, PROV.SoftwareAgent))
    g.add((AGENT, RDFS.label, Literal("helsegraf 0.1.0")))
    # an example and its mention
    g.add((EKSEMPEL, RDF.type, HG.Eksempel))
    g.add((EKSEMPEL, RDFS.label, Literal("FACT")))
    g.add((EKSEMPEL, SKOS.altLabel, Literal("FACT-team")))
    g.add((EKSEMPEL, HG.involves, HF))
    g.add((VOICE, HG.mentions, EKSEMPEL))
    g.add((VOICE, HG.states, MENTION))
    g.add((MENTION, RDF.type, HG.Omtale))
    g.add((MENTION, RDF.type, OA.Annotation))
    g.add((MENTION, OA.motivatedBy, OA.identifying))
    g.add((MENTION, HG.example, EKSEMPEL))
    g.add((MENTION, HG.stance, Literal("good-practice")))
    g.add((MENTION, PROV.wasDerivedFrom, DOC))
    _quote(g, MENTION, "FACT – modellen er en måte å jobbe på", 5120, 97)
    return g


def run_shacl(g: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = validate(
        g, shacl_graph=shapes(), ont_graph=ontology(), allow_warnings=True
    )
    return conforms, report, text


def results(report: Graph) -> list[tuple[URIRef, URIRef | None, URIRef]]:
    """(focus node, result path, severity) of each validation result."""
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        out.append(
            (
                report.value(r, SH.focusNode),
                path if isinstance(path, URIRef) else None,
                report.value(r, SH.resultSeverity),
            )
        )
    return out


def violations(report: Graph) -> list[tuple[URIRef, URIRef | None]]:
    return [(f, p) for f, p, sev in results(report) if sev == SH.Violation]


def test_example_export_with_full_codebook_conforms():
    conforms, report, text = run_shacl(example_export(with_codebook=True))
    assert conforms, text
    assert results(report) == []


def test_minimal_example_conforms():
    conforms, _, text = run_shacl(example_export(with_codebook=False))
    assert conforms, text


def _drop(*triples: tuple) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        for t in triples:
            assert t in g, t
            g.remove(t)

    return mutate


def _set(s: URIRef, p: URIRef, o) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        g.set((s, p, o))

    return mutate


def _add(s: URIRef, p: URIRef, o) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        g.add((s, p, o))

    return mutate


QUOTE = URIRef(f"{STMT}#quote")
TARGET = URIRef(f"{STMT}#target")
POSITION = URIRef(f"{STMT}#position")

BROKEN = {
    "statement without quote target": (
        _drop((STMT, OA.hasTarget, TARGET)),
        (STMT, OA.hasTarget),
    ),
    "statement with empty quote": (_set(QUOTE, OA.exact, Literal("")), (QUOTE, OA.exact)),
    "statement with blank quote": (_set(QUOTE, OA.exact, Literal("   ")), (QUOTE, OA.exact)),
    "quote target without quote selector": (
        _drop((TARGET, OA.hasSelector, QUOTE)),
        (TARGET, OA.hasSelector),
    ),
    "two quote targets": (
        _add(STMT, OA.hasTarget, URIRef(f"{MENTION}#target")),
        (STMT, OA.hasTarget),
    ),
    "position start after end": (
        _set(POSITION, OA.start, Literal(9999, datatype=XSD.nonNegativeInteger)),
        (POSITION, OA.start),
    ),
    "statement without concept": (_drop((STMT, HG.codedAs, MEASURE)), (STMT, HG.codedAs)),
    "statement coded to a non-concept": (
        _set(STMT, HG.codedAs, HGID["tiltak/finnes-ikke"]),
        (STMT, HG.codedAs),
    ),
    "statement without document": (
        _drop((STMT, PROV.wasDerivedFrom, DOC)),
        (STMT, PROV.wasDerivedFrom),
    ),
    "statement stated by no voice": (_drop((VOICE, HG.states, STMT)), (STMT, None)),
    "voice without document": (_drop((DOC, HG.hasVoice, VOICE)), (VOICE, None)),
    "voice authored by a non-actor": (_set(VOICE, HG.authoredBy, BNode()), (VOICE, HG.authoredBy)),
    "kommunenummer of three digits": (
        _set(KOMMUNE, HG.kommunenummer, Literal("529")),
        (KOMMUNE, HG.kommunenummer),
    ),
    "document without language": (
        _drop((DOC, DCTERMS.language, Literal("nb"))),
        (DOC, DCTERMS.language),
    ),
    "document in an unknown language": (
        _set(DOC, DCTERMS.language, Literal("en")),
        (DOC, DCTERMS.language),
    ),
    "document without title or file name": (
        _drop(
            (DOC, HG.fileName, Literal("000_b211a8940c2d5fc4.txt")),
            (DOC, DCTERMS.title, Literal("Innspill til nasjonal helse- og samhandlingsplan")),
        ),
        (DOC, None),
    ),
    "concept without prefLabel": (
        lambda g: g.remove((MEASURE, SKOS.prefLabel, None)),
        (MEASURE, SKOS.prefLabel),
    ),
    "statement with unknown kind": (_set(STMT, HG.kind, Literal("example")), (STMT, HG.kind)),
    "mention with unknown stance": (
        _set(MENTION, HG.stance, Literal("praised")),
        (MENTION, HG.stance),
    ),
    "actor without name": (
        _drop((HF, RDFS.label, Literal("Helse Møre og Romsdal HF"))),
        (HF, RDFS.label),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_shapes_reject_broken_export(case):
    mutate, (focus, path) = BROKEN[case]
    g = example_export(with_codebook=False)
    mutate(g)
    conforms, report, text = run_shacl(g)
    assert not conforms, f"{case}: accepted"
    found = violations(report)
    assert any(f == focus and (path is None or p == path) for f, p in found), (case, found, text)


def test_language_tagged_quote_and_title_are_accepted():
    g = example_export(with_codebook=False)
    g.set((QUOTE, OA.exact, Literal("Legge til rette for digitale besøk", lang="nn")))
    g.set((DOC, DCTERMS.title, Literal("Innspel til helse- og samhandlingsplan", lang="nn")))
    g.set((DOC, DCTERMS.language, Literal("nn")))
    g.add((STMT, HG.kind, Literal("measure")))
    conforms, _, text = run_shacl(g)
    assert conforms, text


def test_voice_without_author_is_a_warning_not_a_violation():
    g = example_export(with_codebook=False)
    g.remove((VOICE, HG.authoredBy, None))
    conforms, report, _ = run_shacl(g)
    assert conforms
    assert (VOICE, HG.authoredBy, SH.Warning) in results(report)
    strict, _, _ = validate(g, shacl_graph=shapes(), ont_graph=ontology())
    assert not strict


def test_other_statement_without_topic_is_a_warning():
    g = example_export(with_codebook=False)
    g.set((STMT, HG.codedAs, concept_iri("tiltak/annet")))
    conforms, report, _ = run_shacl(g)
    assert conforms
    assert any(f == STMT and sev == SH.Warning for f, _, sev in results(report))
    g.add((STMT, HG.topic, Literal("Bedre parkering ved sykehuset", lang="nb")))
    _, report, _ = run_shacl(g)
    assert results(report) == []


# --------------------------------------------------------------------------- the model document

DOC_PATH = ONTOLOGY_DIR.parent / "docs" / "ontology.md"


def test_turtle_examples_in_the_model_document_parse_and_use_declared_terms():
    text = DOC_PATH.read_text(encoding="utf-8")
    blocks = re.findall(r"```turtle\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    g = Graph().parse(data="\n".join(blocks), format="turtle")
    statements = list(g.subjects(RDF.type, HG.Utsagn))
    assert statements
    for s in statements:
        target = g.value(s, OA.hasTarget)
        exact = [g.value(sel, OA.exact) for sel in g.objects(target, OA.hasSelector)]
        assert any(exact)
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(str(HG))}
    declared = set(ontology().subjects())
    assert used <= declared, sorted(used - declared)


def test_hg_terms_named_in_the_model_document_exist():
    text = DOC_PATH.read_text(encoding="utf-8")
    named = set(re.findall(r"\bhg:([A-Za-zÆØÅæøå0-9]+)", text))
    assert len(named) > 30
    declared = {str(s)[len(str(HG)) :] for s in ontology().subjects() if str(s).startswith(str(HG))}
    assert named <= declared, sorted(named - declared)
