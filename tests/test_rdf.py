"""RDF export of a real store built from the gold extractions: shapes, language tags, provenance,
no person names, and the export -> import -> export round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, SKOS

from helsegraf.core.config import Settings
from helsegraf.graph.rdf import (
    HG,
    OA,
    graph_to_rdf,
    import_rdf,
    node_iri,
    read_graph,
    validate_export,
)
from helsegraf.graph.store import open_store
from helsegraf.ingest.models import Extraction

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "samples" / "gold"
CORPUS = ROOT / "samples" / "corpus"


def gold_extractions() -> list[Extraction]:
    """The gold files as extractions, with one made nynorsk and one given offsets.

    Offsets (line, start, end) are computed by finding each quote in its corpus file, so the
    position selectors are exercised on real text.
    """
    out = []
    for path in sorted(GOLD.glob("*.gold.json")):
        x = Extraction.model_validate_json(path.read_text(encoding="utf-8"))
        x.extractor = "helsegraf 0.1.0"
        out.append(x)
    first = out[0]
    first.source = "https://www.skaun.kommune.no/innspill/helseplan"
    text = (CORPUS / first.document).read_text(encoding="utf-8")
    line_starts = [0]
    for line in text.split("\n"):
        line_starts.append(line_starts[-1] + len(line) + 1)
    for s in first.challenges + first.measures:
        at = text.find(s.quote)
        if at >= 0:
            s.start, s.end = at, at + len(s.quote)
            s.line = next(i for i, st in enumerate(line_starts) if st > at)
    # a nynorsk copy of another document (a different file name, so a different document)
    nn = out[1].model_copy(deep=True)
    nn.document = "nn_" + nn.document
    nn.language = "nn"
    nn.title = (nn.title or "Innspel") + " (nynorsk)"
    out.append(nn)
    return out


def _settings(tmp: Path, name: str) -> Settings:
    return Settings(data_dir=tmp, graph_name=name)


@pytest.fixture(scope="module")
def rdf_store(tmp_path_factory: pytest.TempPathFactory):
    """A real embedded store with the reference data and the gold documents loaded."""
    with open_store(_settings(tmp_path_factory.mktemp("rdf-store"), "rdftest")) as s:
        s.ensure_reference()
        for x in gold_extractions():
            s.load_extraction(x)
        yield s


@pytest.fixture(scope="module")
def export(rdf_store) -> Graph:
    from helsegraf.graph.rdf import export_rdf

    return export_rdf(rdf_store)


def test_export_conforms_to_shapes(export: Graph) -> None:
    conforms, report = validate_export(export)
    assert conforms, report


def test_broken_export_fails_shapes(export: Graph) -> None:
    broken = Graph()
    for t in export:
        broken.add(t)
    statement = next(broken.subjects(RDF.type, HG.Utsagn))
    # a statement without its document and without its quote
    broken.remove((statement, PROV.wasDerivedFrom, None))
    target = broken.value(statement, OA.hasTarget)
    for sel in list(broken.objects(target, OA.hasSelector)):
        broken.remove((sel, OA.exact, None))
    conforms, report = validate_export(broken)
    assert not conforms
    assert str(statement) in report


def test_every_statement_is_an_annotation_of_its_quote(rdf_store, export: Graph) -> None:
    rows = rdf_store.query(
        "MATCH (u:Utsagn) RETURN u.id AS id, u.quote AS quote, u.doc_id AS doc, "
        "u.concept AS concept, u.start AS start, u.end AS end",
        read_only=True,
    )
    assert rows
    with_offsets = 0
    for r in rows:
        u = node_iri(r["id"])
        assert (u, RDF.type, OA.Annotation) in export
        assert export.value(u, PROV.wasDerivedFrom) == node_iri(r["doc"])
        assert export.value(u, HG.codedAs) == node_iri(r["concept"])
        target = export.value(u, OA.hasTarget)
        assert export.value(target, OA.hasSource) == node_iri(r["doc"])
        exact = [
            export.value(sel, OA.exact)
            for sel in export.objects(target, OA.hasSelector)
            if (sel, RDF.type, OA.TextQuoteSelector) in export
        ]
        assert [str(e) for e in exact] == [r["quote"]]
        if r.get("start") is not None:
            with_offsets += 1
            pos = [
                sel
                for sel in export.objects(target, OA.hasSelector)
                if (sel, RDF.type, OA.TextPositionSelector) in export
            ]
            assert len(pos) == 1
            assert int(export.value(pos[0], OA.start)) == r["start"]
            assert int(export.value(pos[0], OA.end)) == r["end"]
        agent = export.value(u, PROV.wasAttributedTo)
        assert (agent, RDF.type, PROV.SoftwareAgent) in export
    assert with_offsets > 0


def test_software_agent_is_labelled_with_version(export: Graph) -> None:
    from rdflib import RDFS

    agents = set(export.subjects(RDF.type, PROV.SoftwareAgent))
    assert agents
    labels = {str(export.value(a, RDFS.label)) for a in agents}
    assert all(label.startswith("helsegraf ") for label in labels)


def test_document_text_carries_the_document_language(export: Graph) -> None:
    languages = set()
    for doc in export.subjects(RDF.type, HG.Dokument):
        lang = str(export.value(doc, DCTERMS.language))
        title = export.value(doc, DCTERMS.title)
        assert isinstance(title, Literal)
        assert title.language == lang
        languages.add(lang)
    assert languages == {"nb", "nn"}
    for topic in export.objects(None, HG.topic):
        assert topic.language in ("nb", "nn")
    for annotation in export.subjects(RDF.type, OA.Annotation):
        doc_lang = str(
            export.value(export.value(annotation, PROV.wasDerivedFrom), DCTERMS.language)
        )
        target = export.value(annotation, OA.hasTarget)
        for sel in export.objects(target, OA.hasSelector):
            exact = export.value(sel, OA.exact)
            if exact is not None:
                assert exact.language == doc_lang


def test_document_source_is_dcterms_source(export: Graph) -> None:
    sources = [
        o for d, o in export.subject_objects(DCTERMS.source) if (d, RDF.type, HG.Dokument) in export
    ]
    assert sources == [URIRef("https://www.skaun.kommune.no/innspill/helseplan")]


def test_codebook_concepts_have_codebook_iris(export: Graph) -> None:
    from helsegraf.ontology.codebook import load_codebook

    codebook = load_codebook()
    coded = set(export.objects(None, HG.codedAs))
    assert coded
    for concept in coded:
        notation = str(export.value(concept, SKOS.notation))
        if notation in codebook.concepts:
            assert str(concept) == codebook.concepts[notation].iri or concept == node_iri(notation)
        assert export.value(concept, SKOS.prefLabel) is not None


def test_reviewer_names_never_appear(rdf_store) -> None:
    nodes, rels = read_graph(rdf_store)
    statement = next(n for n in nodes if "Utsagn" in n.labels)
    statement.props["assigned_by"] = "Kari Nordmann"
    statement.props["status"] = "reviewed"
    g = graph_to_rdf(nodes, rels)
    agent = g.value(node_iri(statement.id), PROV.wasAttributedTo)
    assert (agent, RDF.type, PROV.Person) in g
    assert "Kari" not in str(agent)
    assert not any("Nordmann" in str(o) for o in g.objects())


def test_round_trip_is_isomorphic(tmp_path: Path, rdf_store, export: Graph) -> None:
    with open_store(_settings(tmp_path, "rdfroundtrip")) as fresh:
        written = import_rdf(export, fresh)
        assert written["nodes"] > 0 and written["relationships"] > 0
        from helsegraf.graph.rdf import export_rdf

        again = export_rdf(fresh)
        assert len(again) == len(export)
        assert isomorphic(export, again)
        # the fresh store holds the same graph (bar the store's own bookkeeping node)
        before, after = rdf_store.counts(), fresh.counts()
        for key in before:
            if key not in ("Meta", "nodes"):
                assert after[key] == before[key], key


def test_export_command_writes_a_valid_export(
    rdf_store, export: Graph, tmp_path: Path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from helsegraf.cli import app
    from helsegraf.core.config import get_settings

    monkeypatch.setenv("HELSEGRAF_DATA_DIR", str(rdf_store.settings.data_dir))
    monkeypatch.setenv("HELSEGRAF_GRAPH_NAME", rdf_store.settings.graph_name)
    get_settings.cache_clear()
    out = tmp_path / "graph.nt"
    try:
        result = CliRunner().invoke(
            app, ["export", "--format", "nt", "--output", str(out), "--validate"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    written = Graph().parse(out, format="nt")
    assert isomorphic(written, export)
