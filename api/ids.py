"""Ids in URLs: codebook ids contain a slash, so the part after it is accepted too."""

from __future__ import annotations


def concept_id(raw: str, scheme: str) -> str:
    """Return the full codebook id: ``rekruttering`` and ``utfordring/rekruttering`` both work."""
    raw = raw.strip().strip("/")
    return raw if "/" in raw else f"{scheme}/{raw}"


def prefixed_id(raw: str, prefix: str) -> str:
    """Return ``prefix/raw`` unless ``raw`` already has a ``kind/`` part."""
    raw = raw.strip().strip("/")
    return raw if "/" in raw else f"{prefix}/{raw}"
