"""``python -m bench``: measure helsegraf (run from the repository root).

python -m bench [--quick] [--sizes 100,1000,5000,20000] [--seed 1] [--name NAME] [--only a,b]
                [--baseline-limit S]
python -m bench soak [--clients 50] [--duration 300] [--api-workers 2]
python -m bench --table [RESULTS.json]
python -m bench corpus --sizes 100,1000   (only generate the corpora)
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rich.logging import RichHandler

from bench import report
from bench.run import SECTIONS, Config, console, run, run_soak
from bench.scaler import scale_corpus


def _sizes(text: str) -> list[int]:
    return sorted({int(x) for x in text.split(",") if x.strip()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", default="run", choices=["run", "soak", "corpus"])
    parser.add_argument(
        "--quick", action="store_true", help="small corpora and short load runs (under 5 minutes)"
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="corpus sizes, comma separated (default 100,1000,5000,20000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="scaler seed (default 1)")
    parser.add_argument("--name", default=None, help="results file name (default: timestamp)")
    parser.add_argument(
        "--only", default=None, help=f"comma-separated sections of {','.join(SECTIONS)}"
    )
    parser.add_argument(
        "--table",
        nargs="?",
        const="",
        default=None,
        metavar="RESULTS",
        help="only regenerate the table in bench/README.md (latest results)",
    )
    parser.add_argument(
        "--baseline-limit",
        type=float,
        default=None,
        metavar="S",
        help="stop a SPARQL query (engine and baselines) after S seconds (default 60, quick 2)",
    )
    parser.add_argument(
        "--api-docs",
        type=int,
        default=None,
        metavar="N",
        help="API load on the first N generated documents (0: the samples; default 5000, quick 100)",
    )
    parser.add_argument(
        "--api-workers",
        type=int,
        default=None,
        metavar="N",
        help="server processes for the API load and the soak (default 2)",
    )
    parser.add_argument(
        "--sparql-max-docs",
        type=int,
        default=None,
        metavar="N",
        help="measure SPARQL only up to N documents (default 1000; 0: not at all)",
    )
    parser.add_argument("--clients", type=int, default=50, help="soak: concurrent clients")
    parser.add_argument("--duration", type=float, default=300.0, help="soak: seconds")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        handlers=[RichHandler(console=console)],
        format="%(message)s",
    )

    if args.table is not None:
        written = report.write_readme_table(Path(args.table) if args.table else None)
        console.print(f"table from {written}" if written else "no results file found")
        return 0 if written else 1
    if args.command == "corpus":
        for n in args.sizes or [100, 1000, 5000, 20000]:
            c = scale_corpus(n, args.seed)
            console.print(f"{n:>6} documents  {c.nbytes / 1e6:8.2f} MB  {c.dir}")
        return 0
    if args.command == "soak":
        run_soak(args.clients, args.duration, args.name, args.api_workers or 2)
        return 0
    cfg = Config.quick(args.seed) if args.quick else Config.full(args.seed, args.sizes)
    if args.quick and args.sizes:
        cfg.sizes = args.sizes
        cfg.query_sizes = args.sizes
    if args.baseline_limit is not None:
        cfg.baseline_limit_s = args.baseline_limit
    if args.sparql_max_docs is not None:
        cfg.sparql_max_docs = args.sparql_max_docs
    if args.api_docs is not None:
        cfg.api_docs = args.api_docs
    if args.api_workers is not None:
        cfg.api_workers = args.api_workers
    only = {s.strip() for s in args.only.split(",")} if args.only else None
    if only and not only <= set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")
    run(cfg, args.name, only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
