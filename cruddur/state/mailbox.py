"""The developer mailbox: codes the embedded identity provider would have e-mailed."""

from dataclasses import dataclass

import httpx
import reflex as rx

from cruddur.auth.identity import local_provider


@dataclass
class Letter:
    recipient: str
    kind: str
    code: str
    created_at: str


def _fetch_letters() -> list[Letter]:
    provider = local_provider()
    if provider is None:
        return []
    messages = httpx.get(provider["mailbox_url"], timeout=5).json()["messages"]
    return [Letter(m["to"], m["kind"].replace("_", " ").title(), m["code"], m["created_at"]) for m in messages]


class MailboxState(rx.State):
    letters: list[Letter] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        self.letters = await rx.run_in_thread(_fetch_letters)
        self.loaded = True
