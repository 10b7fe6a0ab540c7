"""Accounts made outside the web app (straight through Cognito) over the API: the first call that
needs a profile sets it up from the pool's attributes, and a username the app cannot use gets an
answer that says how to choose one (PUT /api/me)."""

import pytest

from cruddur.api.errors import IdentityUnavailable
from cruddur.auth.jwt import TokenError
from cruddur.services.profiles import profile_of
from tests.api.conftest import bearer

EVE = "e0e0e0e0-0000-4000-8000-00000000e0e0"
UNKNOWN_CRUD = "00000000-0000-4000-8000-000000000000"
NEW_CRUD = {"message": "first post", "ttl": "1d"}


@pytest.fixture
def eve(mint, pool):
    """A confirmed pool account with no profile in the app; her attributes as GetUser gives them."""
    pool.accounts[EVE] = {"sub": EVE, "preferred_username": "Eve_Online", "name": "Eve", "email": "eve@example.com"}
    return bearer(mint.access(EVE))


async def test_the_first_write_sets_up_the_profile_from_the_pools_attributes(client, people, eve):
    created = await client.post("/api/activities", json=NEW_CRUD, headers=eve)
    assert created.status_code == 201, created.text
    assert (created.json()["handle"], created.json()["display_name"]) == ("eve_online", "Eve")
    assert (await client.get("/api/me", headers=eve)).json() == {
        "handle": "eve_online",
        "display_name": "Eve",
        "avatar": "",
    }
    assert [c["message"] for c in (await client.get("/api/activities/@Eve_Online")).json()["cruds"]] == ["first post"]


async def test_liking_an_unknown_crud_before_having_a_profile_is_404(client, people, eve):
    response = await client.post(f"/api/activities/{UNKNOWN_CRUD}/like", headers=eve)
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


async def test_get_me_sets_up_the_profile_and_reads_do_not(client, people, eve):
    assert (await client.get("/api/activities/home", headers=eve)).status_code == 200
    with people.session() as session:
        assert profile_of(session, EVE) is None  # reads need no profile
    me = await client.get("/api/me", headers=eve)
    assert (me.status_code, me.json()) == (200, {"handle": "eve_online", "display_name": "Eve", "avatar": ""})


@pytest.mark.parametrize("spelling", ["ADA", "Ada", "ada"])
async def test_a_pool_username_someone_has_in_any_case_is_409_naming_put_me(client, pool, eve, spelling):
    pool.accounts[EVE]["preferred_username"] = spelling
    for response in (
        await client.post("/api/activities", json=NEW_CRUD, headers=eve),
        await client.post(f"/api/activities/{UNKNOWN_CRUD}/like", headers=eve),
        await client.get("/api/me", headers=eve),
    ):
        assert response.status_code == 409
        body = response.json()
        assert (body["error"], body["field"]) == ("handle_taken", "preferred_username")
        assert "PUT /api/me" in body["message"] and repr(spelling) in body["message"]


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"name": "Eve"}, "preferred_username"),
        ({"preferred_username": "Eve Online", "name": "Eve"}, "preferred_username"),
        ({"preferred_username": "e", "name": "Eve"}, "preferred_username"),
        ({"preferred_username": "eve"}, "name"),
    ],
)
async def test_a_missing_or_unusable_pool_attribute_is_422_naming_it_and_put_me(client, pool, eve, attributes, field):
    pool.accounts[EVE] = attributes
    for response in (
        await client.post("/api/activities", json=NEW_CRUD, headers=eve),
        await client.get("/api/me", headers=eve),
    ):
        assert response.status_code == 422
        body = response.json()
        assert (body["error"], body["field"]) == ("profile_incomplete", field)
        assert "PUT /api/me" in body["message"]


async def test_put_me_chooses_the_username_once_and_writes_it_back_to_the_pool(client, pool, eve):
    pool.accounts[EVE]["preferred_username"] = "ADA"  # Ada's, in another case
    chosen = await client.put("/api/me", json={"handle": "Eve_2"}, headers=eve)
    assert (chosen.status_code, chosen.json()) == (201, {"handle": "eve_2", "display_name": "Eve", "avatar": ""})
    assert pool.kept == [(EVE, "eve_2")]
    assert (await client.post("/api/activities", json=NEW_CRUD, headers=eve)).json()["handle"] == "eve_2"
    again = await client.put("/api/me", json={"handle": "EVE_2", "display_name": "Someone"}, headers=eve)
    assert (again.status_code, again.json()) == (200, {"handle": "eve_2", "display_name": "Eve", "avatar": ""})
    other = await client.put("/api/me", json={"handle": "eve_3"}, headers=eve)
    assert (other.status_code, other.json()["error"]) == (409, "handle_chosen")
    assert pool.kept == [(EVE, "eve_2")]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"handle": "ADA"}, 409, "handle"),
        ({"handle": "e"}, 422, "handle"),
        ({"handle": "@eve"}, 422, "handle"),
        ({"handle": "eve", "display_name": "   ", "avatar": ""}, 422, "display_name"),
        ({}, 422, "handle"),
    ],
)
async def test_put_me_refuses_a_username_it_cannot_give_naming_the_field(client, people, eve, body, status, field):
    response = await client.put("/api/me", json=body, headers=eve)
    assert (response.status_code, response.json()["field"]) == (status, field)
    with people.session() as session:
        assert profile_of(session, EVE) is None


async def test_put_me_without_a_display_name_or_a_pool_name_asks_for_one(client, pool, eve):
    pool.accounts[EVE] = {"preferred_username": "x y"}
    response = await client.put("/api/me", json={"handle": "eve"}, headers=eve)
    assert (response.status_code, response.json()["field"]) == (422, "display_name")
    made = await client.put("/api/me", json={"handle": "eve", "display_name": "Eve", "avatar": ""}, headers=eve)
    assert made.status_code == 201


async def test_a_person_with_a_profile_is_never_looked_up_at_the_pool(client, mint, pool):
    async def fail(_token):
        raise AssertionError("GetUser for a person who has a profile")

    pool.attributes = fail
    ada = bearer(mint.access())
    assert (await client.post("/api/activities", json=NEW_CRUD, headers=ada)).status_code == 201
    assert (await client.get("/api/me", headers=ada)).json()["handle"] == "ada"


@pytest.mark.parametrize(("raised", "status"), [(TokenError("refused by the pool"), 401), (IdentityUnavailable(), 503)])
async def test_a_pool_that_refuses_or_cannot_be_reached_is_401_or_503(client, pool, eve, raised, status):
    async def refuse(_token):
        raise raised

    pool.attributes = refuse
    response = await client.post("/api/activities", json=NEW_CRUD, headers=eve)
    assert response.status_code == status
    expected = {401: ("WWW-Authenticate", 'Bearer error="invalid_token"'), 503: ("Retry-After", "5")}[status]
    assert response.headers[expected[0]] == expected[1]
