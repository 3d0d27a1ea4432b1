"""The link stage: assemble the :class:`Extraction` (the JSON ``helsegraf extract`` prints).

* voices with their authors, line ranges and language (a nynorsk appendix of a bokmål
  document is ``nn``; the document's ``language`` is that of the whole text);
* actors: every actor mentioned and every author, once each, by canonical name;
* challenges and measures: one per (voice, concept) (``annet`` per label), keeping the
  best-scoring quote; a
  measure gathers the responsible parties and times of all rows coded to it;
* examples as found;
* ids derived from content: the document id is the file's sha256 (first 16 hex digits),
  statement ids hash document id, voice, concept and quote offsets.

The output is sorted the same way every time, so the same file gives the same JSON.
"""

from __future__ import annotations

from typing import get_args

from helsegraf import __version__
from helsegraf.ingest.models import (
    ActorOut,
    ActorRef,
    ActorType,
    BlocksByLine,
    Coding,
    ExampleOut,
    Extraction,
    Language,
    Recognised,
    SegmentedDocument,
    StatementOut,
    VoiceOut,
    content_id,
)
from helsegraf.ingest.normalise import detect_language
from helsegraf.ingest.segment import resolve
from helsegraf.ontology.registry import load_registry

# actors are listed by type in the order the model declares the types
_TYPE_ORDER = get_args(ActorType)


def document_id(segmented: SegmentedDocument) -> str:
    """The content-derived id of a document: the first 16 hex digits of its sha256."""
    return segmented.doc.source.sha256[:16]


def _specific_names(segmented: SegmentedDocument, recognised: Recognised) -> dict[str, str]:
    """Author name -> the one more specific form of it that the document's actor mentions
    use ("Administrativt samarbeidsutvalg (ASU)" -> "... (ASU) Nord-Trøndelag")."""
    mentioned = {m.actor.name: m.actor for m in recognised.actors}
    out: dict[str, str] = {}
    for name, ref in segmented.authors.items():
        if name in mentioned:
            continue
        longer = [
            n for n, r in mentioned.items() if n.startswith(name + " ") and r.type == ref.type
        ]
        if len(longer) == 1:
            out[name] = longer[0]
    return out


def _composite(ref: ActorRef) -> bool:
    """A sender the registry does not know that names a unit of organisations ("Klinikk for
    psykisk helsevern og rus, Sykehuset Levanger og DPS Stjørdal"): an author, but the actors
    list names the organisations it contains, as they are mentioned."""
    return "," in ref.name and resolve(ref.name) is None


def _voice_language(
    segmented: SegmentedDocument, lines: tuple[int, int], by_line: BlocksByLine
) -> Language:
    """The language of a voice's own blocks; the document's when there is only one voice (so
    a one-voice document and its voice never disagree)."""
    doc = segmented.doc
    if len(segmented.voices) == 1:
        return doc.language
    blocks = by_line.within(lines[0], lines[1])
    return detect_language(blocks) if blocks else doc.language


def _actor_id(ref: ActorRef) -> str:
    return load_registry().actor_id(ref)


def _merge_statements(
    codings: list[Coding], kind: str, doc_id: str, voice_order: dict[str, int]
) -> list[StatementOut]:
    best: dict[tuple[str, str, str], Coding] = {}
    responsible: dict[tuple[str, str, str], list[str]] = {}
    when: dict[tuple[str, str, str], list[str]] = {}
    for c in codings:
        if c.kind != kind:
            continue
        # ".../annet" statements are different things under one code: keep each label
        key = (c.voice, c.concept, (c.label or "") if c.concept.endswith("/annet") else "")
        old = best.get(key)
        if old is None or (c.score, -c.quote.start) > (old.score, -old.quote.start):
            best[key] = c
        for r in c.responsible:
            if r not in responsible.setdefault(key, []):
                responsible[key].append(r)
        if c.when and c.when not in when.setdefault(key, []):
            when[key].append(c.when)
    out = []
    for key in sorted(
        best, key=lambda k: (voice_order.get(k[0], 99), best[k].quote.start, k[1], k[2])
    ):
        c = best[key]
        q = c.quote
        out.append(
            StatementOut(
                voice=c.voice,
                concept=c.concept,
                quote=q.text,
                label=c.label,
                responsible=responsible.get(key, []) if kind == "measure" else None,
                when="; ".join(when.get(key, [])) or None if kind == "measure" else None,
                id=content_id(doc_id, c.voice, c.concept, str(q.start), str(q.end)),
                theme=c.theme,
                line=q.line,
                start=q.start,
                end=q.end,
                page=q.page,
                assigned_by=c.assigned_by,
                confidence=c.confidence,
                quote_cut=q.cut,
            )
        )
    return out


def run(
    segmented: SegmentedDocument,
    recognised: Recognised,
    codings: list[Coding],
    examples: list[ExampleOut],
) -> Extraction:
    """Assemble the extraction of one document from the outputs of the earlier stages."""
    source = segmented.doc.source
    doc_id = document_id(segmented)
    voice_order = {v.id: k for k, v in enumerate(segmented.voices)}

    specific = _specific_names(segmented, recognised)
    by_line = BlocksByLine(segmented.doc.blocks)
    voices = [
        VoiceOut(
            id=v.id,
            authors=list(dict.fromkeys(specific.get(a, a) for a in v.authors)),
            lines=v.lines,
            note=v.note,
            language=_voice_language(segmented, v.lines, by_line),
        )
        for v in segmented.voices
    ]
    author_refs = dict(segmented.authors)
    for general, name in specific.items():
        specific_ref = next(m.actor for m in recognised.actors if m.actor.name == name)
        author_refs[name] = specific_ref
        author_refs.pop(general, None)

    actors: dict[str, ActorRef] = {}
    for v in voices:
        for a in v.authors:
            ref = author_refs.get(a)
            if ref is not None and not _composite(ref):
                actors.setdefault(ref.name, ref)
    for m in sorted(recognised.actors, key=lambda m: (m.block, m.start)):
        actors.setdefault(m.actor.name, m.actor)
    actor_out = [
        ActorOut(name=r.name, type=r.type, kommunenummer=r.kommunenummer, id=_actor_id(r))
        for r in sorted(
            actors.values(),
            key=lambda r: (_TYPE_ORDER.index(r.type) if r.type in _TYPE_ORDER else 99, r.name),
        )
    ]

    ex_out: list[ExampleOut] = []
    for ex in examples:
        if ex.id is None:
            ex = ex.model_copy(
                update={
                    "id": content_id(
                        doc_id, ex.voice, ex.name, str(ex.start or 0), str(ex.end or 0)
                    )
                }
            )
        ex_out.append(ex)
    ex_out.sort(key=lambda e: (voice_order.get(e.voice, 99), e.start or 0, e.name))

    return Extraction(
        document=source.name,
        title=segmented.title,
        date=segmented.date,
        kind=segmented.kind,
        language=segmented.doc.language,
        voices=voices,
        actors=actor_out,
        challenges=_merge_statements(codings, "challenge", doc_id, voice_order),
        measures=_merge_statements(codings, "measure", doc_id, voice_order),
        examples=ex_out,
        id=doc_id,
        sha256=source.sha256,
        format=source.format,
        pages=source.page_count,
        extractor=f"helsegraf {__version__}",
        source=source.metadata.url,
    )
