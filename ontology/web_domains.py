"""Who publishes on a web domain: the organisations' own sites, and sites that host others.

The data is ``ontology/web_domains.yaml`` plus the municipalities of the registry (their sites
follow one rule, ``kommune_domains``). :func:`publisher` turns a document's URL into the
organisation whose own site it is, or says that the site hosts other people's documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

HERE = Path(__file__).resolve().parent
WEB_DOMAINS_YAML = HERE / "web_domains.yaml"


@dataclass(frozen=True)
class Publisher:
    """The owner of a site: ``name`` is an organisation's canonical name (None for a site
    that hosts other people's documents, ``hosted``)."""

    domain: str
    name: str | None = None
    hosted: bool = False


def host_of(url: str) -> str:
    """The host name of a URL in lower case, without 'www.' ('' when there is none)."""
    text = url.strip()
    if "//" not in text:
        text = "//" + text  # "ks.no/horingssvar/…" written without a scheme
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _fold(name: str, *, long: bool) -> str:
    """A name as a domain label: lower case, spaces and dashes as '-', æ ø å as ae o a
    (``long``: ae oe aa), other accents dropped."""
    s = name.lower()
    s = s.replace("æ", "ae").replace("ø", "oe" if long else "o").replace("å", "aa" if long else "a")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


@dataclass(frozen=True)
class _Table:
    organisations: dict[str, str]
    hosts: frozenset[str]
    host_labels: frozenset[str]


@cache
def _table() -> _Table:
    data = yaml.safe_load(WEB_DOMAINS_YAML.read_text(encoding="utf-8"))
    orgs = {str(k).lower(): str(v) for k, v in (data.get("organisations") or {}).items()}
    templates = [str(t) for t in data.get("kommune_domains") or []]
    for domain, name in kommune_domains(templates).items():
        orgs.setdefault(domain, name)
    return _Table(
        organisations=orgs,
        hosts=frozenset(str(h).lower() for h in data.get("hosts") or []),
        host_labels=frozenset(str(h).lower() for h in data.get("host_labels") or []),
    )


def kommune_domains(templates: list[str]) -> dict[str, str]:
    """domain -> kommune name ('Lunner kommune'), from the registry's municipalities; a
    name two municipalities bear in the same years gives no domain."""
    from helsegraf.ontology.registry import load_registry

    spans: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for k in load_registry().kommuner:
        spans[k.name_base].append((k.kommunenummer, k.valid_from or "", k.valid_to or "9999"))
    out: dict[str, str] = {}
    for base, rows in spans.items():
        clash = any(
            a[0] != b[0] and a[1] < b[2] and b[1] < a[2]
            for i, a in enumerate(rows)
            for b in rows[i + 1 :]
        )
        if clash:
            continue
        for long in (False, True):
            label = _fold(base, long=long)
            for t in templates:
                out.setdefault(t.format(name=label), f"{base} kommune")
    return out


def publisher(url: str | None) -> Publisher | None:
    """The publisher of ``url``: an organisation's own site (its canonical name), a site
    that hosts others' documents (``hosted``), or None when the domain is not known."""
    if not url:
        return None
    host = host_of(url)
    if not host:
        return None
    table = _table()
    labels = host.split(".")
    if labels[0] in table.host_labels and len(labels) > 2:
        return Publisher(domain=host, hosted=True)
    # the longest known domain the host is, or is a sub-domain of
    for i in range(len(labels) - 1):
        domain = ".".join(labels[i:])
        if domain in table.hosts:
            return Publisher(domain=domain, hosted=True)
        name = table.organisations.get(domain)
        if name is not None:
            return Publisher(domain=domain, name=name)
    return None
