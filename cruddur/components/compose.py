"""The compose box: a crud of 1–280 characters and how long it lives."""

import reflex as rx

from cruddur.state.feed import TTL_CHOICES, FeedState


def characters_left(left, count_id: str) -> rx.Component:
    """The count on screen (red once over), "characters left" for screen readers. The number alone
    has `count_id` and the words `count_id`-unit, so a field described by both reads "12 characters left"."""
    return rx.text(
        rx.text.span(left, id=count_id),
        rx.text.span(" characters left", id=count_id + "-unit", class_name="cr-sr-only"),
        size="2",
        color_scheme=rx.cond(left < 0, "red", "gray"),
    )


def compose_box() -> rx.Component:
    return rx.form(
        rx.el.label("What would you like to crud?", html_for="compose-input", class_name="cr-label"),
        rx.text_area(
            id="compose-input",
            value=FeedState.draft,
            on_change=FeedState.set_draft,
            placeholder="What's happening?",
            rows="3",
            aria_describedby="compose-count compose-count-unit compose-error",
            aria_invalid=rx.cond(FeedState.compose_error != "", "true", "false"),
        ),
        rx.hstack(
            rx.hstack(
                rx.el.label("Expires after", html_for="ttl-select", size="2", class_name="cr-ttl-label"),
                # A native <select>, drawn as Radix's (assets/cruddur.css, `.cr-select`): Radix's
                # Select brings its popper, scroll area and collection JS to every page with this box.
                rx.el.span(
                    rx.el.select(
                        *(rx.el.option(label, value=value) for value, label in TTL_CHOICES),
                        id="ttl-select",
                        value=FeedState.ttl,
                        on_change=FeedState.set_ttl,
                    ),
                    class_name="cr-select",
                ),
                align="center",
                spacing="2",
            ),
            rx.hstack(
                characters_left(FeedState.draft_left, "compose-count"),
                rx.button("Crud", type="submit", size="3", loading=FeedState.posting),
                align="center",
                spacing="3",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        rx.box(
            rx.cond(FeedState.compose_error != "", rx.text(FeedState.compose_error, color_scheme="red", size="2")),
            id="compose-error",
            role="alert",
        ),
        on_submit=lambda _form: FeedState.post,
        id="compose",
        class_name="cr-compose",
    )
