"""The security-headers middleware on tiny ASGI apps, and the policy it is given."""

from pathlib import Path

import pytest

from cruddur.http_headers import (
    SecurityHeaders,
    backend_origins,
    built_pages_script_hashes,
    content_security_policy,
    inline_script_hashes,
    page_policy,
)

POLICY = "default-src 'self'; frame-ancestors 'none'"
EVERY_RESPONSE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def answering(content_type: bytes | None, extra: list[tuple[bytes, bytes]] = ()):
    async def app(scope, receive, send):
        headers = [(b"content-type", content_type)] if content_type else []
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, *extra]})
        await send({"type": "http.response.body", "body": b"hello"})

    return app


async def call(app, scope: dict) -> list[dict]:
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await SecurityHeaders(app, POLICY)(scope, receive, send)
    return sent


def http_scope(path: str = "/") -> dict:
    return {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}


def headers_of(start: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in start["headers"]:
        found.setdefault(name.decode().lower(), []).append(value.decode())
    return found


@pytest.mark.parametrize(
    "content_type", [b"text/html; charset=utf-8", b"TEXT/HTML", b"application/xhtml+xml", b"image/svg+xml"]
)
async def test_a_document_response_gets_every_header_and_the_policy(content_type):
    start, body = await call(answering(content_type), http_scope())
    headers = headers_of(start)
    for name, value in EVERY_RESPONSE.items():
        assert headers[name] == [value]
    assert headers["content-security-policy"] == [POLICY]
    assert body == {"type": "http.response.body", "body": b"hello"}


@pytest.mark.parametrize("content_type", [b"application/json", b"text/css", b"text/javascript", None])
async def test_other_responses_get_every_header_but_no_policy(content_type):
    start, _ = await call(answering(content_type), http_scope("/api/health"))
    headers = headers_of(start)
    for name, value in EVERY_RESPONSE.items():
        assert headers[name] == [value]
    assert "content-security-policy" not in headers


async def test_headers_the_app_set_itself_are_kept_and_never_doubled():
    own = [(b"Content-Security-Policy", b"default-src 'none'"), (b"x-frame-options", b"SAMEORIGIN")]
    start, _ = await call(answering(b"text/html", own), http_scope("/api/docs"))
    headers = headers_of(start)
    assert headers["content-security-policy"] == ["default-src 'none'"]
    assert headers["x-frame-options"] == ["SAMEORIGIN"]
    assert headers["x-content-type-options"] == ["nosniff"]


async def test_the_response_status_and_body_pass_through_unchanged():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"no", "more_body": True})
        await send({"type": "http.response.body", "body": b"pe"})

    start, *body = await call(app, http_scope())
    assert start["status"] == 404
    assert body == [
        {"type": "http.response.body", "body": b"no", "more_body": True},
        {"type": "http.response.body", "body": b"pe"},
    ]


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
async def test_websocket_and_lifespan_messages_are_untouched(scope_type):
    messages = [
        {"type": "websocket.accept", "headers": [(b"content-type", b"text/html")]},
        {"type": "websocket.send", "text": "42"},
        {"type": "websocket.http.response.start", "status": 403, "headers": [(b"content-type", b"text/html")]},
    ]

    async def app(scope, receive, send):
        for message in messages:
            await send(message)

    sent = await call(app, {"type": scope_type, "path": "/_event", "headers": []})
    assert sent == messages
    assert all(a is b for a, b in zip(sent, messages, strict=True))


def test_an_inline_script_hash_is_the_one_browsers_compute():
    # MDN's example for script-src hashes: <script>var inline = 1;</script>
    assert inline_script_hashes(b"<script>var inline = 1;</script>") == {
        "'sha256-B2yPHKaXnvFWtRChIbabYmUBFZdVfKKXHbWtWidDVF8='"
    }


def test_scripts_with_a_src_need_no_hash_and_module_scripts_do():
    html = b"""<script src="/assets/a.js"></script><SCRIPT type="module" async="">import "/b.js";</SCRIPT>
    <script id="x" >
    one();
    </script>"""
    assert inline_script_hashes(html) == inline_script_hashes(b'<script>import "/b.js";</script>') | (
        inline_script_hashes(b"<script>\n    one();\n    </script>")
    )
    assert len(inline_script_hashes(html)) == 2


def test_built_pages_give_the_union_of_their_inline_scripts(tmp_path: Path):
    (tmp_path / "signin").mkdir()
    (tmp_path / "index.html").write_bytes(b"<script>theme()</script><script>home()</script>")
    (tmp_path / "signin" / "index.html").write_bytes(b"<script>theme()</script><script>signin()</script>")
    (tmp_path / "index.html.gz").write_bytes(b"\x1f\x8b not read")
    assert built_pages_script_hashes(tmp_path) == inline_script_hashes(
        b"<script>theme()</script><script>home()</script><script>signin()</script>"
    )
    assert built_pages_script_hashes(tmp_path / "unbuilt") == set()


@pytest.mark.parametrize(
    ("api_url", "origins"),
    [
        ("https://cruddur.example", ("https://cruddur.example", "wss://cruddur.example")),
        ("http://localhost:8000/", ("http://localhost:8000", "ws://localhost:8000")),
    ],
)
def test_the_backend_is_reached_over_its_scheme_and_the_matching_websocket(api_url, origins):
    assert backend_origins(api_url) == origins


@pytest.mark.parametrize("api_url", ["cruddur.example", "ftp://cruddur.example", "https://"])
def test_a_backend_url_that_is_not_http_is_refused(api_url):
    with pytest.raises(ValueError, match="backend URL"):
        backend_origins(api_url)


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split("; "))}


def test_the_policy_allows_nothing_from_another_host_but_the_backend():
    policy = directives(content_security_policy(["'sha256-abc='"], ["wss://api.example"]))
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'sha256-abc='"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'", "wss://api.example"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_the_pages_policy_hashes_their_scripts_and_lets_reflex_eval_what_its_backend_sends(tmp_path: Path):
    (tmp_path / "index.html").write_bytes(b"<script>theme()</script>")
    policy = directives(page_policy(tmp_path, "https://cruddur.example"))
    assert policy["script-src"] == ["'self'", "'unsafe-eval'", *inline_script_hashes(b"<script>theme()</script>")]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'", "https://cruddur.example", "wss://cruddur.example"]
