"""With production settings (ALLOWED_ORIGINS set), only the configured origin gets a websocket."""

import aiohttp
import httpx
import pytest
import redis
import socketio

from tests.scale.conftest import ORIGIN, cluster
from tests.scale.tab import SESSION, Tab

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
        tmp_path, standalone_provider=False, workers=1, ALLOWED_ORIGINS=f"{ORIGIN}, https://www.cruddur.example/"
    ) as running:
        yield running


async def test_a_foreign_origin_is_refused_and_the_configured_ones_connect(production):
    backend = production.backends[0]
    for origin in (ORIGIN, "https://www.cruddur.example"):
        tab = Tab()
        await tab.connect(backend.url, "/", origin=origin)
        assert tab.var(SESSION, "auth_checked") is True
        await tab.close()

    store = redis.Redis.from_url(production.redis_url)
    for origin in FOREIGN:
        tab = Tab()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await tab.connect(backend.url, "/", origin=origin)
        await tab.close()
        assert store.keys(f"*{tab.token}*") == [], "a refused connection must leave no state behind"
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
    foreign = httpx.get(backend.url + "/api/health", headers={"Origin": FOREIGN[0]})
    assert "access-control-allow-origin" not in foreign.headers
    ours = httpx.get(backend.url + "/api/health", headers={"Origin": ORIGIN})
    assert ours.headers["access-control-allow-origin"] == ORIGIN
