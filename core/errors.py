"""Errors that reach the user as one clear line."""

from __future__ import annotations


class HelsegrafError(Exception):
    """An expected failure with a one-line message for the user (no traceback).

    ``path`` names the file the error is about, if any; the message then reads
    ``<path>: <reason>``.
    """

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)

    def __reduce__(self) -> tuple[type[HelsegrafError], tuple[str, str | None]]:
        # Errors cross process boundaries (extraction workers): keep path and reason apart,
        # so the API can still name the file without the server's path.
        return (type(self), (self.reason, self.path))
