"""An account made straight through Cognito (boto3 SignUp and ConfirmSignUp, no web app) uses the
API with its SRP access token: its first write makes its profile from the pool's attributes, and
a username the app cannot use is answered with how to choose one."""

from cruddur.services.profiles import create_profile, profile_of
from tests.api_clients.conftest import bearer

NEW_CRUD = {"message": "Hello from boto3", "ttl": "1d"}


async def test_the_first_write_makes_the_profile_from_the_pools_attributes(app_runtime, pool, api):
    pool.sign_up("grace@example.com", name="Grace Hopper", preferred_username="Grace_H")
    token = bearer(pool.sign_in("grace@example.com"))
    created = await api.post("/api/activities", json=NEW_CRUD, headers=token)
    assert created.status_code == 201, created.text
    assert (created.json()["handle"], created.json()["display_name"]) == ("grace_h", "Grace Hopper")
    me = await api.get("/api/me", headers=token)
    assert (me.status_code, me.json()) == (200, {"handle": "grace_h", "display_name": "Grace Hopper", "avatar": ""})
    feed = (await api.get("/api/activities/home", headers=token)).json()
    assert feed["cruds"][0]["uuid"] == created.json()["uuid"]


async def test_a_username_someone_has_in_another_case_is_409_until_put_me_chooses_one(app_runtime, pool, api):
    with app_runtime.database.session() as db:  # a person of the app's whose pool username has moved on
        create_profile(db, "sub-of-an-earlier-grace", "grace", "Grace Brewster")
    pool.sign_up("hopper@example.com", name="Grace Hopper", preferred_username="GRACE")
    tokens = pool.sign_in("hopper@example.com")
    refused = await api.post("/api/activities", json=NEW_CRUD, headers=bearer(tokens))
    assert refused.status_code == 409
    assert (refused.json()["error"], refused.json()["field"]) == ("handle_taken", "preferred_username")
    assert "PUT /api/me" in refused.json()["message"]

    chosen = await api.put("/api/me", json={"handle": "Grace_Hopper"}, headers=bearer(tokens))
    assert (chosen.status_code, chosen.json()) == (
        201,
        {"handle": "grace_hopper", "display_name": "Grace Hopper", "avatar": ""},
    )
    assert (await api.post("/api/activities", json=NEW_CRUD, headers=bearer(tokens))).json()["handle"] == "grace_hopper"
    # Written back to the pool as the person's preferred_username.
    attributes = app_runtime.identity.cognito.get_user(tokens["AccessToken"])
    assert attributes["preferred_username"] == "grace_hopper"


async def test_an_account_without_a_username_is_422_until_put_me_chooses_one(app_runtime, pool, api):
    pool.sign_up("nameless@example.com", name="Ada Byron")
    tokens = pool.sign_in("nameless@example.com")
    for refused in (
        await api.post("/api/activities", json=NEW_CRUD, headers=bearer(tokens)),
        await api.get("/api/me", headers=bearer(tokens)),
    ):
        assert refused.status_code == 422
        assert (refused.json()["error"], refused.json()["field"]) == ("profile_incomplete", "preferred_username")
        assert "PUT /api/me" in refused.json()["message"]
    with app_runtime.database.session() as db:
        assert profile_of(db, _sub(app_runtime, tokens)) is None
    chosen = await api.put("/api/me", json={"handle": "ada_b"}, headers=bearer(tokens))
    assert (chosen.status_code, chosen.json()) == (201, {"handle": "ada_b", "display_name": "Ada Byron", "avatar": ""})
    assert (await api.get("/api/me", headers=bearer(tokens))).json()["handle"] == "ada_b"


async def test_a_token_signed_out_at_the_app_is_refused_by_the_api(app_runtime, pool, api):
    pool.sign_up("linus@example.com", name="Linus", preferred_username="linus")
    tokens = pool.sign_in("linus@example.com")
    assert (await api.get("/api/me", headers=bearer(tokens))).status_code == 200
    app_runtime.revocations.revoke_person(_sub(app_runtime, tokens))
    refused = await api.post("/api/activities", json=NEW_CRUD, headers=bearer(tokens))
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def _sub(app_runtime, tokens: dict) -> str:
    return app_runtime.identity.verifier.verify(tokens["AccessToken"])["sub"]
