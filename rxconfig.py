import reflex as rx

from cruddur import radix_styles
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
    # Radix Themes with only the colour scales the app uses (cruddur/radix_styles.py says why).
    plugins=[radix_styles.plugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
