"""Property-based tests of the whole extraction pipeline on random and mutated documents.

Pieces of the sample documents are cut, duplicated, shuffled, stripped of line breaks and
salted with junk and unusual Unicode; random text is fed in too. Whatever comes in,
``extract_text`` either returns an extraction or refuses with a one-line ``HelsegrafError``,
and every quote it returns (challenges, measures, examples) is an exact substring of one
line of its input, found again at the line and offsets it gives.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.load import CONTROL_CHARACTERS
from helsegraf.ingest.models import Extraction
from helsegraf.ingest.pipeline import extract_text

CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
SAMPLES = [p.read_text(encoding="utf-8").split("\n") for p in sorted(CORPUS.glob("*.txt"))]

# The loader's line breaks: \r\n, \r, \n; a form feed starts a new page (and line).
_BREAKS = re.compile(r"\r\n|\r|\n|\f")

# Characters that trip naive text handling: controls, zero-width and direction marks,
# combining accents, other line separators, quotes and bullets, letters outside the BMP.
_ODD = [
    "\x00", "\t", "\x0b", "\f", "\r", "\x85", "\u2028", "\u2029", "\u200b", "\u200d",
    "\u200e", "\u202e", "\ufeff", "\u0301", "\u0308", "\uf0b7", "«", "»", "–", "—", "…",
    "“", "”", "’", "ø", "Æ", "å", "ß", "ı", "İ", "\U0001f600", "\U00010348", "𝔄",
    "ﬁ", "½", "§", "€", "\\", "{", "}", "$", "`", "'", '"',
]  # fmt: skip
junk_text = st.text(
    alphabet=st.one_of(st.sampled_from(_ODD), st.characters(codec="utf-8")), max_size=40
)


@st.composite
def sample_window(draw: st.DrawFn) -> list[str]:
    """A run of 5-120 consecutive lines from one sample document."""
    lines = draw(st.sampled_from(SAMPLES))
    size = draw(st.integers(5, 120))
    start = draw(st.integers(0, max(0, len(lines) - size)))
    return list(lines[start : start + size])


def _span(draw: st.DrawFn, n: int) -> tuple[int, int]:
    a = draw(st.integers(0, max(0, n - 1)))
    b = draw(st.integers(a, min(n, a + 30)))
    return a, b


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A sample window after 0-5 mutations, joined with a random kind of line break."""
    lines = draw(sample_window())
    for op in draw(st.lists(st.sampled_from(_MUTATIONS), max_size=5)):
        lines = op(draw, lines)
    sep = draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "\n\n"]))
    return sep.join(lines)


def _cut(draw: st.DrawFn, lines: list[str]) -> list[str]:
    a, b = _span(draw, len(lines))
    return lines[:a] + lines[b:]


def _duplicate(draw: st.DrawFn, lines: list[str]) -> list[str]:
    a, b = _span(draw, len(lines))
    return lines[:b] + lines[a:b] + lines[b:]


def _shuffle(draw: st.DrawFn, lines: list[str]) -> list[str]:
    a, b = _span(draw, len(lines))
    return lines[:a] + draw(st.permutations(lines[a:b])) + lines[b:]


def _insert_junk(draw: st.DrawFn, lines: list[str]) -> list[str]:
    i = draw(st.integers(0, len(lines)))
    return [*lines[:i], draw(junk_text), *lines[i:]]


def _junk_inside_a_line(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if not lines:
        return lines
    i = draw(st.integers(0, len(lines) - 1))
    at = draw(st.integers(0, len(lines[i])))
    out = list(lines)
    out[i] = lines[i][:at] + draw(junk_text) + lines[i][at:]
    return out


def _strip_newlines(draw: st.DrawFn, lines: list[str]) -> list[str]:
    a, b = _span(draw, len(lines))
    return [*lines[:a], " ".join(lines[a:b]), *lines[b:]]


def _cut_inside_a_line(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if not lines:
        return lines
    i = draw(st.integers(0, len(lines) - 1))
    at = draw(st.integers(0, len(lines[i])))
    out = list(lines)
    out[i] = lines[i][:at]
    return out


_MUTATIONS = [
    _cut,
    _duplicate,
    _shuffle,
    _insert_junk,
    _junk_inside_a_line,
    _strip_newlines,
    _cut_inside_a_line,
]


def check_quotes(text: str, x: Extraction) -> None:
    """Every quote is an exact substring of one input line and sits at its line and offsets.

    Control characters are read as spaces (one for one, so offsets hold), as the loader does.
    """
    lines = [CONTROL_CHARACTERS.sub(" ", line) for line in _BREAKS.split(text)]
    # The file text the offsets count in: lines joined by \n (a page break counts as one).
    flat = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    items = [*x.challenges, *x.measures, *x.examples]
    for s in items:
        q = s.quote
        assert q, f"empty quote: {s}"
        assert any(q in line for line in lines), f"quote is not within one input line: {q!r}"
        if s.start is not None or s.end is not None:
            assert s.start is not None and s.end is not None, s
            assert flat[s.start : s.end] == q, (
                f"offsets {s.start}:{s.end} give {flat[s.start : s.end]!r}, not {q!r}"
            )
        if s.line is not None:
            assert 1 <= s.line <= len(lines), s.line
            line_text = lines[s.line - 1]
            assert q in line_text, f"quote {q!r} is not on line {s.line}: {line_text!r}"
            if s.start is not None:
                assert starts[s.line - 1] <= s.start <= s.end <= starts[s.line] - 1, (
                    f"offsets {s.start}:{s.end} are outside line {s.line}"
                )


def _extract(text: str) -> Extraction | None:
    try:
        return extract_text(text, "muteret.txt", timeout_s=60)
    except HelsegrafError as exc:
        assert "\n" not in str(exc), f"error is not one line: {exc}"
        return None


PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(mutated())
def test_mutated_samples_never_crash_and_quotes_are_exact(text: str) -> None:
    x = _extract(text)
    if x is not None:
        check_quotes(text, x)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            junk_text,
            st.text(alphabet="abcæøå ABCÆØÅ.,:;-–()0123456789\n", max_size=80),
            st.sampled_from(
                [
                    "Rekruttering av fastleger er en stor utfordring.",
                    "Vi ønsker flere studieplasser i sykepleie.",
                    "Hva er de viktigste utfordringene?",
                    "Med vennlig hilsen",
                    "FACT-team",
                    "Tiltak",
                    "1.2 Kompetanse",
                ]
            ),
        ),
        max_size=30,
    )
)
def test_random_text_never_crashes_and_quotes_are_exact(parts: list[str]) -> None:
    text = "\n".join(parts)
    x = _extract(text)
    if x is not None:
        check_quotes(text, x)


def test_the_quote_check_catches_a_shifted_offset() -> None:
    """The oracle above is not vacuous: on a real extraction it passes, and one offset moved
    by a character fails it."""
    text = "\n".join(SAMPLES[0])
    x = extract_text(text, "sample.txt")
    statements = [*x.challenges, *x.measures]
    assert statements
    check_quotes(text, x)
    bad = x.model_copy(deep=True)
    first = next(s for s in bad.challenges + bad.measures if s.start is not None)
    first.start += 1
    first.end += 1
    try:
        check_quotes(text, bad)
    except AssertionError:
        return
    raise AssertionError("a shifted offset passed the quote check")


def test_lone_surrogates_are_refused_not_a_crash() -> None:
    """A Python string that is not valid Unicode (a lone surrogate) is refused in one line."""
    text = "\n".join(SAMPLES[0][:40]) + "\ud800"
    assert _extract(text) is None
