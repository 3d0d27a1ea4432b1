"""The actor registry: kommuner, fylker, helseforetak, sykehus, helsefellesskap and other actors.

Data comes from ``ontology/registries/*.csv`` (built from the shared reference by
``ontology/registries/build.py``) and ``ontology/organisations.yaml`` (state agencies,
organisations, education institutions, regions, collaboration-body patterns).

``load_registry()`` returns a cached :class:`Registry`. ``Registry.resolve(name, year)`` turns a
name as written ("Leksvik kommune", "HNT", "Sjukehuset i Volda", "helseføretaket Helse Møre og
Romsdal") into an :class:`~helsegraf.ingest.models.ActorRef`; the record lists (``kommuner``,
``fylker``, ``helseforetak``, ``sykehus``, ``helsefellesskap``) feed the graph loader.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from helsegraf.ingest.models import ActorRef, ActorType

HERE = Path(__file__).resolve().parent
REGISTRY_DIR = HERE / "registries"
ORGANISATIONS_YAML = HERE / "organisations.yaml"

_WORD = re.compile(r"\w+")
# the reference's note on a descriptive placeholder name ("… (official name not verified)")
_NOT_VERIFIED = re.compile(r"\s*\((?:official name )?not verified\)\s*$")


# --------------------------------------------------------------------------- records


class KommuneRecord(BaseModel):
    """One kommunenummer (all its KLASS variants merged) valid some time in 2017–2024."""

    id: str = Field(description="graph id, 'kommune/<kommunenummer>'")
    kommunenummer: str
    name: str = Field(description="canonical name, e.g. 'Leksvik kommune'")
    name_base: str = Field(description="Norwegian name without qualifier, e.g. 'Våler'")
    klass_name: str = Field(description="latest official KLASS name incl. Sami/Kven forms")
    other_names: list[str] = Field(default_factory=list, description="earlier and parallel names")
    fylkesnummer: str
    fylke: str
    fylke_id: str
    valid_from: str | None = None
    valid_to: str | None = Field(None, description="first day no longer valid (exclusive)")
    successors: list[str] = Field(default_factory=list, description="kommunenummer")
    predecessors: list[str] = Field(default_factory=list, description="kommunenummer")
    helsefellesskap: list[str] = Field(default_factory=list, description="helsefellesskap ids")

    @property
    def last_year(self) -> int | None:
        """Last calendar year the code was valid (None: still valid)."""
        return int(self.valid_to[:4]) - 1 if self.valid_to else None

    @property
    def successor_ids(self) -> list[str]:
        return [f"kommune/{n}" for n in self.successors]

    @property
    def predecessor_ids(self) -> list[str]:
        return [f"kommune/{n}" for n in self.predecessors]


class FylkeRecord(BaseModel):
    id: str
    fylkesnummer: str
    name: str = Field(description="Norwegian name")
    klass_name: str
    other_names: list[str] = Field(default_factory=list)
    valid_from: str | None = None
    valid_to: str | None = None
    successors: list[str] = Field(default_factory=list)
    predecessors: list[str] = Field(default_factory=list)

    @property
    def successor_ids(self) -> list[str]:
        return [f"fylke/{n}" for n in self.successors]


class HelseforetakRecord(BaseModel):
    id: str = Field(description="graph id, 'helseforetak/<orgnr>'")
    key: str = Field(description="id in the reference table, e.g. 'HNT'")
    name: str
    type: ActorType = Field(description="Helseforetak or RegionaltHelseforetak")
    kind: str = Field(description="RHF, HF, privat-ideell or stotte")
    orgnr: str | None = None
    rhf: str | None = Field(None, description="canonical name of the owning RHF")
    rhf_id: str | None = None
    aliases: list[str] = Field(default_factory=list)
    former_names: list[str] = Field(default_factory=list)


class SykehusRecord(BaseModel):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    hf: str
    hf_id: str | None = None


class HelsefellesskapRecord(BaseModel):
    id: str
    key: str
    name: str
    name_verified: bool = True
    aliases: list[str] = Field(default_factory=list)
    helseforetak: list[str] = Field(default_factory=list, description="helseforetak graph ids")
    kommuner: list[str] = Field(default_factory=list, description="kommune graph ids")


class OrganisationRecord(BaseModel):
    """A non-registry actor from organisations.yaml."""

    id: str
    name: str
    type: ActorType
    aliases: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    kommuner: list[str] = Field(default_factory=list, description="member kommunenummer, regions")


# --------------------------------------------------------------------------- helpers


def slug(text: str) -> str:
    """Lowercase ASCII id fragment: 'Helse- og omsorgsdepartementet' -> 'helse-og-omsorgsdepartementet'."""
    t = text.replace("æ", "ae").replace("Æ", "ae").replace("ø", "o").replace("Ø", "o")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")


def _split(cell: str | None) -> list[str]:
    return [x.strip() for x in (cell or "").split(";") if x.strip()]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _merged_into(whole: FylkeRecord, part: FylkeRecord) -> set[str]:
    """``whole``'s number when ``part`` was merged into it or split from it, else nothing."""
    linked = part.fylkesnummer in whole.predecessors or part.fylkesnummer in whole.successors
    return {whole.fylkesnummer} if linked else set()


