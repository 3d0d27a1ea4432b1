"""Stable, content-derived ids for graph nodes (see docs/graph-model.md)."""

from __future__ import annotations

import re
import unicodedata

from helsegraf.ingest.models import content_id

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slug(text: str) -> str:
    """Lower-case ``text``, keep letters (Norwegian letters too) and digits, join with ``-``."""
    norm = unicodedata.normalize("NFC", text).casefold()
    return _NON_WORD.sub("-", norm).replace("_", "-").strip("-") or content_id(text, length=8)


def document_id(name: str, sha256: str | None = None, given: str | None = None) -> str:
    """Id of a ``:Dokument``: from the extraction's id or file hash, else from its name."""
    key = given or (sha256[:16] if sha256 else None) or content_id(name)
    return key if key.startswith("dokument/") else f"dokument/{key}"


def voice_id(doc_id: str, voice: str) -> str:
    """Id of a ``:Stemme``: ``<document id>/<voice id>``."""
    return f"{doc_id}/{voice}"


def statement_id(
    doc_id: str, kind: str, voice: str, concept: str, quote: str, start: int | None
) -> str:
    """Id of an ``:Utsagn`` derived from where and what it is."""
    return "utsagn/" + content_id(doc_id, kind, voice, concept, quote, str(start))


def example_id(name: str) -> str:
    """Id of an ``:Eksempel``: ``eksempel/<slug of the name>``."""
    return f"eksempel/{slug(name)}"


def place_id(name: str) -> str:
    """Id of a ``:Sted``."""
    return f"sted/{slug(name)}"


def fallback_actor_id(name: str, actor_type: str, kommunenummer: str | None = None) -> str:
    """Id of an actor the registry does not know: ``<type>/<kommunenummer or slug>``."""
    prefix = actor_type.lower()
    if actor_type == "Kommune" and kommunenummer:
        return f"{prefix}/{kommunenummer}"
    return f"{prefix}/{slug(name)}"
