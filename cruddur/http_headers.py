"""Security headers on every HTTP response, and the one place that builds Cruddur's
Content-Security-Policy.

`SecurityHeaders` is plain ASGI (no Reflex): it adds `X-Content-Type-Options`,
`Referrer-Policy` and `X-Frame-Options` to every HTTP response, and the policy it was given to
every document response (HTML, XHTML, SVG) that does not carry a policy of its own, as the API
docs page does. Websocket and lifespan scopes pass through untouched. The policy is a constant
built once at start-up, so a request costs one scan of the response's header names.

Reflex's production pages carry inline scripts (theme, scroll restoration, React Router's
context and module imports, React's streaming helpers): each is allowed by its SHA-256, read
from the built pages when the backend starts, never by 'unsafe-inline'.

`python -m cruddur.http_headers PAGES_DIR API_URL` prints the policy, for a proxy or static host
that serves an exported frontend itself.
"""

import base64
import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Nothing off-site gets our URLs (they can carry an e-mail address or a `next` path); our own
# requests keep the full referrer.
REFERRER_POLICY = "same-origin"

# Responses a browser renders as a document, where a policy applies.
_DOCUMENT_TYPES = frozenset({b"text/html", b"application/xhtml+xml", b"image/svg+xml"})
_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\ssrc\s*=)[^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)


def script_hash(source: bytes) -> str:
    """The CSP source that allows an inline script whose text is exactly `source`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source).digest()).decode() + "'"


def inline_script_hashes(html: bytes) -> set[str]:
    """The CSP sources for every inline `<script>` in `html` (a script with `src` needs none)."""
    return {script_hash(body) for body in _INLINE_SCRIPT.findall(html)}


def built_pages_script_hashes(pages_dir: Path) -> set[str]:
    """The inline scripts' hashes over every built page under `pages_dir` (none if unbuilt).

    One set for all pages: every script it allows is one of the build's own, verbatim."""
    hashes: set[str] = set()
    for page in sorted(pages_dir.rglob("*.html")):
        hashes |= inline_script_hashes(page.read_bytes())
    return hashes


def backend_origins(api_url: str) -> tuple[str, ...]:
    """The origins a page opens to reach the backend at `api_url`: its own scheme (ping, upload)
    and the websocket one (`/_event`)."""
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the backend URL must be http(s)://host[:port], not {api_url!r}")
    websocket = "wss" if parts.scheme == "https" else "ws"
    return (f"{parts.scheme}://{parts.netloc}", f"{websocket}://{parts.netloc}")


def content_security_policy(
    script_hashes: Iterable[str] = (),
    connect_origins: Iterable[str] = (),
    *,
    string_eval: bool = False,
    image_origins: Iterable[str] = (),
) -> str:
    """Cruddur's policy: everything from the page's own origin, plus the sources named here.
    `string_eval` is for Reflex's pages only (see below)."""
    directives = {
        "default-src": ["'self'"],
        # Inline scripts by their hashes only: an injected <script> or on* attribute never runs.
        # 'unsafe-eval': Reflex's state.js runs the JavaScript that an event handler sends back
        # as text (`rx.toast`, `rx.call_script`) through eval(); without it the sign-out and
        # session-expiry toasts never show. It lets no new script in from anywhere; sending
        # those notices as state instead of as code would let it go.
        "script-src": ["'self'", *(["'unsafe-eval'"] if string_eval else []), *sorted(script_hashes)],
        # Emotion (Reflex's CSS-in-JS) and Radix create <style> elements at run time with rules
        # generated from props, so they cannot be hashed ahead; styles cannot run script.
        "style-src": ["'self'", "'unsafe-inline'"],
        # Reflex's websocket and ping/upload at its api_url: 'self' covers ws(s) of the same host
        # only in CSP3 browsers, and api_url may name another host than the page's.
        "connect-src": ["'self'", *dict.fromkeys(connect_origins)],
        # Swagger UI's stylesheet embeds its icons as data: images (an image cannot run script).
        # Profile pictures come from the backend (/_avatar/), which api_url may put on another host.
        "img-src": ["'self'", "data:", *dict.fromkeys(image_origins)],
        "font-src": ["'self'"],  # the build's @font-face rules name local() fonts only
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def page_policy(pages_dir: Path, api_url: str) -> str:
    """The policy for Reflex's built pages under `pages_dir`, talking to the backend at `api_url`."""
    origins = backend_origins(api_url)
    return content_security_policy(
        built_pages_script_hashes(pages_dir), origins, string_eval=True, image_origins=origins[:1]
    )


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response; a header the app already set
    is kept as it is."""

    def __init__(self, app: ASGIApp, content_security_policy: str):
        self.app = app
        self._every_response = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", REFERRER_POLICY.encode()),
            (b"x-frame-options", b"DENY"),  # frame-ancestors 'none' for browsers without CSP
        ]
        self._policy = (b"content-security-policy", content_security_policy.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": self._with_headers(message.get("headers", ()))}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _with_headers(self, headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        headers = list(headers)
        present = {name.lower() for name, _ in headers}
        headers += [header for header in self._every_response if header[0] not in present]
        if self._policy[0] not in present and _is_document(headers):
            headers.append(self._policy)
        return headers


def _is_document(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.split(b";", 1)[0].strip().lower() in _DOCUMENT_TYPES
    return False


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(
            "usage: python -m cruddur.http_headers PAGES_DIR API_URL  (e.g. .web/build/client https://cruddur.example)"
        )
    print(page_policy(Path(sys.argv[1]), sys.argv[2]))
