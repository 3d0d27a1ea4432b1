"""The codebook: the committed SKOS Turtle against its YAML source, the builder and the loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from helsegraf.core.errors import HelsegrafError
from helsegraf.ontology import ONTOLOGY_DIR
from helsegraf.ontology.build_codebook import build, main, render
from helsegraf.ontology.codebook import HG, load_codebook

YAML_PATH = ONTOLOGY_DIR / "codebook.yaml"
TTL_PATH = ONTOLOGY_DIR / "codebook.ttl"


def yaml_entries() -> dict[str, dict]:
    data = yaml.safe_load(YAML_PATH.read_text(encoding="utf-8"))
    return {e["id"]: {**e, "scheme": scheme} for scheme, es in data.items() for e in es}


# --------------------------------------------------------------------------- committed codebook


def test_codebook_has_every_yaml_id():
    # codebook.ttl may gain concepts by direct edits, but must never lose one of the YAML's
    ids = set(load_codebook().concepts)
    missing = set(yaml_entries()) - ids
    assert not missing, sorted(missing)
    assert len(ids) >= 80


def test_codebook_has_the_catch_all_concepts():
    cb = load_codebook()
    for cid in ("utfordring/annet", "tiltak/annet"):
        c = cb.concepts[cid]
        assert c.label == "Annet"
        assert c.is_other
        assert c.note


def test_build_keeps_labels_phrasings_and_links_of_the_yaml(tmp_path):
    out = tmp_path / "codebook.ttl"
    out.write_text(build(YAML_PATH), encoding="utf-8")
    cb = load_codebook(out)
    assert set(cb.concepts) == set(yaml_entries())
    for cid, e in yaml_entries().items():
        c = cb.concepts[cid]
        assert c.scheme == e["scheme"]
        assert c.label == e["label"].strip()
        assert set(c.phrasings) == {p.strip() for p in e.get("phrasings") or []}
        assert set(c.themes) == set(e.get("themes") or [])
        assert set(c.addresses) == set(e.get("addresses") or [])
        assert c.iri.endswith("/id/" + cid)


def test_every_concept_has_labels_in_the_turtle():
    g = Graph().parse(TTL_PATH)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= len(yaml_entries())
    for c in concepts:
        labels = list(g.objects(c, SKOS.prefLabel))
        assert [lit.language for lit in labels] == ["nb"], c
        notation = str(g.value(c, SKOS.notation))
        if not notation.endswith("/annet"):
            alt = list(g.objects(c, SKOS.altLabel))
            assert alt, f"{notation} has no skos:altLabel"
            assert all(lit.language == "nb" and str(lit).strip() for lit in alt)


def test_links_point_at_concepts_of_the_right_scheme():
    cb = load_codebook()
    assert cb.measures() and cb.challenges()
    for m in cb.measures():
        for target in m.addresses:
            assert cb.concepts[target].scheme == "utfordring", (m.id, target)
    for c in cb.challenges() + cb.measures():
        if not c.is_other:
            assert c.themes, f"{c.id} has no theme"
        assert all(cb.concepts[t].scheme == "tema" for t in c.themes)
    for c in cb.themes() + cb.patient_groups() + cb.challenges():
        assert c.addresses == []


def test_scheme_helpers_partition_the_concepts():
    cb = load_codebook()
    parts = [cb.themes(), cb.patient_groups(), cb.challenges(), cb.measures()]
    assert sum(len(p) for p in parts) == len(cb)
    assert {c.scheme for c in cb.themes()} == {"tema"}
    assert {c.scheme for c in cb.patient_groups()} == {"pasientgruppe"}
    assert cb.challenges()[-1].id == "utfordring/annet"


def test_concepts_are_typed_with_their_hg_class():
    g = Graph().parse(TTL_PATH)
    classes = {"tema": HG.Tema, "pasientgruppe": HG.Pasientgruppe}
    classes |= {"utfordring": HG.Utfordring, "tiltak": HG.Tiltak}
    for c in load_codebook():
        assert c.iri and (URIRef(c.iri), RDF.type, classes[c.scheme]) in g, c.id
    for scheme, cls in classes.items():
        typed = {str(g.value(s, SKOS.notation)) for s in g.subjects(RDF.type, cls)}
        assert typed == {c.id for c in load_codebook().scheme(scheme)}


def test_default_codebook_is_cached():
    assert load_codebook() is load_codebook()


def test_lookup_by_full_short_and_iri():
    cb = load_codebook()
    rec = cb.concepts["utfordring/rekruttering"]
    assert cb.get("rekruttering") is rec
    assert cb.get("utfordring/rekruttering") is rec
    assert cb.get(rec.iri) is rec
    assert cb.resolve("rekruttering") == "utfordring/rekruttering"
    assert "rekruttering" in cb
    assert cb.get("finnes-ikke") is None
    # ids shared by a challenge and a measure are ambiguous as short ids
    assert cb.get("digital-kompetanse") is None
    with pytest.raises(HelsegrafError, match="ambiguous"):
        cb.resolve("digital-kompetanse")
    with pytest.raises(HelsegrafError, match="not a codebook concept"):
        cb.resolve("finnes-ikke")


def test_theme_and_measure_lookups():
    cb = load_codebook()
    personell = cb.by_theme("tema/personell")
    assert cb.concepts["utfordring/rekruttering"] in personell
    assert all("tema/personell" in c.themes for c in personell)
    answers = cb.measures_for("utfordring/rekruttering")
    assert answers and all("utfordring/rekruttering" in m.addresses for m in answers)


# --------------------------------------------------------------------------- builder


def test_build_is_deterministic():
    first, second = build(YAML_PATH), build(YAML_PATH)
    assert first == second
    # YAML order is kept, so a diff of the Turtle follows a diff of the YAML
    ids = list(yaml_entries())
    positions = [first.index(f'skos:notation "{cid}"') for cid in ids]
    assert positions == sorted(positions)


def test_build_check_mode(tmp_path):
    out = tmp_path / "codebook.ttl"
    assert main(["--out", str(out)]) == 0
    assert main(["--out", str(out), "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert main(["--out", str(out), "--check"]) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tema": [{"id": "tema/a", "label": "A"}], "other": []}, "unknown scheme"),
        ({"tema": [{"id": "tema/a"}]}, "id and a label"),
        ({"tema": [{"id": "tema/a", "label": "A", "phrasings": [1, "5 x"]}]}, "list of strings"),
        ({"tiltak": [{"id": "tema/a", "label": "A"}]}, "must start with"),
        ({"tema": [{"id": "tema/a", "label": "A"}, {"id": "tema/a", "label": "B"}]}, "duplicate"),
        (
            {"utfordring": [{"id": "utfordring/x", "label": "X", "themes": ["tema/nope"]}]},
            "not a tema id",
        ),
        (
            {
                "utfordring": [{"id": "utfordring/x", "label": "X"}],
                "tiltak": [{"id": "tiltak/y", "label": "Y", "addresses": ["tiltak/y"]}],
            },
            "not a utfordring id",
        ),
    ],
)
def test_build_rejects_broken_yaml(data, message):
    with pytest.raises(HelsegrafError, match=message):
        render(data, Path("codebook.yaml"))


# --------------------------------------------------------------------------- loader on small files

TINY = """\
@prefix hg: <https://w3id.org/helsegraf/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix id: <https://w3id.org/helsegraf/id/> .

