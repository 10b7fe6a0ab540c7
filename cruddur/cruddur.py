"""The Cruddur app: its pages and the routes they live at."""

import reflex as rx

from cruddur.pages.home import home
from cruddur.pages.more import more
from cruddur.state.feed import FeedState

app = rx.App(stylesheets=["/cruddur.css"])
app.add_page(home, route="/", title="Home — Cruddur", on_load=FeedState.load_home)
app.add_page(more, route="/more", title="More — Cruddur")
