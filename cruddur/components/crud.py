"""One crud in a feed: author, message, age, expiry, counts; for a signed-in person also the
like toggle and a reply box; replies nested beneath."""

import reflex as rx

from cruddur.services.activities import CrudView
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState


def _byline(crud: CrudView) -> rx.Component:
    return rx.hstack(
        rx.link(crud.display_name, href="/@" + crud.handle, weight="bold", class_name="cr-name", underline="hover"),
        rx.text("@" + crud.handle, color_scheme="gray", class_name="cr-handle"),
        rx.text("·", color_scheme="gray", aria_hidden="true"),
        rx.el.time(crud.posted_ago, date_time=crud.created_at, class_name="cr-ago", title="Posted"),
        align="baseline",
        spacing="2",
        wrap="wrap",
    )


def _count(icon: str, value, label: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=16, aria_hidden="true"),
        rx.text(value, size="2"),
        rx.text(" " + label, class_name="cr-sr-only"),
        align="center",
        spacing="1",
        class_name="cr-count",
    )


def _like_button(crud: CrudView) -> rx.Component:
    return rx.button(
        rx.icon("heart", size=16, aria_hidden="true", fill=rx.cond(crud.liked, "currentColor", "none")),
        rx.text(crud.likes_count, size="2"),
        rx.text(" likes", class_name="cr-sr-only"),
        variant="ghost",
        size="1",
        color_scheme=rx.cond(crud.liked, "pink", "gray"),
        aria_pressed=rx.cond(crud.liked, "true", "false"),
        aria_label=rx.cond(crud.liked, "Unlike", "Like"),
        on_click=FeedState.toggle_like(crud.uuid),
        class_name="cr-action",
    )


def _reply_button(crud: CrudView) -> rx.Component:
    return rx.button(
        rx.icon("message-circle", size=16, aria_hidden="true"),
        rx.text(crud.replies_count, size="2"),
        rx.text(" replies", class_name="cr-sr-only"),
        variant="ghost",
        size="1",
        color_scheme="gray",
        aria_label="Reply",
        aria_expanded=rx.cond(FeedState.replying_to == crud.uuid, "true", "false"),
        on_click=FeedState.open_reply(crud.uuid),
        class_name="cr-action",
    )


def _actions(crud: CrudView, *, can_reply: bool) -> rx.Component:
    expiry = rx.badge(
        rx.icon("hourglass", size=12, aria_hidden="true"),
        "expires in " + crud.expires_in,
        variant="soft",
        class_name="cr-expiry",
    )
    reposts = _count("repeat-2", crud.reposts_count, "reposts")
    signed_out = rx.fragment(
        _count("message-circle", crud.replies_count, "replies"), reposts, _count("heart", crud.likes_count, "likes")
    )
    signed_in = rx.fragment(
        _reply_button(crud) if can_reply else _count("message-circle", crud.replies_count, "replies"),
        reposts,
        _like_button(crud),
    )
    return rx.hstack(
        rx.cond(SessionState.signed_in, signed_in, signed_out),
        expiry,
        spacing="5",
        align="center",
        wrap="wrap",
    )


def _body(crud: CrudView, *, can_reply: bool) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=crud.display_name[0], size="3", radius="full", color_scheme="purple"),
        rx.vstack(
            _byline(crud),
            rx.text(crud.message, class_name="cr-message"),
            _actions(crud, can_reply=can_reply),
            spacing="2",
            width="100%",
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def reply_box(crud: CrudView) -> rx.Component:
    box_id = "reply-" + crud.uuid
    return rx.form(
        rx.el.label("Reply to @", crud.handle, html_for=box_id, class_name="cr-sr-only"),
        rx.text_area(
            id=box_id,
            value=FeedState.reply_draft,
            on_change=FeedState.set_reply_draft,
            placeholder="Crud your reply",
            auto_focus=True,
            rows="2",
        ),
        rx.hstack(
            rx.text(
                FeedState.reply_left,
                size="2",
                color_scheme=rx.cond(FeedState.reply_left < 0, "red", "gray"),
                aria_label="characters left",
            ),
            rx.button("Reply", type="submit", size="2", loading=FeedState.posting),
            justify="end",
            align="center",
            spacing="3",
        ),
        rx.box(
            rx.cond(FeedState.reply_error != "", rx.text(FeedState.reply_error, color_scheme="red", size="2")),
            role="alert",
        ),
        on_submit=lambda _form: FeedState.send_reply,
        class_name="cr-reply-box",
    )


def crud_card(crud: CrudView) -> rx.Component:
    return rx.el.article(
        _body(crud, can_reply=True),
        rx.cond(FeedState.replying_to == crud.uuid, reply_box(crud)),
        rx.cond(
            crud.replies.length() > 0,
            rx.el.section(
                rx.foreach(
                    crud.replies, lambda reply: rx.el.article(_body(reply, can_reply=False), class_name="cr-reply")
                ),
                class_name="cr-replies",
                aria_label="Replies",
            ),
        ),
        class_name="cr-crud",
    )
