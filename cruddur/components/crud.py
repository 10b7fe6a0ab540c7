"""One crud in a feed: author, message, age, expiry, counts; for a signed-in person also the
like toggle and a reply box; replies nested beneath."""

import reflex as rx

from cruddur.components.avatars import person_avatar
from cruddur.components.compose import characters_left
from cruddur.services.activities import CrudView
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState


# A feed draws these parts 20 times and more, so their boxes and text are plain elements laid out
# by assets/cruddur.css (`.cr-byline` and on) as Radix's Flex and Text would lay them out: each
# Radix component is a React component that works out its classes (and emotion its styles) at
# every render, 16 of them per crud. Links, buttons, badges and avatars stay Radix.
def _byline(crud: CrudView) -> rx.Component:
    return rx.el.div(
        rx.link(crud.display_name, href="/@" + crud.handle, weight="bold", class_name="cr-name", underline="hover"),
        rx.el.p("@" + crud.handle, class_name="cr-handle"),
        rx.el.p("·", aria_hidden="true", class_name="cr-dot"),
        rx.el.time(crud.posted_ago, date_time=crud.created_at, class_name="cr-ago", title="Posted"),
        class_name="cr-byline",
    )


def _count(icon: str, value, one: str, many: str) -> rx.Component:
    return rx.el.div(
        rx.icon(icon, size=16, aria_hidden="true"),
        rx.el.p(value, class_name="cr-text-2"),
        rx.el.p(_plural(value, " " + one, " " + many), class_name="cr-sr-only"),
        class_name="cr-count",
    )


def _plural(count, one: str, many: str):
    return rx.cond(count == 1, one, many)


# The visible text of these buttons is a count; their accessible name starts with it and goes
# on (screen-reader only) with what is counted and what the button does: "3 likes. Like",
# "1 reply. Reply" — so "click 3" works for voice control and a screen reader says what it is.
def _like_button(crud: CrudView) -> rx.Component:
    return rx.button(
        rx.icon("heart", size=16, aria_hidden="true", fill=rx.cond(crud.liked, "currentColor", "none")),
        rx.text.span(crud.likes_count, size="2"),
        rx.text.span(_plural(crud.likes_count, " like. Like", " likes. Like"), class_name="cr-sr-only"),
        variant="ghost",
        size="1",
        color_scheme=rx.cond(crud.liked, "pink", "gray"),
        aria_pressed=rx.cond(crud.liked, "true", "false"),
        on_click=FeedState.toggle_like(crud.uuid),
        class_name="cr-action",
    )


def _reply_button(crud: CrudView) -> rx.Component:
    return rx.button(
        rx.icon("message-circle", size=16, aria_hidden="true"),
        rx.text.span(crud.replies_count, size="2"),
        rx.text.span(_plural(crud.replies_count, " reply. Reply", " replies. Reply"), class_name="cr-sr-only"),
        variant="ghost",
        size="1",
        color_scheme="gray",
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
    reposts = _count("repeat-2", crud.reposts_count, "repost", "reposts")
    signed_out = rx.fragment(
        _count("message-circle", crud.replies_count, "reply", "replies"),
        reposts,
        _count("heart", crud.likes_count, "like", "likes"),
    )
    signed_in = rx.fragment(
        _reply_button(crud) if can_reply else _count("message-circle", crud.replies_count, "reply", "replies"),
        reposts,
        _like_button(crud),
    )
    return rx.el.div(rx.cond(SessionState.signed_in, signed_in, signed_out), expiry, class_name="cr-actions")


def _body(crud: CrudView, *, can_reply: bool) -> rx.Component:
    return rx.el.div(
        person_avatar(crud.avatar, crud.display_name, size="3", radius="full", color_scheme="purple"),
        rx.el.div(
            _byline(crud),
            rx.el.p(crud.message, class_name="cr-message"),
            _actions(crud, can_reply=can_reply),
            class_name="cr-body-main",
        ),
        class_name="cr-body",
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
            aria_describedby=box_id + "-count " + box_id + "-count-unit " + box_id + "-error",
            aria_invalid=rx.cond(FeedState.reply_error != "", "true", "false"),
        ),
        rx.hstack(
            characters_left(FeedState.reply_left, box_id + "-count"),
            rx.button("Reply", type="submit", size="2", loading=FeedState.posting),
            justify="end",
            align="center",
            spacing="3",
        ),
        rx.box(
            rx.cond(FeedState.reply_error != "", rx.text(FeedState.reply_error, color_scheme="red", size="2")),
            id=box_id + "-error",
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
            crud.replies,
            # A named group, not a landmark: one "Replies" region per crud would crowd landmark lists.
            rx.box(
                rx.foreach(
                    crud.replies, lambda reply: rx.el.article(_body(reply, can_reply=False), class_name="cr-reply")
                ),
                class_name="cr-replies",
                role="group",
                aria_label="Replies",
            ),
        ),
        class_name="cr-crud",
    )
