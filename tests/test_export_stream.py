"""The statement export reads the graph a page of documents at a time: the pages together hold
every statement once, in the export's order, and a document without statements does not end
the export early (the CSV route streaming them: test_api.py)."""

from __future__ import annotations

from pathlib import Path

from helsegraf.api.routes.export import statement_pages
from helsegraf.graph.store import open_store
from helsegraf.ingest.models import Extraction


def test_pages_hold_every_statement_once(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction]
) -> None:  # type: ignore[no-untyped-def]
    settings = make_graph_settings(tmp_path, "export")
    with open_store(settings) as store:
        empty = gold_extractions[0].model_copy(deep=True)
        empty.document, empty.sha256 = "002_empty.txt", "e" * 64
        empty.challenges, empty.measures = [], []
        for x in [*gold_extractions, empty]:
            store.load_extraction(x)
        everything = store.query("MATCH (u:Utsagn) RETURN u.id AS id", row_cap=0)
        for per_page in (1, 2, 100):
            pages = list(statement_pages(store, settings, documents=per_page))
            ids = [r["statement_id"] for page in pages for r in page if r["statement_id"]]
            assert sorted(ids) == sorted(r["id"] for r in everything)
            assert len(ids) == len(set(ids))
            names = [r["document_name"] for page in pages for r in page]
            assert names == sorted(names)
            if per_page == 1:
                # Each page is one document; the one without statements is a page of its own.
                assert len(pages) == len(gold_extractions) + 1
