"""Classification of challenges and measures on short bokmål and nynorsk texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helsegraf.ingest import classify
from helsegraf.ingest.lexicon import lemma, split_sentences
from helsegraf.ingest.models import (
    Block,
    Fragment,
    LoadedDocument,
    NormalisedDocument,
    Recognised,
    SegmentedDocument,
    SourceLine,
    TableRow,
    VoiceSegment,
)


def make_doc(
    text: str, table_rows: dict[int, TableRow] | None = None, authors: list[str] | None = None
) -> SegmentedDocument:
    """A document whose lines are blocks: '# ' marks a heading, '• ' a bullet."""
    lines, blocks, offset = [], [], 0
    for i, raw in enumerate(text.strip("\n").split("\n"), start=1):
        lines.append(SourceLine(number=i, text=raw, start=offset))
        offset += len(raw) + 1
        body = raw.lstrip("# ").strip()
        if not body:
            continue
        kind = (
            "heading" if raw.startswith("# ") else "bullet" if raw.startswith("• ") else "paragraph"
        )
        lead = raw.index(body)
        blocks.append(
            Block(
                index=len(blocks),
                kind=kind,
                text=body,
                fragments=[
                    Fragment(line=i, line_start=lead, line_end=lead + len(body), block_start=0)
                ],
            )
        )
    source = LoadedDocument(
        path="t.txt", name="t.txt", format="txt", text=text, lines=lines, sha256="0"
    )
    nd = NormalisedDocument(source=source, blocks=blocks)
    voice = VoiceSegment(id="v1", authors=authors or ["Testvik kommune"], lines=(1, len(lines)))
    return SegmentedDocument(doc=nd, kind="innspill", voices=[voice], table_rows=table_rows or {})


def concepts(doc: SegmentedDocument, kind: str) -> set[str]:
    return {c.concept for c in classify.run(doc, Recognised()) if c.kind == kind}


def test_sentence_split_keeps_norwegian_abbreviations() -> None:
    text = "Vi ser bl.a. at f.eks. legevakt er presset. Jf. avtalen er det ca. 30 plasser. Neste setning."
    spans = [text[s:e] for s, e in split_sentences(text)]
    assert spans == [
        "Vi ser bl.a. at f.eks. legevakt er presset.",
        "Jf. avtalen er det ca. 30 plasser.",
        "Neste setning.",
    ]


def test_nynorsk_lemmas_map_onto_bokmal() -> None:
    assert lemma("tenester") == "tjeneste"
    assert lemma("sjukehus") == "sykehus"


def test_challenge_section_bokmal() -> None:
    doc = make_doc(
        "# Personell og kompetanse – hva er de viktigste utfordringene?\n"
        "Det er stadig vanskeligere å rekruttere og beholde sykepleiere i distriktene.\n"
    )
    codings = classify.run(doc, Recognised())
    assert any(c.kind == "challenge" and c.concept == "utfordring/rekruttering" for c in codings)
    c = next(c for c in codings if c.concept == "utfordring/rekruttering")
    line = doc.doc.source.lines[c.quote.line - 1].text
    assert c.quote.text in line and len(c.quote.text) <= 200
    assert doc.doc.source.text[c.quote.start : c.quote.end] == c.quote.text


def test_heading_alone_is_not_a_challenge() -> None:
    doc = make_doc("# Digitalisering – hva er de viktigste utfordringene?\n")
    assert classify.run(doc, Recognised()) == []


def test_measure_list_after_lead_in() -> None:
    doc = make_doc(
        "# Fastleger\n"
        "Tiltak som kan være aktuelle:\n"
        "• Fastlegeordningen må stabiliseres med høyere basistilskudd.\n"
        "• Flere hospiteringsordninger på tvers av kommune og sykehus.\n"
    )
    got = concepts(doc, "measure")
    assert "tiltak/styrke-fastlegeordningen" in got
    assert "tiltak/hospitering-kombinasjon" in got


def test_nynorsk_challenge_and_measure_by_cue_words() -> None:
    doc = make_doc(
        "Det er krevjande å rekruttere nok sjukepleiarar, og bemanningsmangelen aukar.\n"
        "Vi meiner det bør etablerast fleire hospiteringsordningar mellom kommunar og sjukehus.\n"
    )
    assert "utfordring/rekruttering" in concepts(doc, "challenge")
    assert "tiltak/hospitering-kombinasjon" in concepts(doc, "measure")


def test_table_row_is_a_measure_with_responsible_and_when() -> None:
    doc = make_doc(
        "# Tabell 3 Pasientforløp\n"
        "Utvikle helhetlige pasientforløp for eldre med sammensatte behov\n"
    )
    rows = {1: TableRow(number="1", responsible=["Fagråd 2"], when="2019")}
    doc = doc.model_copy(update={"table_rows": rows})
    codings = [c for c in classify.run(doc, Recognised()) if c.block == 1]
    assert codings and all(c.kind == "measure" for c in codings)
    c = next(c for c in codings if c.concept == "tiltak/helhetlige-pasientforlop")
    assert c.responsible == ["Fagråd 2"] and c.when == "2019"


def test_unmatched_structural_challenge_becomes_annet_with_label() -> None:
    doc = make_doc(
        "# Bygg – hva er de viktigste utfordringene?\n"
        "Tomtevalget for det nye bygget er uavklart, og det skaper stor usikkerhet.\n"
    )
    codings = classify.run(doc, Recognised())
    assert [c.concept for c in codings] == ["utfordring/annet"]
    assert codings[0].label and codings[0].label.startswith("Tomtevalget")


def test_plain_statement_without_cues_is_not_coded() -> None:
    doc = make_doc("Kommunen har 5000 innbyggere og ligger ved kysten.\n")
    assert classify.run(doc, Recognised()) == []


def test_classification_is_deterministic() -> None:
    doc = make_doc(
        "# Samhandling – hvilke tiltak er aktuelle?\n"
        "Bedre kommunikasjon ved utskrivning av pasienter fra sykehus.\n"
        "Vi ønsker flere samhandlingsarenaer og felles tjenesteutvikling.\n"
    )
    first = classify.run(doc, Recognised())
    assert first == classify.run(doc, Recognised())
    assert {"tiltak/bedre-utskrivning", "tiltak/samhandlingsarenaer"} <= {c.concept for c in first}


def test_unmatched_sentence_without_problem_wording_is_not_a_challenge() -> None:
    doc = make_doc(
        "# Bygg – hva er de viktigste utfordringene?\n"
        "Det nye bygget skal stå ferdig til sommeren.\n"
    )
    assert classify.run(doc, Recognised()) == []


_WORDS = [
    "Det",
    "er",
    "vanskelig",
    "å",
    "rekruttere",
    "sykepleiere",
    "bør",
    "styrke",
    "fastlegeordningen",
    "Tiltak",
    "som",
    "kan",
    "være",
    "aktuelle:",
    "•",
    "utfordringene",
    "?",
    "i",
    "kommunen",
    "FACT-team",
    "«Trygg",
    "heim»",
    "prosjektet",
    "Barneblikk",
    "–",
    "bl.a.",
    "f.eks.",
    "Se",
    "til",
    "nynorsk",
    "tenestene",
    "sjukehus",
    ".",
    ",",
    "(VOP)",
    "1.",
    "a)",
    "https://x.no/y",
    "Helseplattformen",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14), min_size=1, max_size=8))
def test_any_text_gives_codings_with_exact_quotes(lines: list[list[str]]) -> None:
    doc = make_doc("\n".join(" ".join(words) for words in lines) + "\n")
    for c in classify.run(doc, Recognised()):
        line = doc.doc.source.lines[c.quote.line - 1].text
        assert c.quote.text in line and 0 < len(c.quote.text) <= 200
        assert doc.doc.source.text[c.quote.start : c.quote.end] == c.quote.text
        assert c.kind in ("challenge", "measure")


def test_modal_describing_a_problem_stays_a_challenge_but_a_passive_demand_is_a_measure() -> None:
    doc = make_doc(
        "# Kva er dei viktigaste utfordringane?\n"
        "Avstanden til sjukehuset er lang, og mange pasientar må reise med ferje.\n"
        "Samarbeidsavtalen må reviderast med tydelegare ansvarsfordeling.\n"
    )
    codings = classify.run(doc, Recognised())
    first = {(c.kind, c.concept) for c in codings if c.block == 1}
    second = {c.kind for c in codings if c.block == 2}
    assert ("challenge", "utfordring/avstand") in first
    assert second == {"measure"}


def test_is_textual_tells_language_from_degenerate_input() -> None:
    from helsegraf.ingest.lexicon import is_textual

    assert is_textual("Rekruttering av fastleger er krevende.")
    assert is_textual("Kommunane manglar sjukepleiarar i heimetenesta.")
    assert is_textual("ASU")
    assert not is_textual("2,3,5, 8, 10")
    assert not is_textual(" ".join("a" * 1500))
    assert not is_textual(" ".join(["abc"] * 800))  # one word over and over
    assert not is_textual(". , - 1 x y z " * 300)


def test_what_the_voice_means_to_do_is_a_measure_but_a_rhetorical_intent_is_not() -> None:
    assert classify.measure_cue("Vi vil flytte mer av spesialistoppfølgingen ut til pasienten.")
    assert classify.measure_cue("Foretaket vil derfor innføre en felles sjekkliste.")
    assert not classify.measure_cue("Vi vil understreke at fastlegene er viktige.")
    # a forecast is not an intent
    assert not classify.measure_cue("Behovet for tjenester vil øke kraftig.")


def test_a_request_is_a_measure() -> None:
    assert classify.measure_cue("Vi ber om at basistilskuddet i fastlegeordningen økes.")
    assert not classify.measure_cue("Brukerne forventer at kommuner og sykehus jobber godt sammen.")


def test_a_problem_phrase_that_is_avoided_is_no_challenge_cue() -> None:
    assert classify.challenge_cue("Prosjektene stopper når prosjektmidlene tar slutt.")
    assert classify.challenge_cue("Mange reiser langt for en kort kontroll.")
    assert not classify.challenge_cue("Pasienten slipper lang reisevei til sykehuset.")


def test_prose_that_names_a_problem_closely_is_a_challenge_without_a_cue_word() -> None:
    doc = make_doc(
        "# Samhandling og organisering\n"
        "Innsatsstyrt finansiering belønner aktivitet i sykehuset, mens kommunene er "
        "rammefinansiert.\n"
        "Kommunen har 5000 innbyggere og ligger ved kysten.\n"
    )
    codings = classify.run(doc, Recognised())
    assert {(c.kind, c.concept, c.block) for c in codings} == {
        ("challenge", "utfordring/ulike-finansieringssystemer", 1)
    }


def test_a_short_label_line_is_not_a_statement() -> None:
    doc = make_doc(
        "# Hvilke tiltak er aktuelle?\n"
        "Tverrfaglig samarbeid om unge:\n"
        "Helsetjenesten, skolen og NAV bør ha et felles team for unge.\n"
    )
    blocks = {c.block for c in classify.run(doc, Recognised())}
    assert 1 not in blocks
    assert 2 in blocks


def test_a_sentence_that_names_measures_as_a_topic_is_not_itself_a_measure() -> None:
    text = (
        "Mange tiltak har vært drevet med prosjektmidler og har stoppet opp når midlene tok slutt."
    )
    assert classify.challenge_cue(text)
    assert not classify.measure_cue(text)
    kinds = {(k, c.id if c else None) for k, _s, c in classify.classify_sentence(text, None)}
    assert ("challenge", "utfordring/prosjektfinansiering") in kinds
    assert all(k == "challenge" for k, _c in kinds)


def test_a_noun_opening_with_a_finite_verb_describes_rather_than_proposes() -> None:
    assert classify.measure_cue("Elektronisk samhandling mellom kommune og sykehus.")
    described = "Elektronisk meldingsutveksling med fastlegene har ikke fungert stabilt."
    assert not classify.measure_cue(described)
    assert classify.challenge_cue(described)
    # a verb opener stays a measure whatever follows
    assert classify.measure_cue("Utvikle et felles forløp for barn som er i risiko.")


def test_a_list_after_what_the_voice_shall_do_is_a_list_of_measures() -> None:
    from helsegraf.ingest import learned

    doc = make_doc(
        "Et distriktsmedisinsk senter er en samling av tjenester nær der folk bor.\n"
        "DMS-et skal:\n"
        "• Bidra til bedre samhandling og tverrfaglige tilbud.\n"
        "• Vektlegge egenmestring, tidlig intervensjon og forebygge funksjonstap.\n"
        "Senteret ble åpnet i 2019 og har tolv senger for innbyggerne i regionen.\n"
    )
    with learned.use_model(None):  # the rule, not the model
        codings = classify.run(doc, Recognised())
    measure_blocks = {c.block for c in codings if c.kind == "measure"}
    assert {2, 3} <= measure_blocks
    # the line before the lead and the paragraph after the list are not measures
    assert not measure_blocks & {0, 4}


def test_a_paragraph_ending_in_vil_leads_its_list_but_is_not_itself_a_measure() -> None:
    from helsegraf.ingest import learned

    doc = make_doc(
        "Alle kommunene har sluttet seg til erklæringen. I erklæringen heter det at "
        "helsefellesskapet vil\n"
        "• sørge for kompetansedeling på tvers av og innad i tjenestenivåene.\n"
        "• arbeide for rekruttering og stabilisering av helsepersonell.\n"
    )
    with learned.use_model(None):
        codings = classify.run(doc, Recognised())
    measure_blocks = {c.block for c in codings if c.kind == "measure"}
    assert {1, 2} <= measure_blocks and 0 not in measure_blocks


def test_a_lead_line_set_apart_as_a_heading_still_leads_its_list_of_measures() -> None:
    from helsegraf.ingest import learned

    doc = make_doc(
        "Et distriktsmedisinsk senter er en samling av tjenester nær der folk bor.\n"
        "# DMS-et skal:\n"
        "• Bidra til bedre samhandling og tverrfaglige tilbud.\n"
        "• Være en kompetansearena for spesialisthelsetjenesten og kommunene.\n"
        "Senteret ble åpnet i 2019 og har tolv senger for innbyggerne i regionen.\n"
    )
    with learned.use_model(None):  # the rule, not the model
        codings = classify.run(doc, Recognised())
    measure_blocks = {c.block for c in codings if c.kind == "measure"}
    assert {2, 3} <= measure_blocks
    assert not measure_blocks & {0, 1, 4}
    # a heading that leads no list stays a heading
    plain = make_doc("# Hva skal vi gjøre:\nVi har tolv senger for innbyggerne i regionen.\n")
    with learned.use_model(None):
        assert not [c for c in classify.run(plain, Recognised()) if c.kind == "measure"]


def _strengths_by_scan(idx: classify.Index, sent: set[str]) -> dict[str, float]:
    """``_strengths`` as first written: every compound part looked up for every word."""
    out: dict[str, float] = {}
    for t in sent:
        if t in idx.idf:
            out[t] = 1.0
        n = len(t)
        for k in range(classify.COMPOUND_MIN, n):
            for part in (t[:k], t[n - k :]):
                if part in idx.idf and out.get(part, 0.0) < 0.8:
                    out[part] = 0.8
        if n >= classify.COMPOUND_MIN:
            for lem in idx.prefixed.get(t, ()):
                if out.get(lem, 0.0) < 0.5:
                    out[lem] = 0.5
    return out


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_strengths_remembered_per_word_equal_the_scan(data: st.DataObject) -> None:
    """The codebook lemmas a sentence holds (exactly, inside a compound, as the start of a
    longer one) come out the same, in the same order, when each word's part is remembered."""
    idx = classify.concept_index()
    vocab = sorted(idx.idf)
    word = st.one_of(
        st.sampled_from(vocab),
        st.tuples(st.sampled_from(vocab), st.sampled_from(vocab)).map("".join),  # compounds
        st.sampled_from(vocab).map(lambda w: w[: max(1, len(w) - 2)]),  # the start of one
        st.text("abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=14),
    )
    sent = set(data.draw(st.lists(word, max_size=12)))
    for _ in range(2):  # computed, then remembered
        got = classify._strengths(idx, sent)
        want = _strengths_by_scan(idx, sent)
        assert got == want and list(got) == list(want)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_context_of_finds_what_one_search_per_phrase_finds(data: st.DataObject) -> None:
    """A heading asks for what a search per cue phrase of each context finds: one pattern per
    context says the same."""
    import re

    from helsegraf.ingest.lexicon import load_cues

    phrases = {k: [str(p).lower() for p in v] for k, v in load_cues()["section_context"].items()}
    pool = [p for v in phrases.values() for p in v] + ["og", "hva", "er", "de", "x", "gode"]
    parts = data.draw(st.lists(st.sampled_from(pool), max_size=5))
    # phrases glued to a word too ("xtiltak"): a phrase counts only at a word start
    text = "".join(p + data.draw(st.sampled_from([" ", "", "-"])) for p in parts)
    lower = classify._plain(text)
    hits = {
        k
        for k, v in phrases.items()
        if any(re.search(r"(?<![\wæøå])" + re.escape(p), lower) for p in v)
    }
    assert {k for k, rx in classify._cues().ctx.items() if rx.search(lower)} == hits
