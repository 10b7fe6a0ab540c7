"""The home feed's first page served from the feed cache: the same answer as the route gives,
and never a way around the token check."""

import asyncio
import threading
import time

import httpx
import pytest

from cruddur.api import create_api
from cruddur.api.cached_home import CachedHomePage
from cruddur.services import feed_cache
from cruddur.services.posting import post_crud

from .conftest import ADA_SUB, BOB_SUB, bearer

HOME = "/api/activities/home"


@pytest.fixture
async def cruds(client, mint, people):
    with people.session() as session:
        made = [post_crud(session, ADA_SUB, f"crud {n}", "1d") for n in range(3)]
    await client.post(f"/api/activities/{made[0].uuid}/like", headers=bearer(mint.access(BOB_SUB)))
    return made


async def test_a_cached_page_is_the_page_the_route_answered(client, mint, cruds):
    bob = bearer(mint.access(BOB_SUB))
    first, again = await client.get(HOME, headers=bob), await client.get(HOME, headers=bob)
    assert first.status_code == again.status_code == 200
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.json() == first.json()
    assert [c["liked"] for c in again.json()["cruds"]] == [False, False, True]
    public = (await client.get(HOME)).json()
    assert [c["liked"] for c in public["cruds"]] == [False, False, False]


@pytest.mark.parametrize("kind", ["expired", "wrong client", "wrong signer", "id token", "garbage"])
async def test_an_invalid_token_is_401_even_when_the_page_is_cached(client, mint, cruds, kind):
    assert (await client.get(HOME)).status_code == 200
    token = {
        "expired": lambda: mint.access(exp=1),
        "wrong client": lambda: mint.access(client_id="6f0someotherappclient00000"),
        "wrong signer": lambda: mint.access(key="stranger"),
        "id token": mint.id_token,
        "garbage": lambda: "not.a.token",
    }[kind]()
    response = await client.get(HOME, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


async def test_a_refused_token_hears_the_routes_own_401_and_is_checked_once(mint, cruds, verifier, people, pool):
    checks = []

    async def counted(token: str) -> dict:
        checks.append(token)
        return await verifier.averify(token)

    api = create_api(counted, lambda: people, pool)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://cruddur.test") as client:
        stranger = bearer(mint.access(key="stranger"))
        feed_cache.invalidate_all()  # a cold page: the route answers
        from_route = await client.get(HOME, headers=stranger)
        assert (await client.get(HOME)).status_code == 200  # the page is cached again
        checks.clear()
        from_cache = await client.get(HOME, headers=stranger)
    assert from_cache.status_code == from_route.status_code == 401
    assert from_cache.content == from_route.content
    assert from_cache.headers["WWW-Authenticate"] == from_route.headers["WWW-Authenticate"]
    assert from_cache.headers["content-type"] == from_route.headers["content-type"]
    assert checks == [stranger["Authorization"].removeprefix("Bearer ")]


async def test_a_refused_token_is_answered_in_front_even_when_no_page_is_cached(mint, verifier, people):
    # Only wrong tokens arriving (nobody refilling the page) must not send each one on to the
    # routes, to be verified a second time there: that made a wrong token a third of the good rate.
    reached = []

    async def routes(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    front = CachedHomePage(routes, verify_access_token=verifier.averify, database=lambda: people)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://cruddur.test") as client:
        feed_cache.invalidate_all()
        refused = await client.get(HOME, headers=bearer(mint.access(key="stranger")))
        assert reached == []
        await client.get(HOME, headers=bearer(mint.access()))  # a good token and no page: the routes
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert reached == [HOME]


@pytest.mark.parametrize("header", ["Basic YWRhOnB3", "Bearer", "Bearer ", "Token abc"])
async def test_a_header_that_is_not_a_bearer_token_is_401_when_cached(client, cruds, header):
    assert (await client.get(HOME)).status_code == 200
    response = await client.get(HOME, headers={"Authorization": header})
    assert response.status_code == 401


async def test_a_valid_token_counts_only_as_a_bearer_token(client, mint, cruds):
    token = mint.access(BOB_SUB)
    assert (await client.get(HOME, headers=bearer(token))).status_code == 200
    assert (await client.get(HOME, headers={"Authorization": f"Token {token}"})).status_code == 401
    lower = await client.get(HOME, headers={"Authorization": f"bearer {token}"})
    assert [c["liked"] for c in lower.json()["cruds"]] == [False, False, True]


async def test_a_post_through_the_api_shows_on_the_next_read(client, mint, cruds):
    before = (await client.get(HOME)).json()
    created = await client.post("/api/activities", json={"message": "news", "ttl": "1h"}, headers=bearer(mint.access()))
    assert created.status_code == 201
    after = (await client.get(HOME)).json()
    assert after["cruds"][0]["uuid"] == created.json()["uuid"]
    assert len(after["cruds"]) == len(before["cruds"]) + 1


async def test_a_like_through_the_api_shows_at_once_for_its_giver(client, mint, cruds):
    ada = bearer(mint.access())
    assert not any(c["liked"] for c in (await client.get(HOME, headers=ada)).json()["cruds"])
    await client.post(f"/api/activities/{cruds[1].uuid}/like", headers=ada)
    page = (await client.get(HOME, headers=ada)).json()
    assert [c["liked"] for c in page["cruds"]] == [False, True, False]


async def test_later_pages_and_bad_cursors_still_go_through_the_route(client, cruds):
    await client.get(HOME)
    assert (await client.get(HOME, params={"cursor": "bogus"})).status_code == 422


async def test_the_openapi_document_still_gives_the_home_feeds_shape(client):
    doc = (await client.get("/api/openapi.json")).json()
    ok = doc["paths"][HOME]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/FeedPage")
    assert {"cruds", "next_cursor"} <= set(doc["components"]["schemas"]["FeedPage"]["properties"])


async def test_concurrent_misses_share_one_read(client, cruds, monkeypatch):
    reads = []
    real_body = feed_cache.HomeFeedCache.body

    def counted(self, session, viewer_sub):
        reads.append(viewer_sub)
        time.sleep(0.05)  # long enough for every request to arrive while it runs
        return real_body(self, session, viewer_sub)

    monkeypatch.setattr(feed_cache.HomeFeedCache, "body", counted)
    pages = await asyncio.gather(*(client.get(HOME) for _ in range(10)))
    assert {page.status_code for page in pages} == {200}
    assert len({page.content for page in pages}) == 1
    assert reads == [None]  # one worker thread, not ten


async def test_a_read_begun_before_a_post_is_not_shared_after_it(client, mint, cruds, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    real_home_feed = feed_cache.home_feed

    def held(session, **kwargs):
        page = real_home_feed(session, **kwargs)
        entered.set()
        release.wait(5)
        return page

    monkeypatch.setattr(feed_cache, "home_feed", held)
    early = asyncio.create_task(client.get(HOME))
    assert await asyncio.to_thread(entered.wait, 5)
    created = await client.post("/api/activities", json={"message": "news", "ttl": "1h"}, headers=bearer(mint.access()))
    late = asyncio.create_task(client.get(HOME))
    await asyncio.sleep(0.05)
    release.set()
    assert created.json()["uuid"] not in [c["uuid"] for c in (await early).json()["cruds"]]
    assert (await late).json()["cruds"][0]["uuid"] == created.json()["uuid"]
