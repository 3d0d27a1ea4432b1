"""Checks made before a request's body is read: a writing route's bearer token.

FastAPI reads (and parses) a route's body before it runs the route's dependencies, so a token
check written as a dependency came after a body of any size had been taken in. A router made
with ``route_class=TokenFirstRoute`` runs the checks marked :func:`before_body` that a route
depends on before the route reads its body. The size of every body is limited by FastAPI's
``max_body_size`` (see ``api/app.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

Check = Callable[[Request], None]

_BEFORE_BODY: set[Check] = set()


def before_body(check: Check) -> Check:
    """Mark a dependency (a function of the request that raises HTTPException) to be run
    before the body of a route of a :class:`TokenFirstRoute` router is read."""
    _BEFORE_BODY.add(check)
    return check


class TokenFirstRoute(APIRoute):
    """A route that runs its :func:`before_body` dependencies before it reads the body (they
    run again, as ordinary dependencies, afterwards)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        checks = [d.call for d in self.dependant.dependencies if d.call in _BEFORE_BODY]
        if not checks:
            return handler

        async def checked(request: Request) -> Response:
            for check in checks:
                check(request)
            return await handler(request)

        return checked