def _valid_in(valid_from: str | None, valid_to: str | None, year: int) -> bool:
    start_ok = not valid_from or int(valid_from[:4]) <= year
    end_ok = not valid_to or valid_to > f"{year}-01-01"
    return start_ok and end_ok


@dataclass
class Vocabulary:
    """Token-normalisation data shared by the registry and the matcher."""

    spelling: dict[str, str] = field(default_factory=dict)

    def tokens(self, text: str) -> tuple[str, ...]:
        """Lowercased word tokens with nynorsk/bokmål spelling variants folded."""
        return tuple(self.spelling.get(t, t) for t in (w.lower() for w in _WORD.findall(text)))


# --------------------------------------------------------------------------- registry


@dataclass
class Entry:
    """One name form pointing at one actor."""

    ref: ActorRef
    case_sensitive: bool = False
    weak: bool = False  # a bare place-like name: only with a kommune cue or in a list
    valid_from: str | None = None
    valid_to: str | None = None


class Registry:
    """All actors the project knows, and name resolution over them."""

    def __init__(self, registry_dir: Path = REGISTRY_DIR, organisations: Path = ORGANISATIONS_YAML):
        self.config: dict[str, Any] = yaml.safe_load(organisations.read_text(encoding="utf-8"))
        self.vocab = Vocabulary(spelling=dict(self.config.get("spelling_variants") or {}))
        self.fylker: list[FylkeRecord] = []
        self.kommuner: list[KommuneRecord] = []
        self.helseforetak: list[HelseforetakRecord] = []
        self.sykehus: list[SykehusRecord] = []
        self.helsefellesskap: list[HelsefellesskapRecord] = []
        self.organisations: list[OrganisationRecord] = []
        # key (token tuple) -> entries; built from every record's name forms
        self.names: dict[tuple[str, ...], list[Entry]] = defaultdict(list)
        # abbreviations matched as written (HNT, HMR, SI, KS, NAV, HOD ...)
        self.abbreviations: dict[str, list[Entry]] = defaultdict(list)
        self._kommune_by_nr: dict[str, KommuneRecord] = {}
        self._kommune_variants: dict[str, list[dict[str, str]]] = defaultdict(list)
        self._fylke_by_nr: dict[str, FylkeRecord] = {}
        self._fylke_keys: dict[tuple[str, ...], list[FylkeRecord]] = defaultdict(list)
        self._hf_by_name: dict[str, HelseforetakRecord] = {}
        self._by_id: dict[str, ActorRef] = {}
        # bare agency names that mean a specific office when the document names one (NAV)
        self.generic_of: dict[str, str] = {}
        self.common_word_kommuner: set[str] = {
            t.lower() for t in self.config.get("kommune_matching", {}).get("common_word_names", [])
        }
        self._load_fylker(registry_dir)
        self._load_kommuner(registry_dir)
        self._load_helseforetak(registry_dir)
        self._load_sykehus(registry_dir)
        self._load_helsefellesskap(registry_dir)
        self._load_organisations()

    # ------------------------------------------------------------------ loading

    def _add_name(self, text: str, entry: Entry) -> None:
        key = self.vocab.tokens(text)
        if not key:
            return
        bucket = self.names[key]
        if not any(e.ref == entry.ref for e in bucket):
            bucket.append(entry)

    def _add_abbreviation(self, text: str, entry: Entry) -> None:
        bucket = self.abbreviations[text]
        if not any(e.ref == entry.ref for e in bucket):
            bucket.append(entry)

    def _load_fylker(self, d: Path) -> None:
        for r in _read_csv(d / "fylker.csv"):
            nr = r["fylkesnummer"]
            rec = FylkeRecord(
                id=f"fylke/{nr}",
                fylkesnummer=nr,
                name=r["name_norwegian"],
                klass_name=r["name"],
                other_names=_split(r["parallel_names"]) + _split(r["other_names"]),
                valid_from=r["valid_from"] or None,
                valid_to=r["valid_to"] or None,
                successors=_split(r["successor_fylkesnummer"]),
                predecessors=_split(r["predecessor_fylkesnummer"]),
            )
            self.fylker.append(rec)
            self._fylke_by_nr[nr] = rec
            ref = ActorRef(name=rec.name, type="Fylke", registry_id=nr)
            self._by_id[rec.id] = ref
            # a bare county name is a place: the matcher uses it to block shorter names inside it
            entry = Entry(ref=ref, weak=True, valid_from=rec.valid_from, valid_to=rec.valid_to)
            for n in [rec.name, rec.klass_name, *rec.other_names]:
                self._add_name(n, entry)

    def _load_kommuner(self, d: Path) -> None:
        rows = _read_csv(d / "kommuner.csv")
        for r in rows:
            self._kommune_variants[r["kommunenummer"]].append(r)
        for nr, variants in sorted(self._kommune_variants.items()):
            variants.sort(key=lambda v: v["valid_from"])
            last = variants[-1]
            base = last["name_base"]
            ambiguous = bool(last["base_name_ambiguous_in_years"])
            canonical = f"{base} kommune"
            if ambiguous:
                qualifier = last["name_norwegian"][len(base) :].strip()
                canonical = f"{base} kommune {qualifier}".strip()
            other: list[str] = []
            for v in variants:
                for n in [v["name_norwegian"], v["name_base"], *_split(v["parallel_names"])]:
                    if n and n != base and n not in other:
                        other.append(n)
            fylkesnummer = last["fylkesnummer"]
            valid_to = variants[-1]["valid_to"] or None
            succ = [s for s in _split(last["successor_kommunenummer"]) if s != nr]
            pred: list[str] = []
            for v in variants:
                pred += [p for p in _split(v["predecessor_kommunenummer"]) if p != nr]
            rec = KommuneRecord(
                id=f"kommune/{nr}",
                kommunenummer=nr,
                name=canonical,
                name_base=base,
                klass_name=last["name"],
                other_names=other,
                fylkesnummer=fylkesnummer,
                fylke=self._fylke_by_nr[fylkesnummer].name
                if fylkesnummer in self._fylke_by_nr
                else last["fylke"],
                fylke_id=f"fylke/{fylkesnummer}",
                valid_from=variants[0]["valid_from"] or None,
                valid_to=valid_to,
                successors=succ,
                predecessors=list(dict.fromkeys(pred)),
            )
            self.kommuner.append(rec)
            self._kommune_by_nr[nr] = rec
        for rec in self.kommuner:
            ref = self._kommune_ref(rec)
            self._by_id[rec.id] = ref
            weak = rec.name_base.lower() in self.common_word_kommuner
            entry = Entry(ref=ref, weak=weak, valid_from=rec.valid_from, valid_to=rec.valid_to)
            for n in [rec.name_base, *rec.other_names]:
                self._add_name(n, entry)
            # "Leksvik kommune" as one name form too (resolve() uses it directly)
            self._add_name(
                f"{rec.name_base} kommune",
                Entry(ref=ref, valid_from=rec.valid_from, valid_to=rec.valid_to),
            )

    @staticmethod
    def _kommune_ref(rec: KommuneRecord) -> ActorRef:
        return ActorRef(
            name=rec.name,
            type="Kommune",
            kommunenummer=rec.kommunenummer,
            registry_id=rec.kommunenummer,
        )

    def _load_helseforetak(self, d: Path) -> None:
        for r in _read_csv(d / "helseforetak.csv"):
            is_rhf = r["kind"] == "RHF"
            orgnr = r["orgnr"]
            rec = HelseforetakRecord(
                id=f"helseforetak/{orgnr or slug(r['id'])}",
                key=r["id"],
                name=r["name"],
                type="RegionaltHelseforetak" if is_rhf else "Helseforetak",
                kind=r["kind"],
                orgnr=orgnr or None,
                rhf=r["rhf"] or None,
                aliases=_split(r["aliases"]),
                former_names=_split(r["former_names"]),
            )
            self.helseforetak.append(rec)
            self._hf_by_name[rec.name] = rec
        for rec in self.helseforetak:
            if rec.rhf and rec.rhf in self._hf_by_name:
                rec.rhf_id = self._hf_by_name[rec.rhf].id
            ref = ActorRef(name=rec.name, type=rec.type, orgnr=rec.orgnr, registry_id=rec.key)
            self._by_id[rec.id] = ref
            entry = Entry(ref=ref)
            for n in [rec.name, *rec.former_names]:
                self._add_name(n, entry)
                # "Helse Møre og Romsdal HF" is also written without the suffix
                stripped = re.sub(r"\s+(HF|RHF|AS|SF)$", "", n)
                if stripped != n:
                    self._add_name(stripped, entry)
            for a in rec.aliases:
                if a.isupper() or (len(a) <= 5 and any(c.isupper() for c in a[1:])):
                    self._add_abbreviation(a, entry)  # HNT, SiV, HMR, UNN, OUS ...
                else:
                    self._add_name(a, entry)

    def _load_sykehus(self, d: Path) -> None:
        extra = self.config.get("sykehus_aliases") or {}
        for r in _read_csv(d / "sykehus.csv"):
            hf = self._hf_by_name.get(r["hf"])
            rec = SykehusRecord(
                id=f"sykehus/{r['id']}",
                name=r["name"],
                aliases=_split(r["name_variants"]) + _split(r.get("aliases", "")),
                hf=r["hf"],
                hf_id=hf.id if hf else None,
            )
            rec.aliases += [a for a in extra.get(rec.name, []) if a not in rec.aliases]
            self.sykehus.append(rec)
            ref = ActorRef(name=rec.name, type="Sykehus", registry_id=r["id"])
            self._by_id[rec.id] = ref
            entry = Entry(ref=ref)
            for n in [rec.name, *rec.aliases, *self._hospital_variants(rec.name)]:
                if n.isupper():
                    self._add_abbreviation(n, entry)
                else:
                    self._add_name(n, entry)

    @staticmethod
    def _hospital_variants(name: str) -> list[str]:
        """Other ways a hospital name is written: 'Volda sjukehus' -> 'Sjukehuset i Volda' ..."""
        out: list[str] = []
        m = re.fullmatch(r"(?P<place>[\wÆØÅæøå .-]+?) (?:sjukehus|sykehus)", name)
        if m:
            p = m["place"]
            out += [f"Sjukehuset i {p}", f"{p} sjukehus", f"{p} sjukehuset"]
        m = re.fullmatch(r"(?:Sykehuset|Sjukehuset) (?P<place>[A-ZÆØÅ][\w-]+)", name)
        if m:
            p = m["place"]
            out += [f"{p} sykehus", f"Sykehuset i {p}", f"{p} sjukehus"]
        m = re.fullmatch(r"(?P<org>[^,]+), (?P<place>[A-ZÆØÅ][\w -]+)", name)
        if m:
            out.append(f"{m['org']} {m['place']}")
            if m["org"] in ("OUS",):
                out.append(m["place"])
        return out

    def _load_helsefellesskap(self, d: Path) -> None:
        members: dict[str, list[str]] = defaultdict(list)
        for r in _read_csv(d / "helsefellesskap_kommuner.csv"):
            kid = f"kommune/{r['kommunenummer']}"
            if kid not in members[r["helsefellesskap_id"]]:
                members[r["helsefellesskap_id"]].append(kid)
            k = self._kommune_by_nr.get(r["kommunenummer"])
            if k and f"helsefellesskap/{r['helsefellesskap_id']}" not in k.helsefellesskap:
                k.helsefellesskap.append(f"helsefellesskap/{r['helsefellesskap_id']}")
        for r in _read_csv(d / "helsefellesskap.csv"):
            hf_ids = []
            for n in _split(r["helseforetak"]):
                n = re.sub(r"\s*\(.*\)$", "", n)
                if n in self._hf_by_name:
                    hf_ids.append(self._hf_by_name[n].id)
            rec = HelsefellesskapRecord(
                id=f"helsefellesskap/{r['id']}",
                key=r["id"],
                # the registry's note on a descriptive name is kept as name_verified, never
                # inside the name that the graph, the API and the page show
                name=_NOT_VERIFIED.sub("", r["name"]),
                name_verified=r["name_verified"] == "yes",
                aliases=_split(r["aliases"]),
                helseforetak=hf_ids,
                kommuner=members.get(r["id"], []),
            )
            self.helsefellesskap.append(rec)
            ref = ActorRef(name=rec.name, type="Helsefellesskap", registry_id=rec.key)
            self._by_id[rec.id] = ref
            entry = Entry(ref=ref)
            self._add_trust_names(rec, ref)
            if not rec.name_verified:
                continue  # descriptive placeholder names are not text names
            for n in [rec.name, *rec.aliases]:
                self._add_name(n, entry)
                m = re.fullmatch(r"Helsefellesskap(?:et)?(?: i)? (?P<area>.+)", n)
                if m:
                    area = m["area"]
                    for form in self._hf_forms("area"):
                        self._add_name(f"{form} {area}", entry)
                    if area == "Møre og Romsdal":
                        self._add_name("Helsefellesskap M&R", entry)

    def _hf_forms(self, kind: str) -> list[str]:
        """How a helsefellesskap is written before its area or its trust (organisations.yaml)."""
        return [str(f) for f in (self.config.get("helsefellesskap_forms") or {}).get(kind) or []]

    def _add_trust_names(self, rec: HelsefellesskapRecord, ref: ActorRef) -> None:
        """Names after the one trust of a helsefellesskap ("Helsefellesskapet Vestre Viken",
        "Helsefellesskapet i Helse Fonna"), all resolving to the registry's record; a name the
        registry marks as not verified is given without that note."""
        if len(rec.helseforetak) != 1:
            return
        hf = next((h for h in self._hf_by_name.values() if h.id == rec.helseforetak[0]), None)
        if hf is None:
            return
        base = re.sub(r"\s+HF$", "", hf.name)
        names = [f"{form} {base}" for form in self._hf_forms("trust")]
        if not rec.name_verified:
            names.append(rec.name)
        for name in names:
            self._add_name(name, Entry(ref=ref))

    def _load_organisations(self) -> None:
        for group in self.config.get("actors", []):
            gtype = group["type"]
            for item in group["entries"]:
                rec = OrganisationRecord(
                    id=item.get("id") or f"{self._id_prefix(gtype)}/{slug(item['name'])}",
                    name=item["name"],
                    type=item.get("type", gtype),
                    aliases=list(item.get("aliases") or []),
                    abbreviations=list(item.get("abbreviations") or []),
                    kommuner=[str(k) for k in item.get("kommuner") or []],
                )
                self.organisations.append(rec)
                ref = ActorRef(name=rec.name, type=rec.type, registry_id=rec.id)
                self._by_id[rec.id] = ref
                entry = Entry(ref=ref, weak=bool(item.get("weak")))
                if item.get("generic_of"):
                    self.generic_of[rec.name] = item["generic_of"]
                for n in [rec.name, *rec.aliases]:
                    self._add_name(n, entry)
                for a in rec.abbreviations:
                    self._add_abbreviation(a, entry)

    @staticmethod
    def _id_prefix(actor_type: str) -> str:
        return {
            "Kommune": "kommune",
            "Fylke": "fylke",
            "Helseforetak": "helseforetak",
            "RegionaltHelseforetak": "helseforetak",
            "Sykehus": "sykehus",
            "Helsefellesskap": "helsefellesskap",
            "Region": "region",
        }.get(actor_type, "org")

    # ------------------------------------------------------------------ lookups

    def kommune(self, kommunenummer: str) -> KommuneRecord | None:
        """The kommune record for a kommunenummer ('1718'), or None."""
        return self._kommune_by_nr.get(kommunenummer)

    def fylke(self, fylkesnummer: str) -> FylkeRecord | None:
        return self._fylke_by_nr.get(fylkesnummer)

    def helseforetak_by_name(self, name: str) -> HelseforetakRecord | None:
        return self._hf_by_name.get(name)

    def fylke_by_name(self, name: str, year: int | None = None) -> FylkeRecord | None:
        """The fylke called ``name`` (Norwegian or KLASS form), valid in ``year`` if given."""
        if not self._fylke_keys:
            for f in self.fylker:
                for n in {f.name, f.klass_name, *f.other_names}:
                    bucket = self._fylke_keys[self.vocab.tokens(n)]
                    if f not in bucket:
                        bucket.append(f)
        found = list(self._fylke_keys.get(self.vocab.tokens(name), []))
        if year is not None:
            in_year = [f for f in found if _valid_in(f.valid_from, f.valid_to, year)]
            if not in_year:
                # "Finnmark" in 2022: the county it was part of then (Troms og Finnmark)
                in_year = [
                    succ
                    for f in found
                    for nr in f.successors + f.predecessors
                    if (succ := self._fylke_by_nr.get(nr)) is not None
                    and _valid_in(succ.valid_from, succ.valid_to, year)
                    and succ.fylkesnummer in _merged_into(succ, f)
                ]
            found = in_year or found
        # prefer the newest code (Østfold 31 over 01) when the year does not decide
        return max(found, key=lambda f: f.valid_from or "") if found else None

    def successors(self, kommunenummer: str, transitive: bool = True) -> list[str]:
        """Kommunenummer that took over ``kommunenummer`` (e.g. '1718' -> ['5054'])."""
        return self._walk(kommunenummer, lambda r: r.successors, transitive)

    def predecessors(self, kommunenummer: str, transitive: bool = True) -> list[str]:
        """Kommunenummer merged into or renumbered as ``kommunenummer`` (2017–2024 codes)."""
        return self._walk(kommunenummer, lambda r: r.predecessors, transitive)

    def lineage(self, kommunenummer: str) -> list[str]:
        """The code itself and all its predecessors: what a query for today's kommune covers."""
        return [kommunenummer, *self.predecessors(kommunenummer)]

    def _walk(self, nr: str, step, transitive: bool) -> list[str]:
        out: list[str] = []
        todo = [nr]
        while todo:
            rec = self._kommune_by_nr.get(todo.pop())
            if rec is None:
                continue
            for n in step(rec):
                if n not in out and n != nr and n in self._kommune_by_nr:
                    out.append(n)
                    if transitive:
                        todo.append(n)
        return out

    def kommune_ids_of_helsefellesskap(self, name_or_id: str) -> list[str]:
        for h in self.helsefellesskap:
            if name_or_id in (h.id, h.key, h.name):
                return h.kommuner
        return []

    def hf_of_sykehus(self, sykehus_name: str) -> HelseforetakRecord | None:
        for s in self.sykehus:
            if s.name == sykehus_name:
                return self._hf_by_name.get(s.hf)
        return None

    def record(self, actor_id: str) -> ActorRef | None:
        """The ActorRef for a graph id ('kommune/1718', 'org/ks'), if the registry has it."""
        return self._by_id.get(actor_id)

    def actor_id(self, ref: ActorRef) -> str:
        """The stable graph id of an actor: 'kommune/1718', 'helseforetak/983974791', 'org/ks'."""
        if ref.type == "Kommune" and ref.kommunenummer:
            return f"kommune/{ref.kommunenummer}"
        if ref.type in ("Helseforetak", "RegionaltHelseforetak"):
            rec = self._hf_by_name.get(ref.name)
            if rec:
                return rec.id
            if ref.orgnr:
                return f"helseforetak/{ref.orgnr}"
        if ref.type == "Fylke" and ref.registry_id:
            return f"fylke/{ref.registry_id}"
        if ref.type == "Sykehus" and ref.registry_id and ref.registry_id.startswith("behsh-"):
            return f"sykehus/{ref.registry_id}"
        if ref.type == "Helsefellesskap" and ref.registry_id:
            return f"helsefellesskap/{ref.registry_id}"
        if ref.registry_id and "/" in ref.registry_id:
            return ref.registry_id
        return f"{self._id_prefix(ref.type)}/{slug(ref.name)}"

    # ------------------------------------------------------------------ resolution

    def choose(self, entries: Iterable[Entry], year: int | None = None) -> Entry | None:
        """Pick one entry for a name: the one valid in ``year``, else the newest."""
        es = list(entries)
        if not es:
            return None
        if year is not None:
            valid = [e for e in es if _valid_in(e.valid_from, e.valid_to, year)]
            es = valid or es
        if all(e.valid_to is not None or e.valid_from is not None for e in es):
            # the same kommune under several codes (renumbering), or namesakes (Våler, Herøy):
            # take the newest code
            return max(es, key=lambda e: (e.valid_to is None, e.valid_to or "", e.valid_from or ""))
        return es[0]

    def lookup(self, text: str, year: int | None = None) -> ActorRef | None:
        """Exact lookup of one name form (normalised tokens, abbreviations as written)."""
        if text.strip() in self.abbreviations:
            e = self.choose(self.abbreviations[text.strip()], year)
            return e.ref if e else None
        entries = self.names.get(self.vocab.tokens(text), [])
        # "Oslo" is a kommune and a county: the kommune is the actor
        entries = [e for e in entries if e.ref.type != "Fylke"] or entries
        e = self.choose(entries, year)
        return e.ref if e else None

    def resolve(self, name: str, year: int | None = None) -> ActorRef | None:
        """Resolve a written name to an actor, or None.

        Tries, in order: the name as an exact (normalised) name form or abbreviation; the
        actor matcher over the whole string (patterns such as 'Statsforvalteren i Trøndelag',
        'LSU Volda', 'Fagråd 3/5'), accepted only when one match covers the name; and a strict
        fuzzy match (rapidfuzz, score >= 92) against all name forms for spelling slips.
        """
        text = " ".join(name.split())
        if not text:
            return None
        ref = self.lookup(text, year)
        if ref is not None:
            return ref
        from helsegraf.ingest.actors import get_matcher

        matches = get_matcher().find(text, year=year, explicit=True)
        all_words = [m for m in _WORD.finditer(text)]
        # the longest-named match that accounts for every word: the other matches and the
        # leftover words must be filler or part of its name ("... (SSU) i Helsefellesskapet ...")
        for _start, _end, ref, _surface in sorted(matches, key=lambda x: -len(x[2].name)):
            in_name = {w.lower() for w in _WORD.findall(ref.name)}
            covered: set[int] = set()
            for s, e, _r, _x in matches:
                covered.update(range(s, e))
            others_ok = all(
                r == ref or {w.lower() for w in _WORD.findall(x)} <= in_name
                for _s, _e, r, x in matches
            )
            rest = [m.group().lower() for m in all_words if m.start() not in covered]
            if others_ok and all(w in _RESOLVE_FILLER or w in in_name for w in rest):
                return ref
        return self._fuzzy(text, year)

    def _fuzzy(self, text: str, year: int | None) -> ActorRef | None:
        from rapidfuzz import fuzz, process

        key = " ".join(self.vocab.tokens(text))
        if len(key) < 6:
            return None
        choices = self._fuzzy_choices()
        hit = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=92)
        if hit is None:
            return None
        e = self.choose(self.names[self._fuzzy_keys()[hit[2]]], year)
        return e.ref if e else None

    @cache  # noqa: B019 - the registry itself is cached for the process
    def _fuzzy_keys(self) -> list[tuple[str, ...]]:
        return [
            k
            for k, es in self.names.items()
            if len(" ".join(k)) >= 6 and not all(e.weak for e in es)
        ]

    @cache  # noqa: B019
    def _fuzzy_choices(self) -> list[str]:
        return [" ".join(k) for k in self._fuzzy_keys()]


# words that may surround a name without changing what it names
_RESOLVE_FILLER = {
    "kommune",
    "kommunen",
    "kommunes",
    "kommuner",
    "kommunar",
    "kommunane",
    "kommunene",
    "hf",
    "rhf",
    "as",
    "sf",
    "helseforetak",
    "helseforetaket",
    "helseføretak",
    "helseføretaket",
    "sykehus",
    "sykehuset",
    "sjukehus",
    "sjukehuset",
    "fylkeskommune",
    "fylkeskommunen",
    "i",
    "og",
}


@cache
def load_registry() -> Registry:
    """Return the process-wide registry (built once from the CSVs and organisations.yaml)."""
    return Registry()
