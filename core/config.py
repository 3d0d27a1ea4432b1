"""Settings, defined once.

Every setting is a field of :class:`Settings`. The CLI help, ``docs/settings.md``
and the environment variables (``HELSEGRAF_<NAME>``) all come from these fields,
and a test checks that the docs list every one of them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(user_data_dir("helsegraf", appauthor=False))


class Settings(BaseSettings):
    """All of helsegraf's settings; read from ``HELSEGRAF_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="HELSEGRAF_", env_file=".env", extra="ignore")

    backend: Literal["falkordb", "neo4j"] = Field(
        "falkordb", description="Graph store: the embedded FalkorDB (default) or a Neo4j server."
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Directory that holds the embedded graph, the RDF store and review records.",
    )
    graph_name: str = Field("helsegraf", description="Name of the graph inside the store.")
    neo4j_uri: str | None = Field(
        None, description="Bolt URI of the Neo4j server, e.g. bolt://localhost:7687."
    )
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr = Field(SecretStr("neo4j"), description="Neo4j password.")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    host: str = Field("127.0.0.1", description="Address `helsegraf serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `helsegraf serve` listens on.")
    api_token: SecretStr | None = Field(
        None,
        description="Bearer token for writing routes (upload, review). Unset: writing routes are off.",
    )
    query_timeout_ms: int = Field(
        5000, ge=1, description="Time limit for one Cypher or SPARQL query."
    )
    row_cap: int = Field(1000, ge=1, description="Most rows a Cypher or SPARQL query returns.")
    write_counter_ttl_ms: int = Field(
        250,
        ge=0,
        description=(
            "How long the API trusts its copy of the store's write counter before asking again; "
            "writes by the serving process itself are seen at once, those of other processes "
            "within this time. 0: ask on every request."
        ),
    )
    max_document_bytes: int = Field(
        50_000_000, ge=1, description="Largest document accepted for extraction, in bytes."
    )
    document_timeout_s: float = Field(
        60.0, gt=0, description="Time limit for extracting one document."
    )
    max_upload_bytes: int = Field(
        20_000_000, ge=1, description="Largest upload accepted by the API."
    )
    max_request_bytes: int = Field(
        1_000_000,
        ge=1,
        description="Largest request body the API reads on any route but uploads (JSON, a "
        "SPARQL form); a larger one answers 413 before it is read.",
    )
    max_query_bytes: int = Field(
        20_000, ge=1, description="Longest SPARQL query text accepted, in bytes."
    )
    max_query_depth: int = Field(
        24,
        ge=1,
        description="Deepest nesting of brackets ((), [], {}) accepted in a SPARQL query.",
    )
    workers: int = Field(
        0, ge=0, description="Extraction processes for ingest; 0 means one per core."
    )
    batch_size: int = Field(500, ge=1, description="Rows per UNWIND batch when loading the graph.")
    statement_model: str = Field(
        "",
        description="The statement model file extraction uses (`helsegraf train` writes it); "
        "empty: ontology/statement_model.npz, the rules alone where it is absent; "
        "`off`: the rules alone.",
    )


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()


def settings_table() -> list[tuple[str, str, str, str]]:
    """Return (name, environment variable, default, description) for every setting."""
    rows = []
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "platform data dir" if name == "data_dir" else "computed"
        elif field.default is None:
            default = "unset"
        else:
            default = str(field.default)
        if "SecretStr" in repr(field.annotation) and default != "unset":
            default = "(secret)"
        rows.append((name, f"HELSEGRAF_{name.upper()}", default, field.description or ""))
    return rows


def settings_markdown() -> str:
    """Return the settings reference as Markdown (the body of ``docs/settings.md``)."""
    lines = [
        "# Settings",
        "",
        "Every setting is read from an environment variable (or a `.env` file in the working",
        "directory). This page is generated by `helsegraf settings --markdown`; a test checks",
        "that it lists every setting.",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, env, default, desc in settings_table():
        lines.append(f"| `{name}` | `{env}` | {default} | {desc} |")
    return "\n".join(lines) + "\n"
