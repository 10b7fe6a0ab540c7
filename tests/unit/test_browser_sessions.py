"""How a browser holds its session, at the HTTP level: the device cookie, the ticket exchange,
clearing the cookie, and the peer-address header a client cannot forge."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from cruddur.browser_sessions import ConnectionSessions, parse_cookies, session_routes, with_browser_cookies
from cruddur.settings import Settings

ORIGIN = "http://localhost:3000"


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def app_behind(settings: Settings, redeem=None, end=None):
    async def page(_request):
        return HTMLResponse("<html></html>")

    async def data(_request):
        return JSONResponse({})

    async def no_redeem(_ticket, _device):
        return None

    async def no_end(_handle):
        return None

    inner = Starlette(routes=[Route("/", page), Route("/api/data", data)])
    routes = session_routes(settings, redeem or no_redeem, end or no_end)
    routes.mount("", inner)
    return with_browser_cookies(settings)(routes)


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000")


async def test_a_page_gives_a_new_browser_its_http_only_device_cookie_and_a_readable_marker():
    async with client(app_behind(settings())) as browser:
        first = await browser.get("/")
        cookies = first.headers.get_list("set-cookie")
        assert any(c.startswith("cruddur_browser=") and "HttpOnly" in c and "Secure" in c for c in cookies)
        assert any(c.startswith("cruddur_browser_set=1") and "HttpOnly" not in c for c in cookies)
        again = await browser.get("/", headers={"cookie": "cruddur_browser=abc"})
        assert "set-cookie" not in again.headers
        data = await browser.get("/api/data")
        assert "set-cookie" not in data.headers  # API clients get no cookies


async def test_hello_gives_the_device_cookie_to_a_page_served_from_elsewhere():
    async with client(app_behind(settings())) as browser:
        answer = await browser.post("/_session/hello", headers={"origin": ORIGIN})
        assert answer.status_code == 204
        assert any(c.startswith("cruddur_browser=") for c in answer.headers.get_list("set-cookie"))


async def test_over_https_the_cookies_take_the_host_prefix():
    secure = settings(reflex_deploy_url="https://cruddur.example")
    async with client(app_behind(secure)) as browser:
        cookies = (await browser.get("/")).headers.get_list("set-cookie")
        assert any(c.startswith("__Host-cruddur_browser=") and "Path=/" in c and "Domain" not in c for c in cookies)


async def test_a_ticket_is_exchanged_for_the_session_cookie_only_from_the_apps_origin():
    seen = []

    async def redeem(ticket, device):
        seen.append((ticket, device))
        return "the-handle" if (ticket, device) == ("good", "dev-1") else None

    async with client(app_behind(settings(), redeem=redeem)) as browser:
        cookie = {"cookie": "cruddur_browser=dev-1"}
        foreign = await browser.post(
            "/_session/adopt", json={"ticket": "good"}, headers={"origin": "https://evil.example", **cookie}
        )
        assert foreign.status_code == 403 and seen == []
        wrong = await browser.post("/_session/adopt", json={"ticket": "stolen"}, headers={"origin": ORIGIN, **cookie})
        assert wrong.status_code == 400 and "set-cookie" not in wrong.headers
        junk = await browser.post("/_session/adopt", content=b"{not json", headers={"origin": ORIGIN, **cookie})
        assert junk.status_code == 400
        good = await browser.post("/_session/adopt", json={"ticket": "good"}, headers={"origin": ORIGIN, **cookie})
        assert good.status_code == 204
        [session] = [c for c in good.headers.get_list("set-cookie") if c.startswith("cruddur_session=")]
        assert session.startswith("cruddur_session=the-handle;")
        assert all(part in session for part in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"))


async def test_ending_clears_the_cookie_and_ends_the_session_it_names():
    ended = []

    async def end(handle):
        ended.append(handle)

    async with client(app_behind(settings(), end=end)) as browser:
        answer = await browser.post("/_session/end", headers={"origin": ORIGIN, "cookie": "cruddur_session=h1"})
        assert answer.status_code == 204 and ended == ["h1"]
        assert any(
            c.startswith("cruddur_session=;") and "Max-Age=0" in c for c in answer.headers.get_list("set-cookie")
        )


async def test_a_websocket_handshake_cannot_claim_a_peer_address():
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    wrapped = with_browser_cookies(settings())(inner)
    scope = {"type": "websocket", "headers": [(b"asgi-scope-client", b"127.0.0.1"), (b"cookie", b"a=1")]}
    await wrapped(scope, None, None)
    assert seen["headers"] == [(b"cookie", b"a=1")]


def test_a_connection_that_signed_in_or_out_wins_over_its_stale_handshake_cookie():
    connections = ConnectionSessions(limit=2)
    assert connections.handle_of("sid-1", "from-cookie") == "from-cookie"
    connections.bind("sid-1", "signed-in-here")
    connections.bind("sid-2", "")  # signed out on this connection
    assert connections.handle_of("sid-1", "from-cookie") == "signed-in-here"
    assert connections.handle_of("sid-2", "from-cookie") == ""
    connections.bind("sid-3", "x")  # over the limit: the least recently used (sid-1) is forgotten
    assert connections.handle_of("sid-1", "from-cookie") == "from-cookie"
    assert connections.handle_of("sid-2", "from-cookie") == ""


@pytest.mark.parametrize("header", ["", "garbage", "a=1; =; ; b", '"quoted=1"'])
def test_a_malformed_cookie_header_reads_as_no_cookies_or_the_good_ones(header):
    assert isinstance(parse_cookies(header), dict)
