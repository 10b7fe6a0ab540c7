"""CORS as Cognito answers it, checked with httpx: preflights for the API endpoint and the JWKS,
the allow headers on every reply (errors included) to an allowed origin, and a disallowed origin
refused when an allow-list is configured."""

import json
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from cruddur.localcognito.cors import CorsMiddleware
from tests.localcognito.support import PASSWORD, start_pool

from .conftest import ROOT

APP_ORIGIN = "http://localhost:5173"
OTHER_ORIGIN = "http://evil.example:8080"
CLIENT_HEADERS = "content-type,x-amz-target,x-amz-user-agent,cache-control"  # what the JS library sends


@pytest.fixture(scope="module")
def listed_pool(tmp_path_factory):
    """A provider with an allow-list (written with a trailing slash and upper case on purpose)."""
    pool = start_pool(tmp_path_factory.mktemp("cors-listed"), allowed_origins=("HTTP://LOCALHOST:5173/",))
    yield pool
    pool.handle.stop()


@pytest.fixture(scope="module")
def open_pool(tmp_path_factory):
    pool = start_pool(tmp_path_factory.mktemp("cors-open"))
    yield pool
    pool.handle.stop()


def preflight(url: str, origin: str, method: str = "POST", headers: str | None = CLIENT_HEADERS) -> httpx.Response:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return httpx.options(url, headers=request_headers, timeout=10)


def api_call(pool, operation: str, payload: dict | bytes, origin: str | None = APP_ORIGIN) -> httpx.Response:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
    }
    if origin:
        headers["Origin"] = origin
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.post(pool.handle.endpoint_url + "/", content=body, headers=headers, timeout=10)


def assert_exposes(response: httpx.Response, origin: str) -> None:
    assert response.headers["access-control-allow-origin"] == origin
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-amzn-requestid", "x-amzn-errortype", "date"} <= exposed
    assert "origin" in response.headers["vary"].lower()
    assert response.headers["x-amzn-requestid"]


