"""`/notifications` and `/messages`, for signed-in people."""

import reflex as rx

from cruddur.components.layout import app_shell, loading
from cruddur.services.notifications import Notification
from cruddur.state.notifications import NotificationsState


def notification_row(note: Notification) -> rx.Component:
    return rx.el.article(
        rx.hstack(
            rx.cond(
                note.kind == "like",
                rx.icon("heart", size=20, color=rx.color("pink", 10), aria_hidden="true"),
                rx.icon("message-circle", size=20, color=rx.color("purple", 10), aria_hidden="true"),
            ),
            rx.vstack(
                rx.text(
                    rx.link(note.display_name, href="/@" + note.handle, weight="bold"),
                    rx.cond(note.kind == "like", " liked your crud", " replied to your crud"),
                    rx.text.span(" · " + note.ago, color_scheme="gray"),
                ),
                rx.text(note.crud_message, color_scheme="gray", size="2", class_name="cr-quote"),
                rx.cond(note.reply_message != "", rx.text(note.reply_message, class_name="cr-message")),
                spacing="1",
            ),
            spacing="3",
            align="start",
        ),
        class_name="cr-crud",
    )


def notifications() -> rx.Component:
    return app_shell(
        rx.cond(
            NotificationsState.loaded,
            rx.cond(
                NotificationsState.items,
                rx.el.section(rx.foreach(NotificationsState.items, notification_row), aria_label="Notifications"),
                rx.text(
                    "Nothing yet. When people reply to or like your cruds, you'll see it here.", class_name="cr-empty"
                ),
            ),
            loading("Loading notifications…"),
        ),
        title="Notifications",
        active="Notifications",
    )


def messages() -> rx.Component:
    return app_shell(
        rx.vstack(
            rx.icon("mail", size=40, color=rx.color("purple", 9), aria_hidden="true"),
            rx.heading("Direct messages aren't here yet", size="4", as_="h2"),
            rx.text("Private conversations are planned. For now, reply to a crud to talk."),
            align="center",
            spacing="3",
            class_name="cr-empty",
        ),
        title="Messages",
        active="Messages",
    )
