"""`/`: the home feed, with the compose box for a signed-in person."""

import reflex as rx

from cruddur.components.compose import compose_box
from cruddur.components.crud import crud_card
from cruddur.components.layout import app_shell, loading
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState


def feed(empty_text: str) -> rx.Component:
    return rx.cond(
        FeedState.loaded,
        rx.cond(
            FeedState.cruds,
            rx.el.section(
                rx.foreach(FeedState.cruds, crud_card),
                rx.cond(
                    FeedState.next_cursor != "",
                    rx.button(
                        "Load more",
                        on_click=FeedState.load_more,
                        loading=FeedState.loading_more,
                        variant="soft",
                        class_name="cr-load-more",
                    ),
                ),
                class_name="cr-feed",
                aria_label="Cruds",
                aria_busy=rx.cond(FeedState.loading_more, "true", "false"),
            ),
            rx.text(empty_text, class_name="cr-empty"),
        ),
        loading("Loading cruds…"),
    )


def home() -> rx.Component:
    return app_shell(
        rx.cond(SessionState.signed_in, compose_box()),
        feed("Nothing here yet. Cruds expire — maybe they all did."),
        title="Home",
        active="Home",
    )
