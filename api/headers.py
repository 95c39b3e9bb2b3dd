"""Security headers on every HTTP answer, as a plain ASGI middleware (no request buffering).

- `Content-Security-Policy`: scripts only from this server (no inline script, no eval), no
  plugins, no framing (`frame-ancestors 'none'`, with `X-Frame-Options: DENY` for older
  browsers); inline styles stay allowed because the map library positions its markers with them.
  Map tiles may come from any https server (`MAP_TILES_URL`). The interactive API docs load
  Swagger UI from its CDN with an inline script, so they get a policy of their own.
- `Cache-Control: no-store` on API answers that do not set their own (clients' data must not
  linger in shared or browser caches).
- `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin` everywhere.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_PATHS = ("/docs", "/redoc")


def headers_for(path: str, present: set[bytes]) -> list[tuple[bytes, bytes]]:
    """The security headers an answer on `path` gets (those it already has are kept)."""
    policy = DOCS_POLICY if path.startswith(DOCS_PATHS) else PAGE_POLICY
    added = [
        (b"content-security-policy", policy.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if path.startswith("/api/"):
        added.append((b"cache-control", b"no-store"))
    return [(name, value) for name, value in added if name not in present]


class SecurityHeaders:
    """Adds `headers_for(path)` to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + headers_for(path, present)
            await send(message)

        await self.app(scope, receive, send_with_headers)
