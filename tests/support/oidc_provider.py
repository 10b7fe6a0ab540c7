"""The development OpenID provider (tests/support/dev_oidc/server.mjs, on npm's oidc-provider) as
a process of its own on a free loopback port: the external identity provider localcognito's
federation signs in through, offline. `sign_in_at` walks its login and consent pages with httpx."""

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

import httpx

from tests.support.appserver import ROOT

NODE = ROOT / ".tools" / "node_modules" / ".bin" / "node"
OIDC_PROVIDER = ROOT / ".tools" / "node_modules" / "oidc-provider" / "lib" / "index.js"
SERVER = ROOT / "tests" / "support" / "dev_oidc" / "server.mjs"
ACCOUNTS = [
    {"sub": sub, "email": f"{sub}@example.com", "email_verified": True, "name": sub.title()}
    for sub in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy")
]


@dataclass
class DevOidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    accounts: list[dict]
    _process: subprocess.Popen = field(repr=False)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


def start_oidc_provider(
    redirect_uris: list[str],
    client_id: str = "localcognito-dev",
    client_secret: str = "dev-oidc-secret-0123456789",
    accounts: list[dict] | None = None,
) -> DevOidcProvider:
    """Start it with one client; fails, never skips, when node or oidc-provider is missing."""
    for path, what in ((NODE, "node"), (OIDC_PROVIDER, "oidc-provider")):
        if not path.exists():
            raise RuntimeError(
                f"{what} is not installed at {path}: run scripts/setup.sh (it installs both into .tools)"
            )
    settings = {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uris": redirect_uris,
        "accounts": accounts or ACCOUNTS,
    }
    process = subprocess.Popen(
        [str(NODE), str(SERVER), json.dumps(settings)],
        env={**os.environ, "OIDC_PROVIDER_MODULE": OIDC_PROVIDER.as_uri()},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its start-up warnings about dev-only features
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line:
        process.kill()
        raise RuntimeError(f"the development OpenID provider did not start (exit code {process.wait()})")
    return DevOidcProvider(json.loads(line)["issuer"], client_id, client_secret, accounts or ACCOUNTS, process)


def _form(page: httpx.Response) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the one form of a dev interaction page."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return urljoin(str(page.url), unescape(action.group(1))), fields


def sign_in_at(client: httpx.Client, response: httpx.Response, login: str, until: str) -> httpx.Response:
    """Follow redirects from `response`, signing in as `login` (any password) and consenting at
    the provider, until a redirect to a URL starting with `until`, which is returned unfollowed."""
    for _ in range(20):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(until):
                return response
            response = client.get(location)
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        action, fields = _form(response)
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any password")
        response = client.post(action, data=fields)
    raise AssertionError("the sign-in did not come back")
