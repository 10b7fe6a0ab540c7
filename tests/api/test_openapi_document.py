"""What the OpenAPI document says, beside what the contract test checks it against: the facts a
client's author reads in it."""

import pytest

from cruddur.services.activities import CURSOR_PATTERN
from cruddur.services.text import TEXT_PATTERN

READS = [("get", "/api/activities/home"), ("get", "/api/activities/@{handle}")]
NEEDS_TOKEN = [
    ("post", "/api/activities"),
    ("post", "/api/activities/{crud_uuid}/reply"),
    ("post", "/api/activities/{crud_uuid}/like"),
    ("get", "/api/me"),
    ("put", "/api/me"),
]


@pytest.fixture
async def doc(client):
    return (await client.get("/api/openapi.json")).json()


def operations(doc):
    return [(method, path, op) for path, item in doc["paths"].items() for method, op in item.items()]


async def test_reads_take_a_token_optionally_and_say_what_it_changes(doc):
    for method, path in READS:
        op = doc["paths"][path][method]
        assert op["security"] == [{"HTTPBearer": []}, {}]
        assert "liked" in op["description"]


async def test_writes_and_me_need_a_token(doc):
    for method, path in NEEDS_TOKEN:
        assert doc["paths"][path][method]["security"] == [{"HTTPBearer": []}]
    assert "security" not in doc["paths"]["/api/health"]["get"]


async def test_messages_and_cursors_document_the_rules_they_are_checked_by(doc):
    schemas = doc["components"]["schemas"]
    for model in ("NewCrud", "NewReply"):
        message = schemas[model]["properties"]["message"]
        assert (message["minLength"], message["maxLength"], message["pattern"]) == (1, 280, TEXT_PATTERN)
    for method, path in READS:
        (cursor,) = [p for p in doc["paths"][path][method]["parameters"] if p["name"] == "cursor"]
        assert cursor["schema"]["anyOf"][0]["pattern"] == CURSOR_PATTERN
        assert "next_cursor" in doc["paths"][path][method]["description"]


async def test_every_error_has_the_one_shape_and_its_headers(doc):
    for _method, _path, op in operations(doc):
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ApiError"}, status
                assert response["content"]["application/json"]["example"]["error"]
        if "401" in op["responses"]:
            assert op["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] is True
        assert op["responses"]["503"]["headers"]["Retry-After"]["required"] is True
    statuses = {status for _m, _p, op in operations(doc) for status in op["responses"]}
    assert "429" not in statuses  # no rate limit on the API, so none documented


async def test_every_operation_shows_an_example_request_and_answer(doc):
    for method, path, op in operations(doc):
        success = [r for status, r in op["responses"].items() if status.startswith("2")]
        assert all("example" in r["content"]["application/json"] for r in success), (method, path)
        for parameter in op.get("parameters", []):
            assert parameter.get("examples"), (method, path, parameter["name"])
        if "requestBody" in op:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert doc["components"]["schemas"][ref]["examples"], (method, path)


async def test_a_posted_crud_links_to_what_can_be_done_with_it(doc):
    links = doc["paths"]["/api/activities"]["post"]["responses"]["201"]["links"]
    targets = {name: link["operationId"] for name, link in links.items()}
    assert targets == {"reply": "reply", "like": "like", "author": "profile_feed"}
    ids = {op["operationId"] for _m, _p, op in operations(doc)}
    assert set(targets.values()) <= ids
