"""The home feed a browser tab shows."""

import reflex as rx

from cruddur.db import new_session
from cruddur.services.activities import CrudView, FeedPage, home_feed


def _fetch_home(cursor: str | None) -> FeedPage:
    with new_session() as session:
        return home_feed(session, cursor=cursor)


class FeedState(rx.State):
    cruds: list[CrudView] = []
    next_cursor: str = ""
    loaded: bool = False
    loading_more: bool = False

    @rx.event
    async def load_home(self):
        page = await rx.run_in_thread(lambda: _fetch_home(None))
        self.cruds = page.cruds
        self.next_cursor = page.next_cursor or ""
        self.loaded = True

    @rx.event
    async def load_more(self):
        if not self.next_cursor or self.loading_more:
            return
        self.loading_more = True
        yield
        cursor = self.next_cursor
        page = await rx.run_in_thread(lambda: _fetch_home(cursor))
        self.cruds = self.cruds + page.cruds
        self.next_cursor = page.next_cursor or ""
        self.loading_more = False
