"""The signed-in person's notifications: replies to and likes of their live cruds."""

import reflex as rx

from cruddur.db import in_session
from cruddur.services.notifications import Notification, notifications
from cruddur.state.session import SessionState


class NotificationsState(rx.State):
    items: list[Notification] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        sub = await (await self.get_state(SessionState)).verified_sub()
        self.items = await rx.run_in_thread(lambda: in_session(notifications, sub)) if sub else []
        self.loaded = True
