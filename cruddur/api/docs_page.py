"""Swagger UI at /api/docs, served from the app itself (never from another host)."""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from cruddur.http_headers import content_security_policy, inline_script_hashes

OPENAPI_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
DOCS_ASSETS_PATH = DOCS_PATH + "/assets"


def serve_docs(app: FastAPI) -> None:
    """Swagger UI at DOCS_PATH, its script, stylesheet and icon served from DOCS_ASSETS_PATH out
    of the pinned fastapi-offline package, and a policy that lets only its own init script run."""
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=assets), name="docs-assets")
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_PATH,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=None,
        # Off a loopback host Swagger UI would load a badge image from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body)
    headers = {"Content-Security-Policy": content_security_policy(inline_script_hashes(html))}

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)
