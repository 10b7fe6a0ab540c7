"""Property-based: whatever a client sends to any documented operation, the API answers with
something other than a 5xx, and its refusals are JSON. (Hypothesis, bounded to ~100 examples
per operation.)"""

import json
from urllib.parse import quote

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.conftest import bearer

OPERATIONS = [
    ("GET", "/api/health"),
    ("GET", "/api/activities/home"),
    ("GET", "/api/activities/@{handle}"),
    ("POST", "/api/activities"),
    ("POST", "/api/activities/{crud_uuid}/reply"),
    ("POST", "/api/activities/{crud_uuid}/like"),
    ("GET", "/api/me"),
    ("PUT", "/api/me"),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
messages = st.one_of(st.text(max_size=300), st.just("x" * 281), st.just(" ok "), json_values)
ttls = st.one_of(st.sampled_from(["30d", "7d", "3d", "1d", "12h", "3h", "1h"]), st.text(max_size=5), json_values)
bodies = st.one_of(
    st.fixed_dictionaries({"message": messages, "ttl": ttls}, optional={"handle": json_values}),
    json_values,
    st.binary(max_size=64),
)


class BlockingClient:
    """An httpx ASGI client driven from synchronous code (Hypothesis runs examples synchronously)."""

    def __init__(self, portal, app):
        self.portal = portal
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cruddur.test")

    def request(self, method: str, path: str, **options) -> httpx.Response:
        return self.portal.call(lambda: self.client.request(method, path, **options))

    def close(self) -> None:
        self.portal.call(self.client.aclose)


@pytest.fixture
def world(api, mint):
    """A client, a few tokens (good, profileless, broken) and real ids and cursors to aim at."""
    with start_blocking_portal() as portal:
        client = BlockingClient(portal, api)
        good = mint.access()
        for n in range(21):
            client.request("POST", "/api/activities", json={"message": f"seed {n}", "ttl": "1d"}, headers=bearer(good))
        home = client.request("GET", "/api/activities/home").json()
        yield {
            "client": client,
            "tokens": [None, good, mint.access("0f0f0f0f-0000-4000-8000-0000000000ff"), mint.id_token(), "x.y.z"],
            "ids": [home["cruds"][0]["uuid"], home["cruds"][0]["uuid"].upper()],
            "cursors": [home["next_cursor"]],
        }
        client.close()


def test_the_fuzzed_operations_are_all_the_documented_ones(world):
    doc = world["client"].request("GET", "/api/openapi.json").json()
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "template"), OPERATIONS)
@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_input_makes_the_api_answer_5xx(world, method, template, data):
    token = data.draw(st.sampled_from(world["tokens"]), label="token")
    handle = data.draw(st.one_of(st.sampled_from(["ada", "bob"]), st.text(min_size=1)), label="handle")
    crud_uuid = data.draw(st.one_of(st.sampled_from(world["ids"]), st.uuids().map(str), st.text(min_size=1)))
    path = template.format(handle=quote(handle, safe=""), crud_uuid=quote(crud_uuid, safe=""))
    params = {}
    if method == "GET" and data.draw(st.booleans(), label="with cursor"):
        params["cursor"] = data.draw(st.one_of(st.sampled_from(world["cursors"]), st.text()), label="cursor")
    headers = bearer(token) if token else {}
    content = None
    if method in ("POST", "PUT"):
        body = data.draw(bodies, label="body")
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"

    response = world["client"].request(method, path, params=params, headers=headers, content=content)
    event(f"{response.status_code}")

    assert response.status_code < 500, response.text
    if response.status_code >= 400:  # (a trailing "/" gets a bodiless redirect, which is fine)
        assert response.headers["content-type"] == "application/json"
        assert set(response.json()) >= {"error", "message"}
