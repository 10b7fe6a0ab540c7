"""The developer mailbox: codes the embedded identity provider would have e-mailed — only while
it runs, and only to a browser whose connection (not a header) comes from this machine."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime

import httpx
import reflex as rx

from cruddur import runtime
from cruddur.services import outbox


@dataclass
class Letter:
    recipient: str
    kind: str
    code: str
    created_at: str


def _fetch_letters(mailbox_url: str) -> list[Letter]:
    messages = httpx.get(mailbox_url, timeout=5).json()["messages"]
    return [Letter(m["to"], m["kind"].replace("_", " ").title(), m["code"], m["created_at"]) for m in messages]


def _from_this_machine(state: rx.State) -> bool:
    # Reflex puts the socket's peer address (ASGI scope["client"]) under this name, overriding
    # any header of that name; X-Forwarded-For and client_ip are what a client may claim.
    peer = state.router.headers.raw_headers.get("asgi-scope-client", "")
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


def _utc(at: datetime) -> str:  # as the provider writes its times
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _app_notices() -> list[Letter]:
    with runtime.current().database.session() as db:
        return [Letter(to, subject, "", _utc(sent)) for to, subject, sent in outbox.newest(db)]


class MailboxState(rx.State):
    letters: list[Letter] = []
    loaded: bool = False
    refused: bool = False

    @rx.event(background=True)
    async def load(self):
        async with self:
            embedded = runtime.current().embedded
            allowed = embedded is not None and _from_this_machine(self)
            self.refused = not allowed

        def read() -> list[Letter]:
            letters = [*_fetch_letters(embedded.mailbox_url), *_app_notices()] if allowed and embedded else []
            return sorted(letters, key=lambda letter: letter.created_at, reverse=True)

        letters = await runtime.current().identity.run(read)
        async with self:
            self.letters, self.loaded = letters, True