def test_preflight_for_the_api_endpoint_from_an_allowed_origin(listed_pool):
    response = preflight(listed_pool.handle.endpoint_url + "/", APP_ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-methods"] == "POST, OPTIONS"
    allowed = {name.strip() for name in response.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "x-amz-target", "x-amz-user-agent", "cache-control"} <= allowed
    assert int(response.headers["access-control-max-age"]) > 0
    assert "origin" in response.headers["vary"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_preflight_echoes_the_requested_headers_or_answers_the_defaults(open_pool):
    url = open_pool.handle.endpoint_url
    echoed = preflight(url, APP_ORIGIN, headers="X-Amz-Target, Content-Type, X-Custom-Thing")
    assert echoed.headers["access-control-allow-headers"] == "x-amz-target, content-type, x-custom-thing"
    for requested in (None, "x-ok, bad(header)"):
        default = preflight(url, APP_ORIGIN, headers=requested)
        allowed = {name.strip() for name in default.headers["access-control-allow-headers"].split(",")}
        assert {"content-type", "x-amz-target", "x-amz-user-agent", "cache-control"} <= allowed


def test_without_an_allow_list_any_origin_is_echoed(open_pool):
    for origin in (APP_ORIGIN, OTHER_ORIGIN, "null"):
        response = preflight(open_pool.handle.endpoint_url, origin)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == origin
        reply = api_call(open_pool, "GetUser", {"AccessToken": "not.a.token"}, origin=origin)
        assert reply.status_code == 400
        assert_exposes(reply, origin)


def test_preflight_for_the_jwks_and_openid_configuration(listed_pool):
    handle = listed_pool.handle
    for url in (handle.jwks_url, f"{handle.issuer}/.well-known/openid-configuration"):
        response = preflight(url, APP_ORIGIN, method="GET", headers="cache-control")
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        assert response.headers["access-control-allow-methods"] == "GET, OPTIONS"
        reply = httpx.get(url, headers={"Origin": APP_ORIGIN}, timeout=10)
        assert reply.status_code == 200
        assert reply.headers["access-control-allow-origin"] == APP_ORIGIN
    unknown_pool = httpx.get(
        f"{handle.endpoint_url}/us-east-1_Nope/.well-known/jwks.json", headers={"Origin": APP_ORIGIN}, timeout=10
    )
    assert unknown_pool.status_code == 404
    assert unknown_pool.headers["access-control-allow-origin"] == APP_ORIGIN


def test_success_and_error_replies_carry_the_cors_headers(listed_pool):
    email = f"cors-{uuid.uuid4().hex[:12]}@example.com"
    client_id = listed_pool.handle.client_id
    attributes = [{"Name": "name", "Value": "Cors"}]

    signed_up = api_call(
        listed_pool,
        "SignUp",
        {"ClientId": client_id, "Username": email, "Password": PASSWORD, "UserAttributes": attributes},
    )
    assert signed_up.status_code == 200
    assert_exposes(signed_up, APP_ORIGIN)

    errors = [
        (
            api_call(
                listed_pool,
                "SignUp",
                {"ClientId": client_id, "Username": email, "Password": PASSWORD, "UserAttributes": attributes},
            ),
            "UsernameExistsException",
        ),
        (api_call(listed_pool, "GetUser", {"AccessToken": "not.a.token"}), "NotAuthorizedException"),
        (
            api_call(
                listed_pool, "ConfirmSignUp", {"ClientId": client_id, "Username": email, "ConfirmationCode": "000000x"}
            ),
            "CodeMismatchException",
        ),
        (api_call(listed_pool, "SignUp", b"{not json"), "InvalidParameterException"),
        (api_call(listed_pool, "NoSuchOperation", {}), "UnknownOperationException"),
    ]
    for reply, code in errors:
        assert reply.status_code == 400, reply.text
        assert_exposes(reply, APP_ORIGIN)
        assert reply.json()["__type"] == code
        assert reply.json()["message"]
        assert reply.headers["x-amzn-errortype"].split(":")[0] == code

    wrong_method = httpx.get(listed_pool.handle.endpoint_url + "/", headers={"Origin": APP_ORIGIN}, timeout=10)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["access-control-allow-origin"] == APP_ORIGIN


def test_a_disallowed_origin_is_refused(listed_pool):
    handle = listed_pool.handle
    for url, method in ((handle.endpoint_url + "/", "POST"), (handle.jwks_url, "GET")):
        response = preflight(url, OTHER_ORIGIN, method=method)
        assert response.status_code == 403
        assert not [name for name in response.headers if name.lower().startswith("access-control-allow")]
    reply = api_call(listed_pool, "GetUser", {"AccessToken": "not.a.token"}, origin=OTHER_ORIGIN)
    assert reply.status_code == 400  # answered (a browser would have stopped at the preflight) ...
    assert not [name for name in reply.headers if name.lower().startswith("access-control-")]  # ... but unreadable


def test_no_cors_without_an_origin_or_on_the_mailbox(listed_pool):
    reply = api_call(listed_pool, "GetUser", {"AccessToken": "not.a.token"}, origin=None)
    assert reply.status_code == 400
    assert "access-control-allow-origin" not in reply.headers
    mailbox = httpx.get(listed_pool.handle.mailbox_url, headers={"Origin": APP_ORIGIN}, timeout=10)
    assert mailbox.status_code == 200
    assert "access-control-allow-origin" not in mailbox.headers
    refused = preflight(listed_pool.handle.mailbox_url, APP_ORIGIN, method="GET")
    assert "access-control-allow-origin" not in refused.headers


async def test_an_unhandled_failure_still_answers_with_cors_headers():
    async def broken(_request):
        raise RuntimeError("boom")

    app = Starlette(routes=[Route("/", broken, methods=["POST"])], middleware=[Middleware(CorsMiddleware)])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://provider") as client:
        reply = await client.post("/", headers={"Origin": APP_ORIGIN}, content=b"{}")
    assert reply.status_code == 500
    assert reply.json()["__type"] == "InternalErrorException"
    assert reply.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "x-amzn-errortype" in reply.headers["access-control-expose-headers"].lower()


def test_the_command_line_allow_origin_flag(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cruddur.localcognito",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path),
            "--allow-origin",
            APP_ORIGIN,
            "--allow-origin",
            "http://127.0.0.1:3000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        info = json.loads(process.stdout.readline())
        deadline = time.monotonic() + 20
        for origin, status in ((APP_ORIGIN, 200), ("http://127.0.0.1:3000", 200), (OTHER_ORIGIN, 403)):
            while True:
                try:
                    response = preflight(info["endpoint_url"], origin)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the standalone provider did not answer"
                    time.sleep(0.1)
            assert response.status_code == status, origin
            assert response.headers.get("access-control-allow-origin") == (origin if status == 200 else None)
    finally:
        process.terminate()
        process.wait(timeout=10)
