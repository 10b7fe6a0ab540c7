"""The signed-in person's notifications: replies to and likes of their live cruds."""

import reflex as rx

from cruddur import runtime
from cruddur.services.notifications import Notification, notifications
from cruddur.state.session import SessionState


class NotificationsState(rx.State):
    items: list[Notification] = []
    loaded: bool = False

    @rx.event(background=True)
    async def load(self):
        """On `/notifications` (for signed-in people): the session first, then the list."""
        async with self:
            session = await self.get_state(SessionState)
        for event in await session._resume_for_page(signed_in_only=True):
            yield event
        async with self:
            session = await self.get_state(SessionState)
            sub = session._viewer_sub if session.signed_in else None
        items = await rx.run_in_thread(lambda: runtime.current().database.run(notifications, sub)) if sub else []
        async with self:
            self.items, self.loaded = items, True
