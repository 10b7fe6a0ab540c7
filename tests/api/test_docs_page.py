"""The interactive docs at /api/docs: Swagger UI from the app itself, under a policy of its own."""

import base64
import hashlib
import re

from cruddur.api import DOCS_ASSETS_PATH

ASSET = re.compile(r'(?:src|href)="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


async def test_the_docs_load_every_file_from_the_app_itself(client):
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "://" not in page.text and "//" not in "".join(ASSET.findall(page.text))
    assets = ASSET.findall(page.text)
    assert sorted(assets) == sorted(
        f"{DOCS_ASSETS_PATH}/{name}" for name in ("swagger-ui.css", "favicon.png", "swagger-ui-bundle.js")
    )
    kinds = {"css": "text/css", "png": "image/png", "js": "text/javascript"}
    for asset in assets:
        answer = await client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.headers["content-type"].startswith(kinds[asset.rsplit(".", 1)[1]])
        assert len(answer.content) > 1000


async def test_the_docs_policy_lets_only_their_own_init_script_run(client):
    page = await client.get("/api/docs")
    (init,) = INLINE_SCRIPT.findall(page.text)
    assert "SwaggerUIBundle(" in init and "/api/openapi.json" in init
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(init.encode()).digest()).decode() + "'"
    policy = {
        name: sources
        for name, *sources in (part.split() for part in page.headers["content-security-policy"].split("; "))
    }
    assert policy["script-src"] == ["'self'", expected]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


async def test_a_missing_docs_file_is_a_404_in_the_api_shape(client):
    answer = await client.get(f"{DOCS_ASSETS_PATH}/nothing.js")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