<https://w3id.org/helsegraf/id/kodebok/tema> a skos:ConceptScheme ; skos:notation "tema" .
<https://w3id.org/helsegraf/id/kodebok/utfordring> a skos:ConceptScheme ; skos:notation "utfordring" .
<https://w3id.org/helsegraf/id/kodebok/tiltak> a skos:ConceptScheme ; skos:notation "tiltak" .

<https://w3id.org/helsegraf/id/tema/a> a skos:Concept ;
    skos:inScheme <https://w3id.org/helsegraf/id/kodebok/tema> ;
    skos:notation "tema/a" ; skos:prefLabel "Tema A"@nb, "Theme A"@en .
<https://w3id.org/helsegraf/id/utfordring/b> a skos:Concept ;
    skos:inScheme <https://w3id.org/helsegraf/id/kodebok/utfordring> ;
    skos:notation "utfordring/b" ; skos:prefLabel "Theme B"@en, "Utfordring B"@nb ;
    skos:altLabel "b-frase"@nb, "b-frase to"@nb ;
    hg:inTheme <https://w3id.org/helsegraf/id/tema/a> .
<https://w3id.org/helsegraf/id/tiltak/b> a skos:Concept ;
    skos:inScheme <https://w3id.org/helsegraf/id/kodebok/tiltak> ;
    skos:notation "tiltak/b" ; skos:prefLabel "Tiltak B"@nb ;
    hg:addresses <https://w3id.org/helsegraf/id/utfordring/b> .
