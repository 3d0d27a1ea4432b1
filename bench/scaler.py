"""Corpus scaler: N distinct, realistic documents made from the sample corpus.

Each generated document takes the opening (the part that names its authors) of one sample
document, a contiguous run of that document's sections, sometimes a run of sections from a
document of the same family, sometimes a second voice (another opening and sections), and then
substitutes every actor the text names (kommuner, helseforetak, sykehus, helsefellesskap) with
other actors of the same kind from the registries. Generation is deterministic for a seed, and
document ``i`` depends only on the seed and the documents before it, so the corpus of size N is
the first N documents of any larger corpus: sizes nest, and one store can grow through them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import random
import re
import shutil
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "corpus"
CACHE = Path(__file__).resolve().parent / ".cache"
REGISTRY_DIRS = (REPO / "ontology" / "registries", Path("/work/shared/reference"))

# Bump when generation changes: cached corpora of another version are not reused.
SCALER_VERSION = "2"

# Shortest kommune name that is substituted: shorter ones (Os, Bø, Ål, Nes, Sel ...) are also
# ordinary words or parts of phrases, and replacing them would garble the text.
MIN_NAME_LEN = 4
MIN_ALIAS_LEN = 3

_HEADING = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?\s+[A-ZÆØÅa-zæøå«]|[a-h]\)\s+\S|pkt\s*\d)", re.IGNORECASE
)
_WORD = r"[\wÆØÅæøåÉéÜü]"


# --------------------------------------------------------------------------- registries


@dataclass(frozen=True)
class Actor:
    """One registry actor the scaler can recognise and substitute."""

    kind: str  # "kommune" | "helseforetak" | "rhf" | "sykehus" | "helsefellesskap"
    key: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass
class ActorNames:
    """Registry actors by kind, plus one lookup from every surface name to its actor."""

    by_kind: dict[str, list[Actor]]
    source: str
    surfaces: dict[str, Actor] = field(default_factory=dict)

    def all_names(self) -> set[str]:
        """Every name and alias of every actor (what a substitution may insert)."""
        out: set[str] = set()
        for actors in self.by_kind.values():
            for a in actors:
                out.add(a.name)
                out.update(a.aliases)
        return out


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split(";") if p.strip()]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=4)
def load_actor_names(registry_dir: Path | None = None) -> ActorNames:
    """Read kommuner, helseforetak, sykehus and helsefellesskap names from the registry CSVs.

    Uses ``ontology/registries/`` when it has ``kommuner.csv``, else the shared reference data.
    """
    dirs = (registry_dir,) if registry_dir else REGISTRY_DIRS
    folder = next((d for d in dirs if d and (d / "kommuner.csv").exists()), None)
    if folder is None:
        raise FileNotFoundError("no registry folder with kommuner.csv found")
    by_kind: dict[str, list[Actor]] = {}

    kommuner: dict[str, Actor] = {}
    for row in _read(folder / "kommuner.csv"):
        base = (row.get("name_base") or row.get("name") or "").strip()
        if not base or "(" in base or " - " in base or len(base) < MIN_NAME_LEN:
            continue
        # Keep one actor per name; the current code wins over older variants.
        if base not in kommuner or not row.get("valid_to"):
            kommuner[base] = Actor("kommune", row.get("kommunenummer", base), base)
    by_kind["kommune"] = sorted(kommuner.values(), key=lambda a: a.name)

    hf: list[Actor] = []
    for row in _read(folder / "helseforetak.csv"):
        kind = row.get("kind") or row.get("type") or ""
        if kind not in ("HF", "RHF"):
            continue
        aliases = _split(row.get("aliases")) or _split(row.get("aliases_sourced"))
        aliases = [a for a in aliases if len(a) >= MIN_ALIAS_LEN and a != row["name"]]
        kind_key = "rhf" if kind == "RHF" else "helseforetak"
        hf.append(Actor(kind_key, row.get("id", row["name"]), row["name"], tuple(aliases)))
    by_kind["helseforetak"] = [a for a in hf if a.kind == "helseforetak"]
    by_kind["rhf"] = [a for a in hf if a.kind == "rhf"]

    if (folder / "sykehus.csv").exists():
        names = {}
        for row in _read(folder / "sykehus.csv"):
            name = (row.get("name") or row.get("sykehus") or "").strip()
            if name and not name.endswith((" HF", " AS")):
                names[name] = Actor("sykehus", row.get("id") or name, name)
        # A hospital that shares its name with its trust (Sunnaas sykehus) counts as the trust.
        trust_names = {n for a in hf for n in (a.name, *a.aliases)}
        by_kind["sykehus"] = sorted(
            (a for a in names.values() if a.name not in trust_names), key=lambda a: a.name
        )

    if (folder / "helsefellesskap.csv").exists():
        hfs = []
        for row in _read(folder / "helsefellesskap.csv"):
            name = row.get("name", "").strip()
            if name and "not verified" not in name:
                hfs.append(
                    Actor(
                        "helsefellesskap",
                        row.get("id") or row.get("helsefellesskap_id") or name,
                        name,
                        tuple(_split(row.get("aliases"))),
                    )
                )
        by_kind["helsefellesskap"] = hfs

    names = ActorNames(by_kind=by_kind, source=str(folder))
    for kind in ("kommune", "sykehus", "helsefellesskap", "rhf", "helseforetak"):
        for actor in by_kind.get(kind, []):
            for surface in (actor.name, *actor.aliases):
                names.surfaces[surface] = actor
    return names


@lru_cache(maxsize=4)
def _surface_regex(registry_dir: Path | None = None) -> re.Pattern[str]:
    surfaces = sorted(load_actor_names(registry_dir).surfaces, key=len, reverse=True)
    alternation = "|".join(re.escape(s) for s in surfaces)
    return re.compile(rf"(?<!{_WORD})(?<!-)(?:{alternation})(?!{_WORD})(?!-{_WORD})")


# --------------------------------------------------------------------------- sample documents


@dataclass
class SampleDoc:
    """A sample document cut into its opening and its sections (lists of lines)."""

    name: str
    family: str
    opening: list[str]
    sections: list[list[str]]


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 160:
        return False
    return s.endswith("?") or (len(s) < 100 and bool(_HEADING.match(s)))


def split_document(name: str, text: str) -> SampleDoc:
    """Cut a text into its opening (lines before the first heading) and its sections."""
    lines = text.splitlines()
    opening: list[str] = []
    sections: list[list[str]] = []
    for line in lines:
        if _is_heading(line):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            opening.append(line)
    if not sections:  # no headings: paragraphs are the sections
        sections = [[ln] for ln in opening[10:]]
        opening = opening[:10]
    family = "innspill" if "innspill" in text[:600].lower() else "plan"
    return SampleDoc(name, family, opening, sections)


@lru_cache(maxsize=4)
def load_samples(source_dir: Path = SAMPLES) -> tuple[SampleDoc, ...]:
    """Read and cut every .txt in the sample folder, in name order."""
    paths = sorted(source_dir.glob("*.txt"))
    if not paths:
        raise FileNotFoundError(f"no .txt documents in {source_dir}")
    return tuple(split_document(p.name, p.read_text(encoding="utf-8")) for p in paths)


# --------------------------------------------------------------------------- generation


@dataclass
class GeneratedDoc:
    """One generated document and how it was made."""

    index: int
    name: str
    sha256: str
    text: str
    sources: list[str]
    substitutions: dict[str, str]

    @property
    def nbytes(self) -> int:
        return len(self.text.encode("utf-8"))


def _window(rng: random.Random, sections: list[list[str]]) -> list[str]:
    n = len(sections)
    length = rng.randint(max(1, n // 3), n)
    start = rng.randint(0, n - length)
    return [line for sec in sections[start : start + length] for line in sec]


def _is_abbreviation(name: str) -> bool:
    return " " not in name and sum(c.isupper() for c in name) >= 2


def _substitute(
    rng: random.Random, text: str, registry_dir: Path | None
) -> tuple[str, dict[str, str]]:
    names = load_actor_names(registry_dir)
    by_actor: dict[Actor, Actor] = {}
    mapping: dict[str, str] = {}

    def replace(m: re.Match[str]) -> str:
        surface = m.group(0)
        actor = names.surfaces[surface]
        if actor not in by_actor:
            pool = names.by_kind[actor.kind]
            taken = set(by_actor.values())
            choice = actor
            for _ in range(8):
                choice = pool[rng.randrange(len(pool))]
                if choice != actor and choice not in taken:
                    break
            by_actor[actor] = choice
        new = by_actor[actor]
        out = new.name
        if surface != actor.name:  # an alias becomes an alias of the same style (HNT -> HMR)
            style = _is_abbreviation(surface)
            out = next((a for a in new.aliases if _is_abbreviation(a) == style), new.name)
        mapping[surface] = out
        return out

    return _surface_regex(registry_dir).sub(replace, text), mapping


def _make_one(
    rng: random.Random, samples: tuple[SampleDoc, ...], registry_dir: Path | None
) -> tuple[str, list[str], dict[str, str]]:
    primary = samples[rng.randrange(len(samples))]
    same_family = [s for s in samples if s.family == primary.family and s is not primary]
    others = [s for s in samples if s is not primary]
    lines = list(primary.opening) + _window(rng, primary.sections)
    sources = [primary.name]
    if same_family and rng.random() < 0.5:
        donor = same_family[rng.randrange(len(same_family))]
        lines += ["", *_window(rng, donor.sections)]
        sources.append(donor.name)
    if others and rng.random() < 0.25:  # a second voice, as in joint or collected submissions
        voice = others[rng.randrange(len(others))]
        lines += ["", "", *voice.opening, *_window(rng, voice.sections)]
        sources.append(voice.name)
    text, mapping = _substitute(rng, "\n".join(lines) + "\n", registry_dir)
    return text, sources, mapping


def generate(
    n: int,
    seed: int = 1,
    source_dir: Path = SAMPLES,
    registry_dir: Path | None = None,
    start: int = 0,
    seen: set[str] | None = None,
) -> list[GeneratedDoc]:
    """Return documents ``start .. n-1`` of the corpus for ``seed`` (all distinct texts).

    ``seen`` holds the hashes of documents ``0 .. start-1`` when continuing a corpus.
    """
    samples = load_samples(source_dir)
    seen = set() if seen is None else seen
    docs: list[GeneratedDoc] = []
    for i in range(start, n):
        for attempt in range(1000):
            rng = random.Random(f"helsegraf-bench:{seed}:{i}:{attempt}")
            text, sources, mapping = _make_one(rng, samples, registry_dir)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest not in seen:
                break
        else:  # pragma: no cover - needs a corpus with almost no variation
            raise RuntimeError(f"could not make a distinct document {i}")
        seen.add(digest)
        docs.append(GeneratedDoc(i, f"{i:05d}_{digest[:16]}.txt", digest, text, sources, mapping))
    return docs


# --------------------------------------------------------------------------- on-disk cache


@dataclass
class ScaledCorpus:
    """A folder holding the first ``n`` documents of a seed's corpus."""

    n: int
    seed: int
    dir: Path
    files: list[Path]
    nbytes: int

    def manifest(self) -> dict[str, object]:
        return {"n": self.n, "seed": self.seed, "dir": str(self.dir), "bytes": self.nbytes}


