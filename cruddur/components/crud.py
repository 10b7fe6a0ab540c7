"""One crud in the feed, with its replies nested beneath it."""

import reflex as rx

from cruddur.services.activities import CrudView


def _byline(crud: CrudView) -> rx.Component:
    return rx.hstack(
        rx.text(crud.display_name, weight="bold", class_name="cr-name"),
        rx.text("@" + crud.handle, color_scheme="gray", class_name="cr-handle"),
        rx.text("·", color_scheme="gray", aria_hidden="true"),
        rx.el.time(crud.posted_ago, date_time=crud.created_at, class_name="cr-ago", title="Posted"),
        align="baseline",
        spacing="2",
        wrap="wrap",
    )


def _counts(crud: CrudView) -> rx.Component:
    def count(icon: str, value, label: str) -> rx.Component:
        return rx.hstack(
            rx.icon(icon, size=16, aria_hidden="true"),
            rx.text(value, size="2", aria_label=value.to_string() + " " + label),
            align="center",
            spacing="1",
            class_name="cr-count",
        )

    return rx.hstack(
        count("message-circle", crud.replies_count, "replies"),
        count("repeat-2", crud.reposts_count, "reposts"),
        count("heart", crud.likes_count, "likes"),
        rx.badge(
            rx.icon("hourglass", size=12, aria_hidden="true"),
            "expires in " + crud.expires_in,
            variant="soft",
            class_name="cr-expiry",
        ),
        spacing="5",
        align="center",
        wrap="wrap",
    )


def _body(crud: CrudView) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=crud.display_name[0], size="3", radius="full", color_scheme="purple"),
        rx.vstack(
            _byline(crud),
            rx.text(crud.message, class_name="cr-message"),
            _counts(crud),
            spacing="2",
            width="100%",
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def crud_card(crud: CrudView) -> rx.Component:
    return rx.el.article(
        _body(crud),
        rx.cond(
            crud.replies.length() > 0,
            rx.el.section(
                rx.foreach(crud.replies, lambda reply: rx.el.article(_body(reply), class_name="cr-reply")),
                class_name="cr-replies",
                aria_label="Replies",
            ),
        ),
        class_name="cr-crud",
        data_testid="crud",
    )
