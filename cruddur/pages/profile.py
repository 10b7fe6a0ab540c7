"""`/@handle`: one person's live cruds, or a proper not-found page."""

import reflex as rx

from cruddur.components.avatars import person_avatar
from cruddur.components.layout import app_shell
from cruddur.pages.home import feed
from cruddur.state.feed import FeedState


def header() -> rx.Component:
    return rx.hstack(
        person_avatar(FeedState.profile_avatar, FeedState.profile_name, size="6", radius="full", color_scheme="purple"),
        rx.box(
            rx.heading(FeedState.profile_name, size="6", as_="h2"),
            rx.text("@" + FeedState.profile_handle, color_scheme="gray"),
        ),
        align="center",
        spacing="4",
        class_name="cr-profile-header",
    )


def not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("This account doesn't exist", size="5", as_="h2"),
        rx.text("Try searching for another, or head back home."),
        rx.link(rx.button("Back to Home", variant="soft"), href="/"),
        spacing="3",
        class_name="cr-padded",
    )


def profile() -> rx.Component:
    return app_shell(
        rx.cond(
            FeedState.not_found,
            not_found(),
            rx.fragment(
                rx.cond(FeedState.loaded, header()),
                feed("No live cruds right now."),
            ),
        ),
        title=rx.cond(FeedState.not_found, "Not found", "Profile"),
        active="",
    )
