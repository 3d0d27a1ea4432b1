"""Tables as JSON or CSV: pagination and CSV rendering shared by every list route."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from helsegraf.api.models import Page

MAX_LIMIT = 500
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

# Added to every table route's OpenAPI entry, so the docs say a table also comes as CSV.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "JSON, or CSV with `?format=csv` or `Accept: text/csv`",
    }
}

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="most items in the answer")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="`csv` for a CSV download (same as `Accept: text/csv`)"),
]


def wants_csv(request: Request, fmt: str | None) -> bool:
    """True if the client asked for CSV by ``?format=csv`` or an ``Accept: text/csv`` header."""
    if fmt is not None:
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == "text/csv" for part in accept.split(","))


def paginate[T](items: Sequence[T], limit: int, offset: int) -> Page[T]:
    """Return one page of ``items``."""
    return Page[T](
        items=list(items[offset : offset + limit]), total=len(items), limit=limit, offset=offset
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(str(v) for v in value)
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return "; ".join(str(v["name"]) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten one JSON object into CSV cells: nested objects get dotted column names."""
    out: dict[str, str] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = _cell(value)
    return out


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Render rows as CSV text (header first); columns default to the keys in order of appearance."""
    flat = [flatten(r) for r in rows]
    if columns is None:
        seen: dict[str, None] = {}
        for r in flat:
            for k in r:
                seen.setdefault(k, None)
        columns = list(seen)
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for r in flat:
        writer.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


def csv_response(
    rows: Iterable[dict[str, Any]], filename: str, columns: Sequence[str] | None = None
) -> Response:
    """A CSV download of ``rows``."""
    return Response(
        content=csv_text(rows, columns),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def table(
    request: Request,
    fmt: str | None,
    items: Sequence[BaseModel],
    *,
    limit: int,
    offset: int,
    filename: str,
    model: type[BaseModel] | None = None,
    explode: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
    total: int | None = None,
) -> Page[Any] | Response:
    """Answer a list route: a :class:`Page` as JSON, or the same page as CSV.

    ``explode`` turns one item into several CSV rows (e.g. one row per quote); ``model``
    gives the CSV header of an empty page. With ``total``, ``items`` is the page already
    (the query paged) and ``total`` how many there are in all.
    """
    if total is None:
        page = paginate(items, limit, offset)
    else:
        page = Page[Any](items=list(items), total=total, limit=limit, offset=offset)
    if not wants_csv(request, fmt):
        return page
    rows: list[dict[str, Any]] = []
    for item in page.items:
        dumped = item.model_dump(mode="json")
        rows.extend(explode(dumped) if explode else [dumped])
    columns = None
    if not rows and model is not None:
        columns = [n for n, f in model.model_fields.items() if n != "quotes"]
    return csv_response(rows, filename, columns)
