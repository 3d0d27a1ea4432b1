"""The API's cache of named-query answers: a repeated request is answered from it, and any
write to the store — a loaded document, a write unit (review, upload), a writing query, a write
by another process on the same store — makes the next request run the query again."""

from __future__ import annotations

from pathlib import Path

from helsegraf.api import named
from helsegraf.graph.store import open_store
from helsegraf.ingest.models import Extraction


def _names(rows: list[dict]) -> list[str]:
    return sorted(r["name"] for r in rows)


def test_answers_are_cached_until_the_store_changes(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction]
) -> None:  # type: ignore[no-untyped-def]
    settings = make_graph_settings(tmp_path, "cache")
    first, second, third = gold_extractions[:3]
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(first)
        cache = named.cache_of(store)

        rows = named.run(store, settings, "documents_list")
        assert _names(rows) == [first.document]
        rows[0]["name"] = "changed by a caller"
        again = named.run(store, settings, "documents_list")
        assert _names(again) == [first.document]  # a copy, not what the caller changed
        assert (cache.hits, cache.misses) == (1, 1)

        store.load_extraction(second)  # ingest
        assert _names(named.run(store, settings, "documents_list")) == sorted(
            [first.document, second.document]
        )
        assert cache.misses == 2

        store.write(  # a review edit is a write unit
            [("MATCH (d:Dokument {name: $n}) SET d.title = 'ny tittel'", {"n": first.document})]
        )
        rows = named.run(store, settings, "documents_list")
        assert {r["name"]: r["title"] for r in rows}[first.document] == "ny tittel"

        store.query(
            "MATCH (d:Dokument {name: $n}) SET d.title = 'igjen'",
            {"n": first.document},
            read_only=False,
        )
        rows = named.run(store, settings, "documents_list")
        assert {r["name"]: r["title"] for r in rows}[first.document] == "igjen"

        # Another process (here: another store object) writes to the same store.
        with open_store(settings) as other:
            other.load_extraction(third)
        assert len(named.run(store, settings, "documents_list")) == 3
        assert cache.misses == 5


def test_different_parameters_are_different_answers(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction]
) -> None:  # type: ignore[no-untyped-def]
    settings = make_graph_settings(tmp_path, "cache-params")
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(gold_extractions[0])
        everyone = named.run(store, settings, "actors_list")
        kommuner = named.run(store, settings, "actors_list", {"type": "Kommune"})
        assert len(kommuner) < len(everyone)
        assert {r["type"] for r in kommuner} == {"Kommune"}


def test_the_cache_keeps_a_bounded_number_of_rows() -> None:
    from helsegraf.graph.store import Rows

    cache = named.AnswerCache(entries=10, max_rows=3, total_rows=5)
    rows = Rows([{"n": i} for i in range(3)], ["n"])
    assert cache.get(1, cache.key("a", {})) is None  # a miss, at write counter 1
    cache.put(1, cache.key("a", {}), rows)
    assert cache.get(1, cache.key("a", {})) == rows
    cache.put(1, cache.key("b", {}), rows)  # 6 rows in all: the oldest answer goes
    assert cache.get(1, cache.key("a", {})) is None
    assert cache.get(1, cache.key("b", {})) == rows
    cache.put(1, cache.key("c", {}), Rows([{"n": i} for i in range(4)], ["n"]))  # too big
    assert cache.get(1, cache.key("c", {})) is None
    assert cache.get(2, cache.key("b", {})) is None  # the store changed
