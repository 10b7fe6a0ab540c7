"""One error shape for every status, with the headers the status calls for, in the API as Reflex
mounts it: its own app behind the API's routes, answering whatever they leave."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse

from cruddur.api import create_api
from tests.api.conftest import FakePool


@pytest.fixture
async def mounted(verifier, people):
    """The API with an app mounted behind it at "", as `cruddur.in_front` mounts Reflex's."""
    api = create_api(verifier.averify, lambda: people, FakePool())
    behind = Starlette()
    behind.add_route("/{rest:path}", lambda _request: PlainTextResponse("reflex", 404))
    api.mount("", behind)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://cruddur.test") as client:
        yield client


@pytest.mark.parametrize("method", ["TRACE", "PATCH", "DELETE", "OPTIONS", "PUT", "HEAD", "PROPFIND"])
@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/activities/home", "GET"),
        ("/api/activities/@ada", "GET"),
        ("/api/activities", "POST"),
        ("/api/health", "GET"),
        ("/api/me", "GET, PUT"),
        ("/api/docs", "GET"),
    ],
)
async def test_a_method_a_known_path_does_not_have_is_405_with_allow(mounted, method, path, allow):
    if method in allow.split(", "):
        return  # PUT /api/me exists
    response = await mounted.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert response.json() == {"error": "method_not_allowed", "message": "Method Not Allowed"}


@pytest.mark.parametrize("method", ["GET", "TRACE", "POST", "PROPFIND"])
async def test_an_unknown_api_path_is_404_in_the_apis_shape_whatever_the_method(mounted, method):
    response = await mounted.request(method, "/api/no-such-thing")
    assert response.status_code == 404
    if method != "HEAD":
        assert response.json()["error"] == "not_found"


async def test_paths_outside_the_api_still_reach_the_app_behind(mounted):
    assert (await mounted.get("/somewhere")).text == "reflex"


async def test_a_bug_is_a_500_in_the_apis_shape(verifier, people, caplog):
    api = create_api(verifier.averify, lambda: people, FakePool())

    @api.get("/api/breaks")
    async def breaks():
        raise RuntimeError("a bug")

    api.router.routes.insert(0, api.router.routes.pop())  # before the API's catch-all
    transport = httpx.ASGITransport(app=api, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://cruddur.test") as client:
        response = await client.get("/api/breaks")
    assert (response.status_code, response.json()["error"]) == (500, "internal")
    assert "a bug" not in response.text
    assert "the API failed a request" in caplog.text
