"""Profiles (pyinstrument) of what limits a missed target, run in-process."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bench.scaler import REPO

log = logging.getLogger(__name__)


def _report(profiler: Any, out: Path, top: int) -> list[str]:
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    out.write_text(text, encoding="utf-8")
    return text.splitlines()[:top]


def profile_api(out: Path, requests: int = 300, top: int = 30) -> list[str]:
    """Serve the sample corpus in-process and profile ``requests`` GET requests to the routes.

    Shows the server-side cost of one request (routing, query, shaping, JSON), without the
    network and the load generator.
    """
    from fastapi.testclient import TestClient
    from pyinstrument import Profiler

    from bench.api_load import discover_routes
    from bench.extract_cache import extractions_for
    from bench.loading import fresh_store_and_settings
    from helsegraf.api.app import create_app

    files = sorted((REPO / "samples" / "corpus").glob("*.txt"))
    with fresh_store_and_settings(name="profile-api") as (store, settings):
        store.ensure_reference()
        for x in extractions_for(files):
            store.load_extraction(x)
        with TestClient(create_app(settings, store=store)) as client:
            routes = discover_routes(client)["routes"]
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for i in range(requests):
                client.get(routes[i % len(routes)])
            profiler.stop()
    return _report(profiler, out, top)


def profile_queries(
    files: list[Path], results: dict[str, Any], out: Path, reps: int = 20, top: int = 30
) -> list[str]:
    """Profile the slowest Cypher catalog query of ``results`` on a store of ``files``."""
    from pyinstrument import Profiler

    from bench.extract_cache import extractions_for
    from bench.loading import fresh_store
    from bench.querying import params_for, pick_params
    from bench.report import largest_query_size
    from helsegraf.queries import catalog

    size = largest_query_size(results)
    cy = results["queries"]["sizes"][size]["cypher"]
    slowest = max((k for k in cy if "p95_ms" in cy[k]), key=lambda k: cy[k]["p95_ms"])
    named = catalog.get(slowest)
    with fresh_store(name="profile-queries") as store:
        store.ensure_reference()
        for x in extractions_for(files):
            store.load_extraction(x)
        params = params_for(named, pick_params(store))
        store.query(named.text, params)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(reps):
            store.query(named.text, params)
        profiler.stop()
    return [f"query: {slowest}", *_report(profiler, out, top)]
