"""CLI subcommands of this area: ``helsegraf serve``."""

from __future__ import annotations

import typer

from helsegraf.core.config import get_settings


def register(app: typer.Typer) -> None:
    """Add this area's subcommands to the ``helsegraf`` app."""

    @app.command()
    def serve(
        host: str | None = typer.Option(
            None, "--host", help="Address to listen on (default: HELSEGRAF_HOST, 127.0.0.1)."
        ),
        port: int | None = typer.Option(
            None,
            "--port",
            help="Port to listen on (default: HELSEGRAF_PORT, 8000).",
            min=1,
            max=65535,
        ),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
        workers: int = typer.Option(
            1,
            "--workers",
            min=1,
            help="Server processes (each with its own answer cache; they share the store).",
        ),
    ) -> None:
        """Serve the API, the SPARQL endpoint and the web page."""
        import uvicorn

        from helsegraf.api.app import create_app

        settings = get_settings()
        if workers > 1:
            # Each worker process builds its own app (and store connection) from the settings.
            uvicorn.run(
                "helsegraf.api.app:create_app",
                factory=True,
                workers=workers,
                host=host or settings.host,
                port=port or settings.port,
                log_level=log_level,
            )
            return
        uvicorn.run(
            create_app(settings),
            host=host or settings.host,
            port=port or settings.port,
            log_level=log_level,
        )
