"""The studio's guard, in front of every request (an ASGI middleware, so that progress streams
pass through it unchanged):

- the Host header must be 127.0.0.1:PORT or localhost:PORT (a page of another site that makes
  its own name point at 127.0.0.1 is refused: DNS rebinding);
- every request carries the start's random token: `?token=` once (it sets a cookie and the
  address bar loses it), the cookie, or `Authorization: Bearer TOKEN`;
- a request that changes something also needs a same-origin `Origin` when it comes from a
  browser (its cookie), so that another page cannot post to the studio (CSRF).
"""
from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.responses import PlainTextResponse, RedirectResponse

SAFE_METHODS = {"GET", "HEAD"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(port: int) -> str:
    # Cookies are kept per host, not per port: two studios on one machine keep theirs apart.
    return f"rollout_studio_{port}"


class Guard:
    def __init__(self, app, token: str, port: int):
        self.app, self.token, self.port = app, token, port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        response = self.refusal(scope, headers) or self.token_in_address(scope)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope, headers: dict[str, str]):
        if headers.get("host", "") not in self.hosts:
            return refuse(400, f"This studio answers only at 127.0.0.1:{self.port}.")
        bearer = self.bearer(headers)
        by_cookie = self.matches(self.cookie(headers))
        by_address = scope["method"] in SAFE_METHODS and self.matches(self.query_token(scope))
        if not (bearer or by_cookie or by_address):
            return refuse(401, "Open the studio with the link it printed when it started "
                          "(the link holds a key that changes each time it starts).")
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and origin not in self.origins:
                return refuse(403, "Changes come only from the studio's own pages.")
            if origin is None and not bearer:
                return refuse(403, "Changes come only from the studio's own pages (the "
                              "browser sent no Origin).")
            if headers.get("sec-fetch-site") not in (None, "same-origin", "none"):
                return refuse(403, "Changes come only from the studio's own pages.")
        return None

    def token_in_address(self, scope):
        """`?token=` on a page: set the cookie and show the same address without the token."""
        if scope["method"] not in SAFE_METHODS or not self.matches(self.query_token(scope)):
            return None
        rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
                if k != "token"]
        response = RedirectResponse(scope["path"] + ("?" + urlencode(rest) if rest else ""),
                                    status_code=303)
        response.set_cookie(cookie_name(self.port), self.token, httponly=True,
                            samesite="strict", path="/")
        return response

    def matches(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token.encode())

    def bearer(self, headers: dict[str, str]) -> bool:
        kind, _, value = headers.get("authorization", "").partition(" ")
        return kind.lower() == "bearer" and self.matches(value.strip())

    def cookie(self, headers: dict[str, str]) -> str | None:
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no token
            return None
        morsel = jar.get(cookie_name(self.port))
        return morsel.value if morsel else None

    @staticmethod
    def query_token(scope) -> str | None:
        for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
            if key == "token":
                return value
        return None


def refuse(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)
