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
