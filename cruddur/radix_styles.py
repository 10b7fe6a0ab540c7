"""Radix Themes with only the colour scales Cruddur paints with.

Reflex's `RadixThemesPlugin` imports `@radix-ui/themes/styles.css`, which defines every one of
Radix's 31 colour scales, light and dark, sRGB and P3: thousands of custom properties on the
root that every page load parses and every element's style inherits. Radix ships the same
stylesheet in parts (`tokens/base.css`, `tokens/colors/<scale>.css`, `components.css`,
`utilities.css`) for exactly this; this plugin imports those instead, with the scales below.
A colour scheme missing from `COLOR_SCALES` would render without its colours, so
tests/test_radix_styles.py checks every scale the app names is here.
"""

import dataclasses
from typing import Any

import reflex as rx

# The theme's accent and gray, and every other `color_scheme` / `rx.color` the pages use.
ACCENT = "purple"
GRAY = "mauve"
COLOR_SCALES = (ACCENT, GRAY, "gray", "red", "grass", "amber", "pink")

THEMES = "@radix-ui/themes"
STYLESHEETS = (
    f"{THEMES}/tokens/base.css",
    *(f"{THEMES}/tokens/colors/{scale}.css" for scale in COLOR_SCALES),
    f"{THEMES}/components.css",
    f"{THEMES}/utilities.css",
)


@dataclasses.dataclass
class RadixThemesSubsetPlugin(rx.plugins.RadixThemesPlugin):
    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        return STYLESHEETS if self.enabled else ()

    def get_frontend_dependencies(self, **context: Any) -> tuple[str, ...]:
        """None: Reflex "bundles" a plugin's dependencies for dynamic components, importing the whole
        of @radix-ui/themes' JS (`import * as`) into the root chunk of every page, tree-shaking
        nothing. Cruddur has no dynamic components. The package is still installed, at the version
        Reflex pins, because every Radix component (the root's `Theme` among them) names it as its
        library."""
        return ()


def plugin() -> RadixThemesSubsetPlugin:
    """Cruddur's dark purple theme."""
    return RadixThemesSubsetPlugin(
        theme=rx.theme(appearance="dark", accent_color=ACCENT, gray_color=GRAY, radius="large")
    )
