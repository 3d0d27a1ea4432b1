"""Content negotiation for SPARQL results (the serialisers are in ``graph/sparql.py``)."""

from __future__ import annotations

from pathlib import Path

from helsegraf.graph.sparql import SparqlResult, media_types_for, serialize

YASGUI_PAGE = Path(__file__).parent / "static" / "yasgui.html"

# Canonical answer types, with a charset for the text formats.
_ANSWER_TYPE = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/csv": "text/csv; charset=utf-8",
    "text/tab-separated-values": "text/tab-separated-values; charset=utf-8",
    "text/turtle": "text/turtle; charset=utf-8",
    "text/plain": "application/n-triples",
}


def accepted(accept: str) -> list[str]:
    """Media types from an Accept header, best first (by q, then by order)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, media))
    return [m for _, _, m in sorted(ranked)]


def choose_media_type(result: SparqlResult, accept: str) -> str:
    """The best media type the Accept header allows for this kind of result.

    SELECT/ASK: SPARQL JSON (default), XML, CSV, TSV. CONSTRUCT/DESCRIBE: Turtle (default),
    N-Triples, JSON-LD. Types the result cannot take are passed over, so a client asking only
    for something else gets the default rather than an error.
    """
    offered = media_types_for(result.kind)
    wanted = accepted(accept)
    for media in wanted:
        if media in offered:
            return media
    for media in wanted:  # wildcards: text/*, application/*
        if media.endswith("/*"):
            for m in offered:
                if m.startswith(media[:-1]):
                    return m
    return offered[0]


def negotiate(result: SparqlResult, accept: str) -> tuple[bytes, str]:
    """Serialise ``result`` for the Accept header: ``(body, content type)``."""
    media = choose_media_type(result, accept)
    return serialize(result, media), _ANSWER_TYPE.get(media, media)
