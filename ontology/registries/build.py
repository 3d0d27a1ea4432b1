"""Build the trimmed registry CSVs in this folder from the shared reference data.

Usage (from the repository root)::

    .venv/bin/python ontology/registries/build.py [--reference ../shared/reference]

Reads ``kommuner.csv``, ``fylker.csv``, ``helseforetak.csv``, ``sykehus.csv``,
``helsefellesskap.csv`` and ``helsefellesskap_kommuner.csv`` (see the reference's
SOURCES.md) and writes the columns helsegraf uses, with short provenance ids.
Re-running it on the same input gives byte-identical output.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = HERE.parents[2] / "shared" / "reference"

log = logging.getLogger("helsegraf.registries.build")

# The years the project covers; kommune and fylke rows valid at some time in this range are kept.
FIRST_DAY = "2017-01-01"
LAST_DAY = "2024-12-31"

# Helsefellesskap names as the bodies write them in their own public documents, where that
# differs from the name in the reference table (documented in SOURCES.md).
HELSEFELLESSKAP_NAME_AS_USED = {
    "Helsefellesskap Møre og Romsdal": (
        "Helsefellesskapet i Møre og Romsdal",
        "own submission to HOD 2022 ('Innspill ... fra Helsefellesskapet i Møre og Romsdal')",
    ),
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})
    log.info("wrote %s (%d rows)", path.name, len(rows))


def _short_provenance(text: str) -> str:
    """Keep the source ids of a provenance cell, drop the prose."""
    ids = re.findall(r"[a-z0-9][\w.+-]*@[\w.+-]+|skde-[\w.-]+|ssb-[\w-]+|general-knowledge", text)
    seen: list[str] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return "; ".join(seen) if seen else text[:60]


def _overlaps(valid_from: str, valid_to: str) -> bool:
    """True if [valid_from, valid_to) overlaps 2017-01-01 .. 2024-12-31 (valid_to exclusive)."""
    starts_before_end = not valid_from or valid_from <= LAST_DAY
    ends_after_start = not valid_to or valid_to > FIRST_DAY
    return starts_before_end and ends_after_start


def build_kommuner(ref: Path) -> list[dict[str, str]]:
    rows = []
    for r in _read(ref / "kommuner.csv"):
        if not _overlaps(r["valid_from"], r["valid_to"]):
            continue
        rows.append(
            {
                "kommunenummer": r["kommunenummer"],
                "name": r["name"],
                "name_norwegian": r["name_norwegian"],
                "name_base": r["name_base"],
                "parallel_names": r["parallel_names"],
                "parallel_name_languages": r["parallel_name_languages"],
                "fylke": r["fylke"],
                "fylkesnummer": r["fylkesnummer"],
                "valid_from": r["valid_from"],
                "valid_to": r["valid_to"],
                "successor_kommunenummer": r["successor_kommunenummer"],
                "predecessor_kommunenummer": r["predecessor_kommunenummer"],
                "change_type": r["change_type"],
                "base_name_ambiguous_in_years": r["base_name_ambiguous_in_years"],
                "provenance": _short_provenance(r["provenance"]),
            }
        )
    rows.sort(key=lambda r: (r["kommunenummer"], r["valid_from"]))
    return rows


def build_fylker(ref: Path) -> list[dict[str, str]]:
    rows = []
    for r in _read(ref / "fylker.csv"):
        other = [n for n in r["other_klass_name_forms"].split("; ") if n]
        rows.append(
            {
                "fylkesnummer": r["fylkesnummer"],
                "name": r["name"],
                "name_norwegian": r["name_norwegian"],
                "parallel_names": r["parallel_names"],
                "other_names": "; ".join(other),
                "valid_from": r["valid_from"],
                "valid_to": r["valid_to"],
                "predecessor_fylkesnummer": r["predecessor_fylkesnummer"],
                "successor_fylkesnummer": r["successor_fylkesnummer"],
                "provenance": _short_provenance(r["provenance"]),
            }
        )
    rows.sort(key=lambda r: r["fylkesnummer"])
    return rows


def _kind(hf_type: str) -> str:
    if hf_type.startswith("RHF"):
        return "RHF"
    if hf_type.startswith("HF (helseforetak med sykehus)"):
        return "HF"
    if hf_type.startswith("Privat"):
        return "privat-ideell"
    return "stotte"


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(";") if x.strip()]


def build_helseforetak(ref: Path) -> list[dict[str, str]]:
    rows = []
    for r in _read(ref / "helseforetak.csv"):
        aliases = _split(r["aliases_sourced"]) + _split(r["aliases_general_knowledge"])
        # A bare county name is an alias of the trust in the reference (its catchment), but as a
        # text alias it would turn every county mention into the trust: keep such names out.
        county_like = {
            "Innlandet",
            "Østfold",
            "Vestfold",
            "Telemark",
            "Sørlandet",
            "Stavanger",
            "Fonna",
            "Bergen",
            "Førde",
            "Møre og Romsdal",
            "Nord-Trøndelag",
            "Nordland",
            "Helgeland",
            "Finnmark",
            "Akershus",
            "Lovisenberg",
            "Diakonhjemmet",
            "Haraldsplass",
            "Sunnaas",
            "Haukeland",
            "SS",
            "ST",
            "VV",
            "SØ",
        }
        text_aliases = [a for a in aliases if a not in county_like]
        weak_aliases = [a for a in aliases if a in county_like]
        rows.append(
            {
                "id": r["id"],
                "kind": _kind(r["type"]),
                "name": r["name"],
                "orgnr": r["organisasjonsnummer"],
                "rhf": r["rhf"],
                "rhf_orgnr": r["rhf_orgnr"],
                "aliases": "; ".join(dict.fromkeys(text_aliases)),
                "context_aliases": "; ".join(dict.fromkeys(weak_aliases)),
                "former_names": r["former_names"],
                "provenance": _short_provenance(r["provenance"] + " " + r["orgnr_source"]),
            }
        )
    return rows


def build_sykehus(ref: Path, hf_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for r in _read(ref / "sykehus.csv"):
        if r["level"].startswith("HF-level"):
            continue  # the trust itself, already in helseforetak.csv
        rows.append(
            {
                "id": f"behsh-{r['skde_behsh']}",
                "name": r["sykehus"],
                "name_variants": r["name_variants"],
                "hf": r["hf"],
                "hf_orgnr": r["hf_orgnr"],
                "provenance": _short_provenance(r["provenance"]),
            }
        )
    rows.sort(key=lambda r: (r["hf"], r["name"]))
    return rows


def build_helsefellesskap(ref: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows = []
    for r in _read(ref / "helsefellesskap.csv"):
        name = r["name"]
        aliases: list[str] = []
        note = ""
        if name in HELSEFELLESSKAP_NAME_AS_USED:
            new, note = HELSEFELLESSKAP_NAME_AS_USED[name]
            aliases.append(name)
            name = new
        placeholder = "official name not verified" in name
        rows.append(
            {
                "id": r["helsefellesskap_id"],
                "name": name,
                "aliases": "; ".join(aliases),
                "name_verified": "no" if placeholder else "yes",
                "name_note": note,
                "helseforetak": r["helseforetak"],
                "helseforetak_orgnr": r["helseforetak_orgnr"],
                "rhf": r["rhf"],
                "provenance": _short_provenance(r["provenance"]),
            }
        )
    members = []
    for r in _read(ref / "helsefellesskap_kommuner.csv"):
        members.append(
            {
                "helsefellesskap_id": r["helsefellesskap_id"],
                "kommunenummer": r["kommunenummer"],
                "code_period": r["code_period"],
                "basis": "derived" if r["basis"].startswith("derived") else "catchment",
                "provenance": _short_provenance(r["provenance"]),
            }
        )
    return rows, members


def build(reference: Path, out: Path = HERE) -> None:
    """Write the trimmed CSVs from ``reference`` into ``out``."""
    if not (reference / "kommuner.csv").exists():
        raise SystemExit(f"no kommuner.csv in {reference}")
    kommuner = build_kommuner(reference)
    _write(out / "kommuner.csv", list(kommuner[0].keys()), kommuner)
    fylker = build_fylker(reference)
    _write(out / "fylker.csv", list(fylker[0].keys()), fylker)
    hf = build_helseforetak(reference)
    _write(out / "helseforetak.csv", list(hf[0].keys()), hf)
    sh = build_sykehus(reference, hf)
    _write(out / "sykehus.csv", list(sh[0].keys()), sh)
    hfs, members = build_helsefellesskap(reference)
    _write(out / "helsefellesskap.csv", list(hfs[0].keys()), hfs)
    _write(out / "helsefellesskap_kommuner.csv", list(members[0].keys()), members)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    build(args.reference, args.out)


if __name__ == "__main__":
    main()