<https://w3id.org/helsegraf/id/tiltak/c> a skos:Concept ;
    skos:inScheme <https://w3id.org/helsegraf/id/kodebok/tiltak> ;
    skos:prefLabel "Tiltak C"@nb .
"""


def test_load_codebook_reads_a_small_file(tmp_path):
    path = tmp_path / "tiny.ttl"
    path.write_text(TINY, encoding="utf-8")
    cb = load_codebook(path)
    assert set(cb.concepts) == {"tema/a", "utfordring/b", "tiltak/b", "tiltak/c"}
    b = cb.concepts["utfordring/b"]
    assert (b.scheme, b.label) == ("utfordring", "Utfordring B")
    assert sorted(b.phrasings) == ["b-frase", "b-frase to"]
    assert b.themes == ["tema/a"]
    assert cb.concepts["tiltak/b"].addresses == ["utfordring/b"]
    # a concept without skos:notation gets its id from the IRI
    assert cb.concepts["tiltak/c"].label == "Tiltak C"
    assert cb.get("c").id == "tiltak/c"
    assert cb.get("b") is None  # utfordring/b and tiltak/b
    assert [c.id for c in cb.themes()] == ["tema/a"]
    assert cb.patient_groups() == []
    assert load_codebook(path) is not cb  # explicit paths are not cached


def test_load_codebook_rejects_a_dangling_link(tmp_path):
    path = tmp_path / "dangling.ttl"
    path.write_text(TINY.replace("id/utfordring/b> .", "id/utfordring/gone> ."), encoding="utf-8")
    with pytest.raises(HelsegrafError, match="unknown concept 'utfordring/gone'"):
        load_codebook(path)


def test_load_codebook_rejects_a_concept_without_label(tmp_path):
    path = tmp_path / "nolabel.ttl"
    path.write_text(TINY.replace('skos:prefLabel "Tiltak C"@nb', 'skos:notation "tiltak/c"'))
    with pytest.raises(HelsegrafError, match="no skos:prefLabel"):
        load_codebook(path)


def test_load_codebook_reports_bad_files(tmp_path):
    with pytest.raises(HelsegrafError, match="not found"):
        load_codebook(tmp_path / "missing.ttl")
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle .", encoding="utf-8")
    with pytest.raises(HelsegrafError, match="cannot parse") as info:
        load_codebook(broken)
    assert str(broken) in str(info.value)
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(HelsegrafError, match="no skos:Concept"):
        load_codebook(empty)


def test_concepts_are_hashable_and_immutable():
    cb = load_codebook()
    assert len(set(cb.challenges())) == len(cb.challenges())
    with pytest.raises(AttributeError):
        cb.concepts["utfordring/rekruttering"].label = "x"  # type: ignore[misc]


def test_the_document_time_limit_inside_the_codebook_parse_is_not_a_parse_error() -> None:
    """The codebook is parsed on first use, which may be inside a document's time limit: the
    alarm that stops the document goes through the parser's catch-all (it was reported as
    "cannot parse codebook Turtle")."""
    from helsegraf.ingest.pipeline import _alarm, _Overtime
    from helsegraf.ontology.codebook import DEFAULT_PATH, parse_codebook

    with pytest.raises(_Overtime), _alarm(0.02):
        parse_codebook(DEFAULT_PATH)  # about 0.3 s
