"""`/`: the home feed."""

import reflex as rx

from cruddur.components.crud import crud_card
from cruddur.components.layout import app_shell, join_panel
from cruddur.state.feed import FeedState


def feed() -> rx.Component:
    return rx.cond(
        FeedState.loaded,
        rx.cond(
            FeedState.cruds.length() > 0,
            rx.box(
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
            ),
            rx.text("Nothing here yet. Cruds expire — maybe they all did.", class_name="cr-empty"),
        ),
        rx.center(rx.spinner(size="3"), class_name="cr-empty", aria_label="Loading cruds"),
    )


def home() -> rx.Component:
    return app_shell(feed(), title="Home", active="Home", sidebar=join_panel())
