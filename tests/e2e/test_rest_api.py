"""The REST API as mounted in the running app, with tokens from the real local provider."""

import boto3
import httpx
from pycognito.aws_srp import AWSSRP

from tests.e2e.test_auth_journey import PASSWORD, confirmed_person


def access_token(app, email: str) -> str:
    from cruddur.localcognito import LocalCognitoConfig, LocalCognitoHandle
    from cruddur.localcognito.provider import Provider

    port = int(app.env["LOCAL_COGNITO_PORT"])
    provider = Provider.open(LocalCognitoConfig(data_dir=app.data_dir, port=port))
    pool = LocalCognitoHandle.describe(provider)
    provider.store.dispose()
    client = boto3.client(
        "cognito-idp",
        region_name=pool["region"],
        endpoint_url=pool["endpoint_url"],
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    srp = AWSSRP(
        username=email, password=PASSWORD, pool_id=pool["user_pool_id"], client_id=pool["client_id"], client=client
    )
    return srp.authenticate_user()["AuthenticationResult"]["AccessToken"]


def test_a_client_posts_and_reads_with_a_bearer_token(cruddur_app, page):
    person = confirmed_person(page, cruddur_app)
    auth = {"Authorization": "Bearer " + access_token(cruddur_app, person["email"])}
    api = cruddur_app.url + "/api"

    assert httpx.get(api + "/health").json() == {"status": "ok"}
    me = httpx.get(api + "/me", headers=auth)
    assert (me.status_code, me.json()["handle"]) == (200, person["handle"])
    created = httpx.post(api + "/activities", json={"message": "Posted over REST", "ttl": "1d"}, headers=auth)
    assert created.status_code == 201
    assert created.json()["handle"] == person["handle"]

    liked = httpx.post(f"{api}/activities/{created.json()['uuid']}/like", headers=auth)
    assert liked.json() == {"liked": True, "likes_count": 1}
    mine = httpx.get(api + "/activities/home", headers=auth).json()["cruds"][0]
    assert (mine["message"], mine["liked"]) == ("Posted over REST", True)
    public = httpx.get(api + "/activities/home").json()["cruds"][0]
    assert public["liked"] is False

    refused = httpx.get(api + "/activities/home", headers={"Authorization": "Bearer not.a.token"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert httpx.post(api + "/activities", json={"message": "no token", "ttl": "1d"}).status_code == 401


def test_unknown_paths_and_wrong_methods_under_api_answer_in_the_apis_json_shape(cruddur_app):
    api = cruddur_app.url + "/api"

    unknown = httpx.get(api + "/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"

    # Reflex's own app is mounted behind the API and would answer these in plain text.
    for method, path, allow in [("DELETE", "/activities/home", "GET"), ("TRACE", "/activities/home", "GET"),
                                ("TRACE", "/me", "GET, PUT"), ("PATCH", "/activities", "POST")]:  # fmt: skip
        wrong_method = httpx.request(method, api + path)
        assert wrong_method.status_code == 405, (method, path)
        assert wrong_method.json()["error"] == "method_not_allowed"
        assert wrong_method.headers["allow"] == allow


def test_answers_name_the_origin_once_in_vary_and_grant_cors_only_to_the_apps_origin(cruddur_app):
    api = cruddur_app.url + "/api/health"
    ours = httpx.get(api, headers={"Origin": cruddur_app.url})
    assert ours.headers.get_list("vary") == ["Origin"] or ours.headers["vary"] == "Origin", ours.headers
    assert ours.headers["access-control-allow-origin"] == cruddur_app.url
    foreign = httpx.get(api, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers
