"""A throw-away Neo4j 5.26 Community server for the tests and the benchmark.

``tools/neo4j-server/`` holds a pom (the embedded DBMS from Maven Central) and
``Neo4jServer.java`` (Bolt on 127.0.0.1 at a given port, auth on, the store in a folder). The
first start asks Maven for the classpath (downloads go to ``~/.m2``) and compiles the Java
file; both are cached under ``~/.cache/helsegraf/neo4j-server/<hash of the two files>/``, so a
later start only launches the JVM.

    with start_neo4j(tmp_dir) as server:
        settings = Settings(backend="neo4j", neo4j_uri=server.uri, ...)
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SERVER_DIR = Path(__file__).resolve().parent.parent / "tools" / "neo4j-server"
CACHE_ROOT = Path(
    os.environ.get("HELSEGRAF_NEO4J_SERVER_CACHE", Path.home() / ".cache/helsegraf/neo4j-server")
)
USER = "neo4j"


class Neo4jServerError(RuntimeError):
    """The server could not be built or started (the message says why)."""


def missing_tools() -> str | None:
    """Why this machine cannot start the server (no ``java``/``javac``/``mvn``), or ``None``."""
    absent = [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]
    return f"{' and '.join(absent)} not found on PATH" if absent else None


def _build_key() -> str:
    digest = hashlib.sha256()
    for name in ("pom.xml", "Neo4jServer.java"):
        digest.update((SERVER_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def build(*, log: Path | None = None) -> tuple[Path, str]:
    """Return (compiled classes folder, dependency classpath), building them on first use."""
    reason = missing_tools()
    if reason:
        raise Neo4jServerError(reason)
    cache = CACHE_ROOT / _build_key()
    classes = cache / "classes"
    cp_file = cache / "classpath.txt"
    if (classes / "Neo4jServer.class").exists() and cp_file.exists():
        return classes, cp_file.read_text(encoding="utf-8").strip()
    tmp = CACHE_ROOT / f".build-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(parents=True)
    out = log.open("a") if log else subprocess.DEVNULL
    try:
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(SERVER_DIR / "pom.xml"),
                "dependency:build-classpath",
                f"-Dmdep.outputFile={tmp / 'classpath.txt'}",
            ],
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
        classpath = (tmp / "classpath.txt").read_text(encoding="utf-8").strip()
        subprocess.run(
            [
                "javac",
                "-cp",
                classpath,
                "-d",
                str(tmp / "classes"),
                str(SERVER_DIR / "Neo4jServer.java"),
            ],
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        where = f"; see {log}" if log else ""
        what = exc.cmd[0] if isinstance(exc.cmd, list) else exc.cmd
        raise Neo4jServerError(
            f"building the Neo4j server failed ({what}: {exc}){where}"[:300]
        ) from None
    finally:
        if log and not isinstance(out, int):
            out.close()
    # Another process may have finished the same build meanwhile: keep the first.
    try:
        tmp.rename(cache)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return classes, (cache / "classpath.txt").read_text(encoding="utf-8").strip()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Neo4jServer:
    """A running server: its Bolt URI, credentials, store folder and how long it took."""

    uri: str
    password: str
    store_dir: Path
    log: Path
    process: subprocess.Popen[str]
    build_s: float
    start_s: float
    stop_s: float | None = None
    user: str = USER
    _lines: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The helsegraf settings that point at this server."""
        return {
            "HELSEGRAF_BACKEND": "neo4j",
            "HELSEGRAF_NEO4J_URI": self.uri,
            "HELSEGRAF_NEO4J_USER": self.user,
            "HELSEGRAF_NEO4J_PASSWORD": self.password,
            "HELSEGRAF_NEO4J_DATABASE": "neo4j",
        }

    def stop(self, timeout: float = 60) -> None:
        """Close its standard input (it shuts the DBMS down cleanly) and wait; kill if stuck."""
        if self.process.poll() is not None:
            return
        t0 = time.monotonic()
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.stop_s = time.monotonic() - t0


def _pump(stream: object, sink: list[str], log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line)
            out.write(line)
            out.flush()


def launch(store_dir: Path, *, timeout: float = 400, heap: str = "1g") -> Neo4jServer:
    """Start a server with its store in ``store_dir``; return once Bolt accepts a login."""
    store_dir.mkdir(parents=True, exist_ok=True)
    log = store_dir / "server.log"
    t0 = time.monotonic()
    classes, classpath = build(log=log)
    build_s = time.monotonic() - t0
    port = free_port()
    password = secrets.token_urlsafe(18)
    java = os.environ.get("HELSEGRAF_NEO4J_JAVA") or "java"
    t1 = time.monotonic()
    process = subprocess.Popen(
        [
            java,
            f"-Xmx{heap}",
            "-cp",
            f"{classes}{os.pathsep}{classpath}",
            "Neo4jServer",
            str(store_dir / "store"),
            str(port),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NEO4J_TEST_PASSWORD": password},
    )
    lines: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines, log), daemon=True).start()
    while not any(line.startswith("READY ") for line in lines):
        if process.poll() is not None:
            raise Neo4jServerError(
                f"Neo4j exited with {process.returncode}: {''.join(lines)[-1500:]}"
            )
        if time.monotonic() - t1 > timeout:
            process.kill()
            raise Neo4jServerError(f"Neo4j did not start within {timeout:.0f} s; see {log}")
        time.sleep(0.2)
    uri = next(line.split()[1] for line in lines if line.startswith("READY "))
    return Neo4jServer(
        uri=uri,
        password=password,
        store_dir=store_dir,
        log=log,
        process=process,
        build_s=build_s,
        start_s=time.monotonic() - t1,
        _lines=lines,
    )


@contextmanager
def start_neo4j(store_dir: Path, **kwargs: object) -> Iterator[Neo4jServer]:
    """``launch`` as a context manager: the server stops (cleanly) at the end."""
    server = launch(store_dir, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
