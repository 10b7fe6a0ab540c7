"""`/more`: what Cruddur is."""

import reflex as rx

from cruddur.components.layout import app_shell


def more() -> rx.Component:
    return app_shell(
        rx.card(
            rx.vstack(
                rx.heading("About Cruddur", size="4", as_="h2"),
                rx.text(
                    "Cruddur is a place for short posts — cruds — that expire. "
                    "Say what you think; it disappears when its time is up."
                ),
                spacing="3",
            ),
            class_name="cr-panel",
        ),
        title="More",
        active="More",
    )