def _pool_dir(seed: int, cache_dir: Path) -> Path:
    return cache_dir / f"corpus-v{SCALER_VERSION}" / f"seed{seed}"


def scale_corpus(
    n: int, seed: int = 1, cache_dir: Path = CACHE, source_dir: Path = SAMPLES
) -> ScaledCorpus:
    """Return a folder with the first ``n`` documents for ``seed``, generating what is missing.

    All documents live once in ``<cache>/corpus-v*/seed*/pool``; ``n<N>/`` holds hard links
    (copies where links are not possible) so that ``helsegraf ingest`` can take the folder.
    """
    root = _pool_dir(seed, cache_dir)
    pool = root / "pool"
    pool.mkdir(parents=True, exist_ok=True)
    manifest_path = root / "manifest.json"
    entries: list[dict[str, object]] = []
    if manifest_path.exists():
        entries = json.loads(manifest_path.read_text(encoding="utf-8"))
    if len(entries) < n:
        seen = {str(e["sha256"]) for e in entries}
        new = generate(n, seed, source_dir, start=len(entries), seen=seen)
        for d in new:
            (pool / d.name).write_text(d.text, encoding="utf-8")
            meta = asdict(d)
            del meta["text"]
            meta["bytes"] = d.nbytes
            entries.append(meta)
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        tmp.replace(manifest_path)
    chosen = entries[:n]
    target = root / f"n{n}"
    expected = {str(e["name"]) for e in chosen}
    if target.exists() and {p.name for p in target.iterdir()} != expected:
        shutil.rmtree(target)
    if not target.exists():
        tmp_dir = root / f".n{n}.tmp"
        shutil.rmtree(tmp_dir, ignore_errors=True)
        tmp_dir.mkdir()
        for e in chosen:
            src, dst = pool / str(e["name"]), tmp_dir / str(e["name"])
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
        tmp_dir.rename(target)
    files = [target / str(e["name"]) for e in chosen]
    nbytes = sum(int(e["bytes"]) for e in chosen)  # type: ignore[call-overload]
    return ScaledCorpus(n=n, seed=seed, dir=target, files=files, nbytes=nbytes)
