"""Actor recognition: every place in a text that names an organisation, resolved to an actor.

The vocabulary is data: the registries (``ontology/registries/*.csv``) and
``ontology/organisations.yaml``, both read through :func:`helsegraf.ontology.registry.load_registry`.

How a text is scanned (one pass per step, no loop over names):

1. Word tokens are folded (lower case, nynorsk/bokmål spellings) and walked through a token trie
   of every name form (longest match wins; hyphens, line breaks and dots between words are free;
   a genitive -s on the last word is allowed). Abbreviations (HNT, HMR, SI, KS, NAV, HOD ...) are
   looked up as written.
2. The patterns of organisations.yaml (compiled regexes, place alternations as character tries)
   add named bodies built from a head and a place, number or topic ("LSU Volda", "Fagråd 3/5").
3. Overlaps are resolved longest-first. Bare municipality names become Kommune actors only with
   a cue: "X kommune", "kommunene X, Y og Z", "X og Y kommuner", a list of municipality names,
   or a bare name that is not a place phrase ("i Molde"), not part of a longer proper name or
   facility ("Molde sjukehus", "Ørsta rådhus") and not a common word ("Nes", "Heim", "Sel").
4. Templates that need the document's context ("Statsforvalteren" -> "Statsforvalteren i
   <county>", "ASU" -> "... (ASU) <area>", "BUP" -> "..., <trust>") are filled from the most
   frequent county, trust and helsefellesskap of the document. A bare agency name ("NAV") means
   the specific office ("NAV Nord-Trøndelag") when the document names exactly that kind of office.

Persons are never actors: nothing in the vocabulary is a person name, and a municipality name
directly after a capitalised word (a surname position) is not taken.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from helsegraf.ingest.models import ActorMention, ActorRef, NormalisedDocument
from helsegraf.ontology.registry import Entry, Registry, load_registry

_TOKEN = re.compile(r"\w+")
# the next word, if only spaces, line breaks, hyphens, dots, '&' or brackets come between
_NEXT_TOKEN = re.compile(r"([ \t\r\n\-.&()'’]{0,6})(\w+)")
_CAPITALISED = re.compile(r"[A-ZÆØÅÄÖÜÉÁČĐŊŠŦŽ]\w*")
_LIST_GAP = re.compile(r"\s*(?:,\s*og|,\s*eller|,|og|eller|/|&)\s*", re.IGNORECASE)
_REGION_LIST_GAP = re.compile(r"\s*(?:,\s*og|,|og)\s*(?:(?:i|på)\s+)?", re.IGNORECASE)
_END = "\x00"
# web and mail addresses name organisations in their host part ("samarbeidsutvalg%20HNT"),
# which is not a mention
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_ORG_SUFFIXES = {"hf", "rhf"}
_FUZZY_MIN = 9  # shortest word tried as a near miss
_FUZZY_SCORE = 90  # rapidfuzz ratio needed
_TEMPLATE_FIELD = re.compile(r"\{(\w+)(?:\|([\w|]+))?\}")


# What follows the place in a letter's date line: ", 12.10.2022", " 3. august 2022", ", den 5. mai 2023".
_DATELINE_REST = re.compile(
    r"\s*,?\s*(?:den\s+)?\d{1,2}\.\s*(?:\d{1,2}\.\s*\d{2,4}|[a-zæøå]+\s+\d{4})\s*\.?\s*$"
)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def trie_regex(words: set[str] | list[str]) -> str:
    """A regex alternation of ``words`` factored as a character trie (fast to scan)."""
    trie: dict[str, Any] = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        optional = "" in node
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if optional:
            body = "(?:" + body + ")?"
        return body

    return "(?:" + emit(trie) + ")"


@dataclass
class _Pattern:
    id: str
    type: str
    regex: re.Pattern[str]
    name: str
    name2: str | None = None
    fallback: str | None = None
    specific_of: str | None = None
    generic_of: str | None = None
    left_boundary: bool = False
    triggers: tuple[str, ...] = ()


@dataclass
class _Cand:
    start: int
    end: int
    kind: str  # name | abbr | pattern | kommune | region | block
    ref: ActorRef | None = None
    entries: list[Entry] = field(default_factory=list)
    pattern: _Pattern | None = None
    groups: dict[str, str] = field(default_factory=dict)
    template: str | None = None
    explicit: bool = False  # kommune named with "kommune"
    common: bool = False  # kommune name that is also a common word
    bare: bool = False  # kommune name taken alone, without a cue ("Unntaket er Volda.")
    block: int = 0
    generic_of: str | None = None
    specific_of: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


class ActorMatcher:
    """Finds actor mentions in text.

    The first instance compiles the vocabulary (about 0.2 s); later ``ActorMatcher()`` calls
    share it. :func:`get_matcher` returns the shared instance.
    """

    def __init__(self, registry: Registry | None = None) -> None:
        if registry is None:
            # ActorMatcher() shares the compiled vocabulary of the process-wide matcher
            self.__dict__.update(get_matcher().__dict__)
            return
        self.reg = registry
        cfg = self.reg.config
        km = cfg.get("kommune_matching") or {}
        fold = self.reg.vocab.spelling
        self.org_nouns_after = {
            fold.get(w.lower(), w.lower()) for w in km.get("org_nouns_after", [])
        }
        self.location_before = {w.lower() for w in km.get("location_words_before", [])}
        self.list_cues_before = {fold.get(w, w) for w in km.get("list_cues_before", [])}
        self.cues_after = {fold.get(w, w) for w in km.get("cues_after", [])}
        self.expansions: dict[str, str] = dict(cfg.get("expansions") or {})
        # token trie over every name form
        self.trie: dict[str, Any] = {}
        for key in self.reg.names:
            node = self.trie
            for t in key:
                node = node.setdefault(t, {})
            node[_END] = key
        # near misses of one-word organisation names ("Riksrevisjonenens", "Helsedirektoret"):
        # candidates share the first five letters, then rapidfuzz decides (strict threshold)
        self.fuzzy_index: dict[str, list[str]] = {}
        for key, entries in self.reg.names.items():
            if (
                len(key) == 1
                and len(key[0]) >= _FUZZY_MIN
                and any(
                    not e.weak and e.ref.type not in ("Kommune", "Fylke", "Region") for e in entries
                )
            ):
                self.fuzzy_index.setdefault(key[0][:5], []).append(key[0])
        self._fuzzy_cache: dict[str, str | None] = {}
        self.patterns = [self._compile(p) for p in cfg.get("patterns", [])]
        # trigger word -> patterns; patterns without triggers run over the whole text
        self.exact_triggers: dict[str, list[int]] = {}
        self.prefix_triggers: list[tuple[str, int]] = []
        self.suffix_triggers: list[tuple[str, int]] = []
        self.untriggered: list[int] = []
        for i, p in enumerate(self.patterns):
            if not p.triggers:
                self.untriggered.append(i)
            for t in p.triggers:
                if t.endswith("*"):
                    self.prefix_triggers.append((t[:-1], i))
                elif t.startswith("*"):
                    self.suffix_triggers.append((t[1:], i))
                else:
                    self.exact_triggers.setdefault(t, []).append(i)
        # triggers are found in the lower-cased text: one character-trie regex for whole words,
        # one literal regex per prefix or suffix (case-insensitive alternations are slow)
        self.exact_re = re.compile(trie_regex(list(self.exact_triggers)) + r"(?!\w)")
        affixes: dict[str, list[int]] = {}
        for pre, i in self.prefix_triggers:
            affixes.setdefault(re.escape(pre), []).append(i)
        for suf, i in self.suffix_triggers:
            affixes.setdefault(re.escape(suf) + r"(?!\w)", []).append(i)
        self.affix_res = [(re.compile(src), idx) for src, idx in affixes.items()]
        fylke_names = {n for f in self.reg.fylker for n in [f.name, f.klass_name, *f.other_names]}
        self.fylke_re = re.compile(r"(?<!\w)" + trie_regex(fylke_names) + r"(?!\w)")

    # ------------------------------------------------------------------ building

    def _placeholders(self) -> dict[str, str]:
        reg = self.reg
        fylker = {n for f in reg.fylker for n in [f.name, f.klass_name, *f.other_names]}
        places = set(fylker)
        for k in reg.kommuner:
            places.add(k.name_base)
            places.update(n for n in k.other_names if "(" not in n)
        for o in reg.organisations:
            if o.type == "Region":
                places.add(o.name)
                places.update(o.aliases)
        hf = set()
        for h in reg.helseforetak:
            hf.add(h.name)
            hf.add(re.sub(r"\s+(HF|RHF|AS)$", "", h.name))
            hf.update(h.aliases)
        hf.update(a.replace("-", " ") for a in list(hf))
        hf.update(a.replace(" ", "-", 1) for a in list(hf) if a.startswith("Helse "))
        return {
            "FYLKE": trie_regex(fylker),
            "PLACE": trie_regex(places) + r"(?![\w])",
            "HF": trie_regex(hf) + r"(?:\s+(?:HF|RHF))?(?![\w])",
        }

    def _compile(self, p: dict[str, Any]) -> _Pattern:
        ph = getattr(self, "_ph", None)
        if ph is None:
            ph = self._ph = self._placeholders()
        src = p["regex"]
        for k, v in ph.items():
            src = src.replace("{" + k + "}", v)
        # A leading \b stops the regex engine from skipping ahead by the first literal; the
        # left word boundary is checked on each match instead (much faster scans).
        left = src.startswith(r"\b")
        if left:
            src = src[2:]
        return _Pattern(
            id=p["id"],
            type=p["type"],
            regex=re.compile(src, re.MULTILINE),
            left_boundary=left,
            triggers=tuple(t.lower() for t in p.get("triggers") or ()),
            name=p["name"],
            name2=p.get("name2"),
            fallback=p.get("fallback"),
            specific_of=p.get("specific_of"),
            generic_of=p.get("generic_of"),
        )

    # ------------------------------------------------------------------ public

    def find(
        self, text: str, year: int | None = None, explicit: bool = False
    ) -> list[tuple[int, int, ActorRef, str]]:
        """Actor mentions in ``text``: (start, end, actor, surface), in text order.

        ``explicit=True`` takes bare municipality names as Kommune without context cues (for
        resolving a single name).
        """
        return self.find_blocks([text], year=year, explicit=explicit)[0]

    def find_blocks(
        self, texts: list[str], year: int | None = None, explicit: bool = False
    ) -> list[list[tuple[int, int, ActorRef, str]]]:
        """Like :meth:`find` for the blocks of one document (context is shared)."""
        selected: list[list[_Cand]] = []
        for bi, text in enumerate(texts):
            cands = self._candidates(text, bi)
            urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
            if urls:
                cands = [c for c in cands if not any(c.start < e and s < c.end for s, e in urls)]
            chosen = self._select(cands)
            # a block that continues the previous one's sentence (a page or column break)
            prev = texts[bi - 1].rstrip() if bi else ""
            carry = prev[-60:] if prev and prev[-1] not in '.!?:;»"' else ""
            chosen = self._judge(text, chosen, explicit, carry)
            selected.append(chosen)
        ctx = self._context(texts, [c for block in selected for c in block], year)
        out: list[list[tuple[int, int, ActorRef, str]]] = []
        for text, block in zip(texts, selected, strict=True):
            refs = [self._finalise(c, ctx, year) for c in block]
            # a place named alone beside its hospital ("Unntaket er Volda. … mellom Volda
            # sjukehus og kommunane") means the hospital, not the municipality
            hospital_places = {
                r.name.split()[0].casefold() for rs in refs for r in rs if r.type == "Sykehus"
            }
            res = []
            for c, c_refs in zip(block, refs, strict=True):
                if c.bare and text[c.start : c.end].casefold() in hospital_places:
                    continue
                for ref in c_refs:
                    res.append((c.start, c.end, ref, text[c.start : c.end]))
            out.append(res)
        return out

    # ------------------------------------------------------------------ candidates

    def _candidates(self, text: str, block: int) -> list[_Cand]:
        fold = self.reg.vocab.spelling
        abbreviations = self.reg.abbreviations
        trie = self.trie
        cands: list[_Cand] = []
        # every name form and abbreviation starts with a capital: walk the trie only from those
        for m in _CAPITALISED.finditer(text):
            s, e, raw = m.start(), m.end(), m.group()
            if s and _is_word_char(text[s - 1]):
                continue  # a capital inside a word ("iPhone")
            if raw in abbreviations:
                end = e
                nxt_tok = _NEXT_TOKEN.match(text, e)
                if nxt_tok and nxt_tok.group(2) in ("HF", "RHF") and nxt_tok.group(1).isspace():
                    end = nxt_tok.end(2)
                cands.append(_Cand(s, end, "abbr", entries=list(abbreviations[raw]), block=block))
            node = trie
            best: tuple[int, tuple[str, ...]] | None = None
            tok, tok_end, first = raw, e, True
            while True:
                low = tok.lower()
                key = fold.get(low, low)
                nxt = node.get(key)
                if nxt is None:
                    # genitive -s on the last word: "Helse Midt-Norges", "Riksrevisjonens"
                    if key.endswith("s") and len(key) > (4 if first else 3):
                        g = node.get(key[:-1])
                        if g is not None and _END in g:
                            best = (tok_end, g[_END])
                    break
                node = nxt
                if _END in node:
                    best = (tok_end, node[_END])
                nm = _NEXT_TOKEN.match(text, tok_end)
                if nm is None:
                    break
                tok, tok_end, first = nm.group(2), nm.end(2), False
            if best is None and first and len(raw) >= _FUZZY_MIN:
                near = self._near_miss(raw.lower())
                if near is not None:
                    best = (e, (near,))
            if best is None:
                continue
            end, key_found = best
            # "Helse Møre og Romsdal HF": the suffix belongs to the name
            nm = _NEXT_TOKEN.match(text, end)
            if nm and nm.group(2).lower() in _ORG_SUFFIXES and nm.group(1).isspace():
                entries = self.reg.names[key_found]
                if any(en.ref.type in ("Helseforetak", "RegionaltHelseforetak") for en in entries):
                    end = nm.end(2)
            cands.append(self._name_cand(s, end, key_found, block))
        cands.extend(self._pattern_cands(text, block))
        return cands

    def _near_miss(self, word: str) -> str | None:
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        choices = self.fuzzy_index.get(word[:5])
        found = None
        if choices:
            hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
            found = hit[0] if hit else None
        self._fuzzy_cache[word] = found
        return found

    # a pattern match starts at most this far before its trigger word and ends this far after
    _BEFORE, _AFTER = 120, 260

    def _pattern_cands(self, text: str, block: int) -> list[_Cand]:
        windows: dict[int, list[tuple[int, int]]] = {i: [(0, len(text))] for i in self.untriggered}
        hits: list[tuple[int, int, int]] = []
        low = text.lower()
        if len(low) != len(text):  # a few characters change length when lower-cased
            low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
        exact = self.exact_triggers
        for m in self.exact_re.finditer(low):
            if m.start() and _is_word_char(low[m.start() - 1]):
                continue
            hits.extend((m.start(), m.end(), i) for i in exact[m.group()])
        for rx, idx in self.affix_res:
            for m in rx.finditer(low):
                hits.extend((m.start(), m.end(), i) for i in idx)
        hits.sort()
        for s, e, i in hits:
            w = windows.setdefault(i, [])
            ws, we = max(0, s - self._BEFORE), min(len(text), e + self._AFTER)
            if w and ws <= w[-1][1]:
                w[-1] = (w[-1][0], max(w[-1][1], we))
            else:
                w.append((ws, we))
        out: list[_Cand] = []
        seen: set[tuple[int, int, int]] = set()
        for i, spans in windows.items():
            p = self.patterns[i]
            for ws, we in spans:
                for m in p.regex.finditer(text, ws, we):
                    if (i, m.start(), m.end()) in seen:
                        continue
                    seen.add((i, m.start(), m.end()))
                    if p.left_boundary and m.start() > 0 and _is_word_char(text[m.start() - 1]):
                        continue
                    if m.end() < len(text) and m.end() == we and _is_word_char(text[m.end() - 1]):
                        continue  # cut by the window edge
                    groups = {k: v for k, v in m.groupdict().items() if v}
                    out.append(
                        _Cand(
                            m.start(),
                            m.end(),
                            "pattern",
                            pattern=p,
                            groups=groups,
                            template=p.name,
                            block=block,
                            specific_of=p.specific_of,
                            generic_of=p.generic_of,
                        )
                    )
        return out

    def _name_cand(self, s: int, e: int, key: tuple[str, ...], block: int) -> _Cand:
        entries = self.reg.names[key]
        kommuner = [x for x in entries if x.ref.type == "Kommune"]
        others = [x for x in entries if x.ref.type != "Kommune"]
        strong = [x for x in others if not x.weak]
        if strong:
            return _Cand(s, e, "name", entries=strong, block=block)
        if kommuner:
            explicit = key[-1] == "kommune" and len(key) > 1
            common = all(x.weak for x in kommuner)
            return _Cand(
                s, e, "kommune", entries=kommuner, explicit=explicit, common=common, block=block
            )
        regions = [x for x in others if x.ref.type == "Region"]
        if regions:
            return _Cand(s, e, "region", entries=regions, common=True, block=block)
        return _Cand(s, e, "block", entries=others, block=block)

    @staticmethod
    def _select(cands: list[_Cand]) -> list[_Cand]:
        """Non-overlapping candidates, longest first (then patterns before plain names)."""
        rank = {"pattern": 0, "name": 1, "abbr": 2, "kommune": 3, "region": 3, "block": 4}
        cands.sort(key=lambda c: (-c.length, rank[c.kind], c.start))
        size = max((c.end for c in cands), default=0)
        used = bytearray(size)
        taken: list[_Cand] = []
        for c in cands:
            if used.find(1, c.start, c.end) != -1:
                continue
            taken.append(c)
            used[c.start : c.end] = b"\x01" * c.length
        taken.sort(key=lambda c: c.start)
        return taken

    # ------------------------------------------------------------------ kommune rules

    def _word_before(self, text: str, pos: int) -> tuple[str, int, str] | None:
        """The word ending before ``pos`` (skipping spaces only): (word, start, gap)."""
        m = re.search(r"(\w+)([^\w]*)$", text[max(0, pos - 60) : pos])
        if not m:
            return None
        start = pos - len(m.group(0))
        return m.group(1), start, m.group(2)

    def _word_after(self, text: str, pos: int) -> tuple[str, int, str] | None:
        m = re.match(r"([^\w]*)(\w+)", text[pos : pos + 60])
        if not m:
            return None
        return m.group(2), pos + len(m.group(1)), m.group(1)

    def _judge(
        self, text: str, chosen: list[_Cand], explicit: bool, carry: str = ""
    ) -> list[_Cand]:
        fold = self.reg.vocab.spelling
        keep: list[_Cand] = []
        # chains of adjacent kommune (or region) candidates: lists of names
        chains: list[list[int]] = []
        for i, c in enumerate(chosen):
            if c.kind not in ("kommune", "region"):
                continue
            if chains and chains[-1]:
                prev = chosen[chains[-1][-1]]
                gap_re = _LIST_GAP if c.kind == "kommune" else _REGION_LIST_GAP
                if (
                    prev.kind == c.kind
                    and prev.end <= c.start
                    and gap_re.fullmatch(text[prev.end : c.start])
                ):
                    chains[-1].append(i)
                    continue
            chains.append([i])
        accepted: set[int] = set()
        extend_to: dict[int, int] = {}
        for chain in chains:
            first, last = chosen[chain[0]], chosen[chain[-1]]
            if first.kind == "region":
                if len(chain) > 1:
                    accepted.update(chain)
                else:
                    if not first.common or any(not e.weak for e in first.entries):
                        accepted.add(chain[0])
                continue
            before = self._word_before(text, first.start)
            after = self._word_after(text, last.end)
            cue_before = before is not None and fold.get(before[0].lower(), before[0].lower()) in (
                self.list_cues_before
            )
            cue_after = (
                after is not None
                and after[2].strip() == ""
                and fold.get(after[0].lower(), after[0].lower()) in self.cues_after
            )
            if cue_after and len(chain) == 1 and after:
                extend_to[chain[0]] = after[1] + len(after[0])
            if explicit or cue_before or cue_after:
                accepted.update(chain)
                continue
            if len(chain) > 1:
                # "til Kristiansund og Molde": a list of places after a place preposition
                place = before is not None and before[0].lower() in self.location_before
                if not place and any(not chosen[i].common for i in chain):
                    accepted.update(chain)
                else:
                    # "i Vinje kommune og Tokke kommune": named as municipalities all the same
                    accepted.update(i for i in chain if chosen[i].explicit)
                continue
            c = chosen[chain[0]]
            if c.explicit:
                accepted.add(chain[0])
                continue
            if c.common:
                continue
            if self._bare_kommune_ok(text, c, chosen, carry):
                c.bare = True
                accepted.add(chain[0])
        for i, c in enumerate(chosen):
            if c.kind == "block":
                continue
            if c.kind in ("kommune", "region"):
                if i not in accepted:
                    continue
                if i in extend_to:
                    c.end = extend_to[i]
            keep.append(c)
        return keep

    def _bare_kommune_ok(self, text: str, c: _Cand, chosen: list[_Cand], carry: str = "") -> bool:
        line_start = text.rfind("\n", 0, c.start) + 1
        head = text[line_start : c.start]
        # a table row "2015 Grong Sykehjem 1": the municipality column after a year/number
        if re.fullmatch(r"\s*\d{1,4}\.?\s+", head):
            line_end = text.find("\n", c.end)
            rest = text[c.end : line_end if line_end >= 0 else len(text)]
            # "0030 Oslo" alone on a line is a postal address, not a table row
            return not (re.fullmatch(r"\s*\d{4}\s+", head) and not rest.strip())

        line_end = text.find("\n", c.end)
        rest = text[c.end : line_end if line_end >= 0 else len(text)]
        if not head.strip() and _DATELINE_REST.match(rest):
            return False  # "Bodø, 12. oktober 2022": the letter's place and date
        before = self._word_before(text, c.start)
        if before is None and carry and not text[: c.start].strip():
            before = self._word_before(carry + " ", len(carry) + 1)
        if before:
            word, _bstart, gap = before
            if word.lower() in self.location_before and gap.strip() == "":
                return False
            if word[0].isupper() and gap.strip() == "" and "\n" not in gap:
                return False  # "Marit Moe", "SNR Kristiansund": part of another name
        after = self._word_after(text, c.end)
        if after:
            word, _astart, gap = after
            if gap.strip() in ("", "-") and "\n" not in gap:
                low = self.reg.vocab.spelling.get(word.lower(), word.lower())
                if low in self.org_nouns_after:
                    return False
                if word[0].isupper() and not any(
                    o.start == _astart and o.kind == "kommune" for o in chosen
                ):
                    return False
        return True

    # ------------------------------------------------------------------ context and templates

    def _context(self, texts: list[str], cands: list[_Cand], year: int | None) -> dict[str, Any]:
        hf: Counter[str] = Counter()
        hfs: Counter[str] = Counter()
        specific: dict[str, Counter[str]] = {}
        for c in cands:
            if c.kind == "pattern":
                continue
            ref = self._plain_ref(c, year, None)
            if ref is None:
                continue
            if ref.type == "Helseforetak":
                rec = self.reg.helseforetak_by_name(ref.name)
                if rec is not None and rec.kind == "HF":
                    hf[ref.name] += 1
            elif ref.type == "Helsefellesskap":
                hfs[ref.name] += 1
        fylker: Counter[str] = Counter()
        for t in texts:
            for m in self.fylke_re.finditer(t):
                fylke_rec = self.reg.fylke_by_name(m.group(), year)
                if fylke_rec is not None:
                    fylker[fylke_rec.name] += 1
        for c in cands:
            if (
                c.kind == "pattern"
                and c.pattern is not None
                and c.pattern.type == "Helsefellesskap"
            ):
                filled = self._fill(c, {}, c.template or "")
                if filled:
                    hfs[self._pattern_ref(filled, "Helsefellesskap").name] += 1
            if c.kind == "pattern" and c.specific_of:
                names = self._fill(c, {}, c.template or "")
                if names:
                    specific.setdefault(c.specific_of, Counter())[names] += 1
        ctx: dict[str, Any] = {
            "context_hf": hf.most_common(1)[0][0] if hf else None,
            "context_helsefellesskap": hfs.most_common(1)[0][0] if hfs else None,
            "context_fylke": fylker.most_common(1)[0][0] if fylker else None,
            "specific": {k: v.most_common(1)[0][0] for k, v in specific.items()},
        }
        if ctx["context_helsefellesskap"]:
            ctx["context_area"] = "i " + ctx["context_helsefellesskap"]
        else:
            ctx["context_area"] = ctx["context_fylke"]
        return ctx

    def _plain_ref(self, c: _Cand, year: int | None, fylke: str | None) -> ActorRef | None:
        entries = c.entries
        if not entries:
            return None
        if c.kind == "kommune" and fylke and len({e.ref.name for e in entries}) > 1:
            in_fylke = []
            for e in entries:
                rec = self.reg.kommune(e.ref.kommunenummer or "")
                if rec is not None and rec.fylke == fylke:
                    in_fylke.append(e)
            entries = in_fylke or entries
        best = self.reg.choose(entries, year)
        return best.ref if best else None

    def _finalise(self, c: _Cand, ctx: dict[str, Any], year: int | None) -> list[ActorRef]:
        if c.kind != "pattern":
            ref = self._plain_ref(c, year, ctx.get("context_fylke"))
            if ref is None:
                return []
            key = self.reg.generic_of.get(ref.name)
            if key and key in ctx["specific"]:
                return [ActorRef(name=ctx["specific"][key], type=ref.type)]
            return [ref]
        p = c.pattern
        assert p is not None
        if c.generic_of and c.generic_of in ctx["specific"]:
            return [ActorRef(name=ctx["specific"][c.generic_of], type=p.type)]  # type: ignore[arg-type]
        out = []
        for tpl in [p.name, p.name2]:
            if not tpl:
                continue
            name = self._fill(c, ctx, tpl)
            if name is None and tpl is p.name and p.fallback:
                name = self._fill(c, ctx, p.fallback)
            if name:
                out.append(self._pattern_ref(name, p.type))
        return out

    def _pattern_ref(self, name: str, actor_type: str) -> ActorRef:
        known = self.reg.lookup(name)
        if known is not None and known.type == actor_type:
            return known
        if actor_type == "Fylke":
            rec = self.reg.fylke_by_name(re.sub(r"\s+fylkeskommune$", "", name))
            if rec is not None:
                return ActorRef(name=name, type="Fylke", registry_id=rec.fylkesnummer)
        return ActorRef(name=name, type=actor_type)  # type: ignore[arg-type]

    def _fill(self, c: _Cand, ctx: dict[str, Any], template: str) -> str | None:
        missing = False

        def sub(m: re.Match[str]) -> str:
            nonlocal missing
            key, filters = m.group(1), m.group(2)
            val = c.groups.get(key) if not key.startswith("context_") else ctx.get(key)
            if not val:
                missing = True
                return ""
            val = " ".join(val.split())
            for f in (filters or "").split("|"):
                if f:
                    val = self._filter(f, val)
            return val

        out = _TEMPLATE_FIELD.sub(sub, template)
        if missing:
            return None
        return " ".join(out.split()).strip(" ,")

    def _filter(self, f: str, val: str) -> str:
        if f == "lowerfirst":
            return val[0].lower() + val[1:] if len(val) > 1 and val[1].islower() else val
        if f == "korus":
            return "KoRus" if val.upper() == "KORUS" else val
        if f == "upperfirst":
            return val[0].upper() + val[1:]
        if f == "slash":
            return re.sub(r"\s*[-/]\s*", "/", val)
        if f == "canon":
            ref = self.reg.lookup(val) or self.reg.lookup(re.sub(r"\s+(HF|RHF)$", "", val))
            return ref.name if ref else val
        if f == "fylke":
            rec = self.reg.fylke_by_name(val)
            return rec.name if rec else val
        if f == "office":
            return "Fylkesmannen" if val.lower().startswith("fylkesmann") else "Statsforvalteren"
        if f == "hyphencaps":
            parts = val.split("-")
            fixed = [parts[0]] + [
                p
                if p.startswith(("regionen", "området", "distriktet")) or not p
                else p[0].upper() + p[1:]
                for p in parts[1:]
            ]
            return "-".join(fixed)
        if f == "expand":
            for k, v in self.expansions.items():
                val = re.sub(rf"\b{re.escape(k)}\b", v, val)
            return val
        return val


@cache
def get_matcher() -> ActorMatcher:
    """The process-wide matcher, built once from the registry."""
    return ActorMatcher(load_registry())


def find_actor_mentions(doc: NormalisedDocument, year: int | None = None) -> list[ActorMention]:
    """Every actor mention in the document's blocks, in reading order.

    ``year`` (the document's year, if known) picks the municipality codes valid then; by
    default a name resolves to its newest code.
    """
    matcher = get_matcher()
    texts = [b.text for b in doc.blocks]
    found = matcher.find_blocks(texts, year=year)
    out: list[ActorMention] = []
    for block, hits in zip(doc.blocks, found, strict=True):
        for start, end, ref, surface in hits:
            out.append(
                ActorMention(actor=ref, surface=surface, block=block.index, start=start, end=end)
            )
    return out
