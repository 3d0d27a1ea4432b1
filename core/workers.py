"""Worker processes that can be stopped at a time limit and that die with their parent.

A :class:`WorkerProcess` is a fresh ``python -c`` child (never :mod:`multiprocessing`: no
re-import of the caller's main module, no resource tracker left behind) that answers requests
over two pipes. The parent waits for an answer at most its time limit and then kills the child,
which stops any work, C code included (an alarm or a thread cannot).

A child dies with its parent, also after ``kill -9`` of the parent: it asks the kernel for
SIGKILL when the thread that started it ends (``PR_SET_PDEATHSIG``, used only when the main
thread starts it, since a pool thread may end before the process does), and a watch thread
exits when the parent is gone (its parent id changes). When the parent closes its end of the
requests pipe, an idle child exits too.

A child may run at a lower CPU priority than its parent (``nice``, or :meth:`renice` later):
the API's workers do, so that an extraction, a rebuild of the RDF view or a SPARQL query that
runs long takes the CPU the API's request threads leave rather than competing with them.

The child side is a *factory*: ``"package.module:function"`` called with the string arguments
given, returning the function that answers one request (so the factory can open a store or
load a vocabulary once).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from helsegraf.core.errors import HelsegrafError

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL_S = 0.25
#: The niceness the API gives its worker processes (higher: less CPU when the machine is busy).
BACKGROUND_NICE = 10


class WorkerTimeout(HelsegrafError):
    """The worker did not answer within the time limit and was stopped."""


class WorkerDied(HelsegrafError):
    """The worker process ended without answering."""


class WorkerProcess:
    """One child process answering requests of ``factory`` (see the module docstring)."""

    def __init__(
        self,
        factory: str,
        args: Sequence[str] = (),
        *,
        start_timeout_s: float = 60.0,
        nice: int = 0,
    ):
        self.factory = factory
        self.args = [str(a) for a in args]
        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        main = threading.current_thread() is threading.main_thread()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                # -P: the working directory is not put on the import path (a data directory
                # holds a folder named falkordb, which would shadow the client package).
                "-P",
                "-c",
                "from helsegraf.core.workers import _child_main; _child_main()",
                factory,
                str(req_r),
                str(ans_w),
                str(os.getpid()),
                "1" if main else "0",
                str(int(nice)),
                *self.args,
            ],
            pass_fds=(req_r, ans_w),
            stdin=subprocess.DEVNULL,
        )
        os.close(req_r)
        os.close(ans_w)
        self._answers = Connection(ans_r, writable=False)
        self._requests = Connection(req_w, readable=False)
        try:
            ready = self._answers.poll(start_timeout_s) and self._answers.recv()
        except (EOFError, OSError):
            ready = None
        if not isinstance(ready, tuple) or ready[0] != "ready":
            self.kill()
            reason = ready[2] if isinstance(ready, tuple) and len(ready) > 2 else "no answer"
            raise WorkerDied(f"the worker process ({factory}) did not start: {reason}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fileno(self) -> int:
        """The answers pipe, for :func:`multiprocessing.connection.wait`."""
        return self._answers.fileno()

    def ready(self, timeout_s: float) -> bool:
        """Whether an answer is there to :meth:`receive`, waiting at most ``timeout_s``."""
        try:
            return self._answers.poll(timeout_s)
        except (OSError, EOFError):
            return True  # receive() reports what happened

    def renice(self, nice: int) -> None:
        """Lower the worker's CPU priority to ``nice`` (it cannot be raised again)."""
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, nice)

    def send(self, request: Any) -> None:
        """Send a request (the worker answers it with :meth:`receive`)."""
        try:
            self._requests.send(request)
        except OSError as exc:
            raise WorkerDied(f"the worker process has stopped: {exc}") from None

    def receive(self, timeout_s: float | None) -> Any:
        """The answer to the request sent; after ``timeout_s`` the worker is killed and
        :class:`WorkerTimeout` raised. An exception in the worker comes back as
        ``("error", type name, one-line message)``."""
        if not self._answers.poll(timeout_s):
            self.kill()
            raise WorkerTimeout(f"no answer within {timeout_s:g} s; the worker was stopped")
        try:
            return self._answers.recv()
        except (EOFError, OSError):
            self.kill()
            raise WorkerDied("the worker process stopped while answering") from None

    def call(self, request: Any, timeout_s: float | None) -> Any:
        """:meth:`send` then :meth:`receive`."""
        self.send(request)
        return self.receive(timeout_s)

    def kill(self) -> None:
        """Stop the worker at once (SIGKILL) and reap it."""
        for conn in (self._answers, self._requests):
            with contextlib.suppress(OSError, AttributeError):
                conn.close()
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)

    def stop(self, wait_s: float = 2.0) -> None:
        """Ask the worker to end (closing its requests pipe), kill it if it does not."""
        with contextlib.suppress(OSError):
            self._requests.send(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(wait_s)
        self.kill()


# --------------------------------------------------------------------------- child side


def die_with_parent(parent: int, main_thread_started: bool) -> None:
    """In a child: end when ``parent`` ends (see the module docstring)."""
    if main_thread_started and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the request above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_WATCH_INTERVAL_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]


def _child_main() -> None:
    factory, req_fd, ans_fd, parent, main_started, nice, *args = sys.argv[1:]
    die_with_parent(int(parent), main_started == "1")
    if int(nice) > 0:
        with contextlib.suppress(OSError):
            os.nice(int(nice))
    requests = Connection(int(req_fd), writable=False)
    answers = Connection(int(ans_fd), readable=False)
    try:
        module, _, name = factory.partition(":")
        handler: Callable[[Any], Any] = getattr(importlib.import_module(module), name)(*args)
    except Exception as exc:
        with contextlib.suppress(OSError):
            answers.send(("error", type(exc).__name__, _one_line(exc)))
        return
    try:
        answers.send(("ready",))
    except OSError:  # the parent stopped waiting (it ended, or gave up on this worker)
        return
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            answer = handler(request)
        except Exception as exc:
            answer = ("error", type(exc).__name__, _one_line(exc))
        try:
            answers.send(answer)
        except OSError:
            return
