import reflex as rx

from cruddur.settings import ConfigurationError, load_settings

try:
    settings = load_settings()
except ConfigurationError as refused:
    raise SystemExit(f"cruddur: {refused}") from None

config = rx.Config(
    app_name="cruddur",
    db_url=settings.resolved_database_url,
    redis_url=settings.redis_url,
    # Reflex checks the websocket's Origin against this list (and answers CORS with it): the
    # app's own origins unless ALLOWED_ORIGINS says otherwise, never "any origin".
    cors_allowed_origins=tuple(settings.origins),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="dark", accent_color="purple", gray_color="mauve", radius="large")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
