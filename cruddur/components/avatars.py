"""A person's picture (or their initial where they have none), and the account page's picker."""

import reflex as rx
from reflex_base.constants import Dirs
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData
from reflex_base.vars.base import Var

# The backend's origin as the page reaches it (the dev server's pages come from another port);
# pictures are served there, at /_avatar/... (cruddur/avatar_route.py).
BACKEND_ORIGIN = Var(
    _js_expr="getBackendURL(env.UPLOAD).origin",
    _var_data=VarData(
        imports={f"$/{Dirs.STATE_PATH}": "getBackendURL", "$/env.json": ImportVar(tag="env", is_default=True)}
    ),
).to(str)


def person_avatar(path, name, **props) -> rx.Component:
    """`path` is where the app serves the picture ("" for none). The picture sits beside the
    person's name, so it is decorative (empty alt); the initial shows until it loads, or instead."""
    initial = name[:1]
    return rx.cond(
        path != "",
        rx.avatar(src=BACKEND_ORIGIN + path, fallback=initial, custom_attrs={"alt": ""}, **props),
        rx.avatar(fallback=initial, **props),
    )
