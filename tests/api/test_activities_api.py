import httpx
import pytest

from cruddur.api import create_api
from cruddur.api.errors import MalformedBody
from tests.api.conftest import BOB_SUB, OTHER_CLIENT_ID, FakePool, bearer

INVALID_TOKEN = 'Bearer error="invalid_token"'


async def post_crud(client, token, message="hello", ttl="1d"):
    response = await client.post("/api/activities", json={"message": message, "ttl": ttl}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


async def test_health_answers_ok(client):
    response = await client.get("/api/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_the_home_feed_is_public_without_a_token(client, mint):
    crud = await post_crud(client, mint.access(), "public hello")
    response = await client.get("/api/activities/home")
    assert response.status_code == 200
    body = response.json()
    assert [c["uuid"] for c in body["cruds"]] == [crud["uuid"]]
    assert body["cruds"][0]["liked"] is False
    assert body["next_cursor"] is None


async def test_the_home_feed_marks_what_the_token_holder_liked(client, mint):
    crud = await post_crud(client, mint.access())
    bob = mint.access(BOB_SUB)
    assert (await client.post(f"/api/activities/{crud['uuid']}/like", headers=bearer(bob))).status_code == 200
    as_bob = (await client.get("/api/activities/home", headers=bearer(bob))).json()["cruds"][0]
    as_ada = (await client.get("/api/activities/home", headers=bearer(mint.access()))).json()["cruds"][0]
    public = (await client.get("/api/activities/home")).json()["cruds"][0]
    assert (as_bob["liked"], as_ada["liked"], public["liked"]) == (True, False, False)
    assert as_bob["likes_count"] == public["likes_count"] == 1


async def test_the_home_feed_pages_with_its_cursor(client, mint):
    token = mint.access()
    for n in range(23):
        await post_crud(client, token, f"crud {n}")
    first = (await client.get("/api/activities/home")).json()
    second = (await client.get("/api/activities/home", params={"cursor": first["next_cursor"]})).json()
    assert (len(first["cruds"]), len(second["cruds"]), second["next_cursor"]) == (20, 3, None)
    assert [c["message"] for c in first["cruds"] + second["cruds"]] == [f"crud {n}" for n in reversed(range(23))]


async def test_a_cursor_the_api_did_not_make_is_422_naming_cursor(client):
    response = await client.get("/api/activities/home", params={"cursor": "bogus"})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


BAD_TOKENS = {
    "garbage": lambda mint: "not.a.token",
    "expired": lambda mint: mint.access(exp=1_700_000_000, iat=1_699_990_000, auth_time=1_699_990_000),
    "wrong client": lambda mint: mint.access(client_id=OTHER_CLIENT_ID),
    "wrong issuer": lambda mint: mint.access(iss="http://127.0.0.1:1/us-east-1_Elsewhere"),
    "id token": lambda mint: mint.id_token(),
    "forged signature": lambda mint: mint.access(key="stranger"),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
async def test_an_invalid_token_is_401_even_where_no_token_is_needed(client, mint, kind):
    token = BAD_TOKENS[kind](mint)
    for response in (
        await client.get("/api/activities/home", headers=bearer(token)),
        await client.get("/api/activities/@ada", headers=bearer(token)),
        await client.post("/api/activities", json={"message": "hi", "ttl": "1d"}, headers=bearer(token)),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
        assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize("header", ["Basic YWRhOnNlY3JldA==", "Bearer", "Bearer ", "token-without-scheme"])
async def test_an_authorization_header_that_is_not_a_bearer_token_is_401(client, header):
    response = await client.get("/api/activities/home", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/activities"),
        ("POST", "/api/activities/00000000-0000-4000-8000-000000000000/reply"),
        ("POST", "/api/activities/00000000-0000-4000-8000-000000000000/like"),
    ],
)
async def test_writes_without_a_token_are_401_with_a_bearer_challenge(client, method, path):
    response = await client.request(method, path, json={"message": "hi", "ttl": "1d"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_post_is_authored_by_the_token_holder_whatever_the_body_claims(client, mint):
    response = await client.post(
        "/api/activities",
        json={"message": "  mine  ", "ttl": "3h", "handle": "bob", "author_sub": BOB_SUB, "display_name": "Bob"},
        headers=bearer(mint.access()),
    )
    assert response.status_code == 201
    crud = response.json()
    assert (crud["handle"], crud["display_name"], crud["message"]) == ("ada", "Ada Lovelace", "mine")
    assert crud["expires_in"] in ("3h", "2h")
    bobs = (await client.get("/api/activities/@bob")).json()
    assert bobs["cruds"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "", "ttl": "1d"}, "message"),
        ({"message": "   ", "ttl": "1d"}, "message"),
        ({"message": "x" * 281, "ttl": "1d"}, "message"),
        ({"message": "hi", "ttl": "2d"}, "ttl"),
        ({"message": "hi"}, "ttl"),
        ({"ttl": "1d"}, "message"),
        ({"message": 42, "ttl": "1d"}, "message"),
        ({"message": ["hi"], "ttl": "1d"}, "message"),
        ({"message": "hi", "ttl": 7}, "ttl"),
        (["message", "hi"], "body"),
        ("just a string", "body"),
    ],
)
async def test_an_invalid_post_is_422_naming_the_field(client, mint, body, field):
    response = await client.post("/api/activities", json=body, headers=bearer(mint.access()))
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert (await client.get("/api/activities/home")).json()["cruds"] == []


NOT_JSON = [b"message=hi&ttl=1d", b"{not json", b"\xff\xfe", '{"message": "é"}'.encode("latin-1")]


@pytest.mark.parametrize("content", NOT_JSON)
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=latin-1"])
async def test_a_body_that_is_not_json_is_400_naming_the_body(client, mint, content, content_type):
    response = await client.post(
        "/api/activities", content=content, headers=bearer(mint.access()) | {"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "malformed_body", "message": MalformedBody().message, "field": "body"}


async def test_a_missing_body_is_422_naming_the_body(client, mint):
    headers = bearer(mint.access()) | {"Content-Type": "application/json"}
    response = await client.post("/api/activities", headers=headers)
    assert (response.status_code, response.json()["field"]) == (422, "body")


async def test_a_message_of_280_characters_is_accepted(client, mint):
    crud = await post_crud(client, mint.access(), "ü" * 280)
    assert len(crud["message"]) == 280


async def test_like_toggles_and_returns_the_count(client, mint):
    crud = await post_crud(client, mint.access())
    bob = bearer(mint.access(BOB_SUB))
    first = await client.post(f"/api/activities/{crud['uuid']}/like", headers=bob)
    second = await client.post(f"/api/activities/{crud['uuid']}/like", headers=bob)
    assert first.json() == {"liked": True, "likes_count": 1}
    assert second.json() == {"liked": False, "likes_count": 0}


async def test_a_reply_is_created_and_shown_under_its_crud(client, mint):
    crud = await post_crud(client, mint.access(), "question?")
    response = await client.post(
        f"/api/activities/{crud['uuid']}/reply", json={"message": "answer"}, headers=bearer(mint.access(BOB_SUB))
    )
    assert response.status_code == 201
    answer = response.json()
    assert (answer["handle"], answer["expires_at"]) == ("bob", crud["expires_at"])
    [shown] = (await client.get("/api/activities/home")).json()["cruds"]
    assert shown["replies_count"] == 1
    assert [r["message"] for r in shown["replies"]] == ["answer"]


async def test_replying_to_a_reply_is_409_naming_the_crud(client, mint):
    crud = await post_crud(client, mint.access())
    token = bearer(mint.access(BOB_SUB))
    answer = (await client.post(f"/api/activities/{crud['uuid']}/reply", json={"message": "a"}, headers=token)).json()
    response = await client.post(f"/api/activities/{answer['uuid']}/reply", json={"message": "b"}, headers=token)
    assert response.status_code == 409
    assert (response.json()["error"], response.json()["field"]) == ("nested_reply", "crud_uuid")


@pytest.mark.parametrize("action", ["reply", "like"])
async def test_an_unknown_crud_is_404_and_a_malformed_id_is_422(client, mint, action):
    token = bearer(mint.access())
    unknown = await client.post(
        f"/api/activities/00000000-0000-4000-8000-000000000000/{action}", json={"message": "hi"}, headers=token
    )
    malformed = await client.post(f"/api/activities/not-a-uuid/{action}", json={"message": "hi"}, headers=token)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert (malformed.status_code, malformed.json()["field"]) == (422, "crud_uuid")


async def test_a_profile_feed_shows_the_person_and_their_cruds(client, mint):
    await post_crud(client, mint.access(), "by ada")
    await post_crud(client, mint.access(BOB_SUB), "by bob")
    body = (await client.get("/api/activities/@ada")).json()
    assert body["profile"] == {"handle": "ada", "display_name": "Ada Lovelace", "avatar": ""}
    assert [c["message"] for c in body["cruds"]] == ["by ada"]


async def test_an_unknown_handle_is_404(client):
    response = await client.get("/api/activities/@nobody")
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


async def test_keys_that_cannot_be_fetched_are_503_not_401(people, verifier, jwks, mint):
    jwks.status = 500
    app = create_api(verifier.averify, lambda: people, FakePool())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/api/activities/home", headers=bearer(mint.access()))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers


async def test_the_openapi_document_describes_every_route_and_the_bearer_scheme(client):
    doc = (await client.get("/api/openapi.json")).json()
    assert set(doc["paths"]) == {
        "/api/health",
        "/api/activities/home",
        "/api/activities/@{handle}",
        "/api/activities",
        "/api/activities/{crud_uuid}/reply",
        "/api/activities/{crud_uuid}/like",
        "/api/me",
    }
    assert doc["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A Cognito access token of this app's user pool and client.",
    }
    assert doc["components"]["schemas"]["NewCrud"]["properties"]["ttl"]["$ref"].endswith("/Ttl")


async def test_every_service_refusal_is_an_error_in_the_apis_shape_never_a_500(verifier, people):
    from cruddur.services.errors import ServiceError

    class SomeNewRefusal(ServiceError):
        code = "some_new_refusal"

    app = create_api(verifier.averify, lambda: people, FakePool())

    @app.get("/api/refuses")
    async def refuses():
        raise SomeNewRefusal("Not today.")

    app.router.routes.insert(0, app.router.routes.pop())  # before the API's catch-all

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cruddur.test") as client:
        answer = await client.get("/api/refuses")
    assert answer.status_code == 400
    assert answer.json() == {"error": "some_new_refusal", "message": "Not today."}
