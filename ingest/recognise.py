"""The recognise stage: actor mentions (registry) and initiative mentions (examples)."""

from __future__ import annotations

import logging

from helsegraf.ingest import initiatives
from helsegraf.ingest.lexicon import is_textual
from helsegraf.ingest.models import ActorMention, Recognised, SegmentedDocument

log = logging.getLogger(__name__)


def _actor_mentions(doc: SegmentedDocument) -> list[ActorMention]:
    try:
        from helsegraf.ingest.actors import find_actor_mentions  # type: ignore[import-not-found]
    except ImportError:  # the actor matcher is not installed in this tree
        log.warning("helsegraf.ingest.actors is missing: no actor mentions")
        return []
    nd = doc.doc
    textual = [b for b in nd.blocks if is_textual(b.text)]
    if len(textual) < len(nd.blocks):  # blocks without words name no one: not searched
        nd = nd.model_copy(update={"blocks": textual})
    return list(find_actor_mentions(nd))


def run(doc: SegmentedDocument) -> Recognised:
    """Find the actors and the initiatives that a segmented document names."""
    actors = _actor_mentions(doc)
    examples = initiatives.find_mentions(doc, actors)
    return Recognised(actors=actors, examples=examples)
