"""The API's cache of named-query answers: a repeated request is answered from it, and any
write to the store — a loaded document, a write unit (review, upload), a writing query, a write
by another process on the same store — makes the next request run the query again."""

from __future__ import annotations

import time
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

        # Another process (here: another store object) writes to the same store: seen once
        # the copy of the write counter is older than its time to live.
        with open_store(settings) as other:
            other.load_extraction(third)
        time.sleep(settings.write_counter_ttl_ms / 1000 + 0.05)
        assert len(named.run(store, settings, "documents_list")) == 3
        assert cache.misses == 5


def test_the_write_counter_is_not_read_for_every_cached_answer(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction]
) -> None:  # type: ignore[no-untyped-def]
    """Cached answers within the counter's time to live cost no round trip to the server;
    another process's write is seen after it, and with a time to live of 0 at once."""
    settings = make_graph_settings(tmp_path, "ttl", write_counter_ttl_ms=60_000)
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(gold_extractions[0])
        named.run(store, settings, "documents_list")
        gets = []
        real_get = store._client.get
        store._client.get = lambda key: gets.append(key) or real_get(key)  # type: ignore[method-assign]
        for _ in range(20):
            named.run(store, settings, "documents_list")
        assert gets == []
        with open_store(settings) as other:
            other.load_extraction(gold_extractions[1])
        assert len(named.run(store, settings, "documents_list")) == 1  # within the 60 s
        store._generation_copy = None  # as when the time to live is over
        assert len(named.run(store, settings, "documents_list")) == 2
        store.settings = settings.model_copy(update={"write_counter_ttl_ms": 0})
        with open_store(settings) as other:
            other.load_extraction(gold_extractions[2])
        assert len(named.run(store, settings, "documents_list")) == 3
        assert len(gets) >= 2


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


def test_concurrent_requests_for_a_missing_answer_run_the_query_once(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction]
) -> None:  # type: ignore[no-untyped-def]
    """A cold cache under load: requests for the same answer wait for the first one."""
    from concurrent.futures import ThreadPoolExecutor

    settings = make_graph_settings(tmp_path, "herd")
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(gold_extractions[0])
        calls = []
        real = store.run_named

        def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(args[0])
            time.sleep(0.3)
            return real(*args, **kwargs)

        store.run_named = slow  # type: ignore[method-assign]
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda _: named.run(store, settings, "challenges_list"), range(8))
            )
        assert calls == ["challenges_list"]
        assert all(a == answers[0] for a in answers) and answers[0]


def test_requests_waiting_for_an_answer_take_it_though_a_write_came_meanwhile(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction]
) -> None:  # type: ignore[no-untyped-def]
    """Under a writer: requests waiting for an answer being computed take it when it is done,
    even if the store was written while the query ran. They used to find the cache moved on
    and run the query again one after the other (seconds each for a slow query)."""
    from concurrent.futures import ThreadPoolExecutor

    settings = make_graph_settings(tmp_path, "convoy", write_counter_ttl_ms=0)
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(gold_extractions[0])
        cache = named.cache_of(store)
        calls = []
        real = store.run_named

        def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(args[0])
            if len(calls) == 1:
                deadline = time.monotonic() + 30
                while cache.misses < 6 and time.monotonic() < deadline:
                    time.sleep(0.01)  # every request has asked (and missed) before the write
                store.write(  # a write while the query runs
                    [("MATCH (d:Dokument) SET d.title = 'ny tittel'", {})]
                )
                assert named.run(store, settings, "documents_list")  # a request after it
            return real(*args, **kwargs)

        store.run_named = slow  # type: ignore[method-assign]
        with ThreadPoolExecutor(6) as pool:
            answers = list(
                pool.map(lambda _: named.run(store, settings, "challenges_list"), range(6))
            )
        assert calls.count("challenges_list") == 1
        assert all(a == answers[0] for a in answers) and answers[0]


def test_whole_answers_of_get_routes_are_kept_until_the_store_changes(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A repeated GET is answered without shaping its rows again (a measure with its
    statements cost more to shape than to query); a write makes the next one run again."""
    from fastapi.testclient import TestClient

    from helsegraf.api import shape
    from helsegraf.api.app import create_app

    settings = make_graph_settings(tmp_path, "responses")
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(gold_extractions[0])
        calls = []
        real = shape.measure_detail
        monkeypatch.setattr(shape, "measure_detail", lambda *a: calls.append(a) or real(*a))
        with TestClient(create_app(settings, store=store)) as client:
            measure = client.get("/api/measures").json()["items"][0]["id"]
            first = client.get(f"/api/measures/{measure}")
            again = client.get(f"/api/measures/{measure}")
            assert first.status_code == again.status_code == 200
            assert first.content == again.content and first.headers == again.headers
            assert len(calls) == 1
            csv = client.get("/api/documents", params={"format": "csv"})
            assert csv.headers["content-type"].startswith("text/csv")
            assert client.get("/api/documents").headers["content-type"] == "application/json"

            store.write([("MATCH (d:Dokument) SET d.title = 'ny tittel'", {})])
            assert client.get(f"/api/measures/{measure}").status_code == 200
            assert len(calls) == 2
            titles = {d["title"] for d in client.get("/api/documents").json()["items"]}
            assert titles == {"ny tittel"}
            assert "ny tittel" in client.get("/api/documents", params={"format": "csv"}).text


def test_concurrent_requests_for_a_missing_answer_run_the_route_once(
    tmp_path: Path, make_graph_settings, gold_extractions: list[Extraction], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """After a write, the clients asking for the same route wait for one request to make the
    answer instead of all shaping it at once."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from helsegraf.api import shape
    from helsegraf.api.app import create_app

    settings = make_graph_settings(tmp_path, "responses-herd")
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extraction(gold_extractions[0])
        calls = []
        real = shape.measure_detail

        def slow(*args):  # type: ignore[no-untyped-def]
            calls.append(args)
            time.sleep(0.5)
            return real(*args)

        monkeypatch.setattr(shape, "measure_detail", slow)
        with TestClient(create_app(settings, store=store)) as client:
            measure = client.get("/api/measures").json()["items"][0]["id"]
            with ThreadPoolExecutor(6) as pool:
                answers = list(pool.map(lambda _: client.get(f"/api/measures/{measure}"), range(6)))
        assert {r.status_code for r in answers} == {200}
        assert len({r.content for r in answers}) == 1
        assert len(calls) == 1
