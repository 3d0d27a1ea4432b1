"""The recognise stage: actor mentions (registry) and initiative mentions (examples)."""

from __future__ import annotations

import logging

from helsegraf.ingest import initiatives
from helsegraf.ingest.models import ActorMention, Recognised, SegmentedDocument

log = logging.getLogger(__name__)


def _actor_mentions(doc: SegmentedDocument) -> list[ActorMention]:
    try:
        from helsegraf.ingest.actors import find_actor_mentions  # type: ignore[import-not-found]
    except ImportError:  # the actor matcher is not installed in this tree
        log.warning("helsegraf.ingest.actors is missing: no actor mentions")
        return []
    return list(find_actor_mentions(doc.doc))


def run(doc: SegmentedDocument) -> Recognised:
    """Find the actors and the initiatives that a segmented document names."""
    actors = _actor_mentions(doc)
    examples = initiatives.find_mentions(doc, actors)
    return Recognised(actors=actors, examples=examples)
