"""Replay a hand annotation as review decisions, to measure what ``helsegraf train
--from-review`` learns from the researchers' corrections.

Each document of CORPUS that GOLD annotates is extracted and loaded into a fresh store in
DATA_DIR, as ``helsegraf ingest`` would; then every challenge and measure of the annotation is
added through the review service (as a researcher adds a coding in ``/review``), and every
machine coding whose concept the annotation does not give that voice is rejected. Afterwards:

    HELSEGRAF_DATA_DIR=DATA_DIR helsegraf train --from-review --without real -o /tmp/m.npz

reports F1 on the decisions of documents held back from training, before (annotations alone)
and after (with the other documents' decisions). Leave the replayed set out of the annotations
(``--without``) so that "before" has not seen it.

    python -m bench.review_replay ../shared/real/corpus ../shared/real/gold-second /tmp/replay
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helsegraf.core.config import Settings
from helsegraf.graph.store import open_store
from helsegraf.ingest.pipeline import extract_file
from helsegraf.review import overlay, service, texts
from helsegraf.review.overlay import ReviewError

REVIEWER = "second annotator (replayed)"


def replay(corpus: Path, gold: Path, data_dir: Path) -> dict[str, int]:
    """Load the documents and record the annotation as review decisions; return counts."""
    settings = Settings(data_dir=data_dir, graph_name="replay")
    store = open_store(settings)
    counts = {"documents": 0, "added": 0, "rejected": 0, "skipped": 0}
    try:
        for g_path in sorted(gold.glob("*.gold.json")):
            g = json.loads(g_path.read_text(encoding="utf-8"))
            path = corpus / g["document"]
            store.load_extraction(extract_file(path))
            texts.remember_file(path, settings)
            counts["documents"] += 1
            wanted = set()
            for key in ("challenges", "measures"):
                for st in g.get(key) or []:
                    wanted.add((st["voice"], st["concept"]))
                    try:
                        service.add_coding(
                            store,
                            settings,
                            g["document"],
                            st["concept"],
                            st["quote"],
                            reviewer=REVIEWER,
                            voice=st["voice"],
                        )
                        counts["added"] += 1
                    except ReviewError:
                        counts["skipped"] += 1  # a quote the text does not hold as written
            doc = overlay.document(store, g["document"])
            for row in overlay.statements(store, doc["id"]):
                if row["status"] != "machine" or (row["voice"], row["concept"]) in wanted:
                    continue
                service.review_statement(store, settings, row["id"], "reject", REVIEWER)
                counts["rejected"] += 1
    finally:
        store.close()
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    got = replay(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    sys.stdout.write(json.dumps(got) + "\n")
