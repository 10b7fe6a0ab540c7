"""With production settings (ALLOWED_ORIGINS set), only the configured origin gets a websocket."""

import aiohttp
import httpx
import pytest
import redis
import socketio

from cruddur.state.session import SessionState
from tests.scale.conftest import ORIGIN, Provider, cluster
from tests.support import socket_actions
from tests.support.socket_tab import Browser

FOREIGN = [
    "https://evil.example",
    "http://cruddur.example",  # the right host over plain HTTP is another origin
    "https://cruddur.example.evil.example",
    "https://cruddur.example:8443",
    "null",  # sandboxed frames, file:// pages
]


@pytest.fixture
def production(tmp_path):
    with cluster(
        tmp_path, provider=Provider.EMBEDDED, workers=1, ALLOWED_ORIGINS=f"{ORIGIN}, https://www.cruddur.example/"
    ) as running:
        yield running


async def test_a_foreign_origin_is_refused_and_the_configured_ones_connect(production):
    backend = production.backends[0]
    for origin in (ORIGIN, "https://www.cruddur.example"):
        tab = Browser(origin).tab()
        await socket_actions.open_page(tab, backend.url, "/")
        assert tab.var(SessionState, "auth_checked") is True
        await tab.close()

    store = redis.Redis.from_url(production.redis_url)
    for origin in FOREIGN:
        tab = Browser(origin).tab()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await tab.connect(backend.url, "/")
        await tab.close()
        assert store.keys(f"*{tab.token}*") == [], "a refused connection must leave no state behind"
        # ... and neither session route answers such a page (no cookie is set or cleared).
        for route in ("/_session/adopt", "/_session/end"):
            answer = await tab.browser.post(backend.url, route, {"ticket": "x"})
            assert answer.status_code == 403 and "set-cookie" not in answer.headers, (origin, route)
    store.close()

    # The websocket handshake itself is refused (the ASGI server answers 403 for a websocket
    # closed before it was accepted), before any Socket.IO session exists.
    handshake = backend.url.replace("http", "ws", 1) + "/_event/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(handshake, headers={"Origin": FOREIGN[0]})
        assert refused.value.status == 403
        async with client.ws_connect(handshake, headers={"Origin": ORIGIN}) as socket:
            assert (await socket.receive_str(timeout=10)).startswith("0{")  # Engine.IO "open"

    # HTTP CORS follows the same list: no grant for a foreign origin, an exact one for ours.
    async with httpx.AsyncClient(base_url=backend.url) as http:
        foreign = await http.get("/api/health", headers={"Origin": FOREIGN[0]})
        ours = await http.get("/api/health", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in foreign.headers
    assert ours.headers["access-control-allow-origin"] == ORIGIN
