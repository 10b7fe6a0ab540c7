"""The Radix Themes stylesheet carries every colour scale the app paints with, and nothing bundles
the whole of Radix Themes' JS into every page (cruddur/radix_styles.py)."""

import re
import typing
from pathlib import Path

from reflex_components_radix.themes.base import LiteralAccentColor

from cruddur import radix_styles

ROOT = Path(__file__).resolve().parents[2]
# Radix's accent colours and its grays (which `gray_color` takes).
RADIX_COLORS = frozenset(typing.get_args(LiteralAccentColor)) | {"mauve", "slate", "sage", "olive", "sand"}


def colours_named_in_the_app() -> set[str]:
    """Every Radix scale named anywhere: as a string in the Python (`color_scheme="red"`,
    `rx.cond(liked, "pink", "gray")`, `rx.color("grass", 10)`) or as a `var(--purple-9)` in CSS."""
    named: set[str] = set()
    for source in (ROOT / "cruddur").rglob("*.py"):
        named |= set(re.findall(r"""["']([a-z]+)["']""", source.read_text())) & RADIX_COLORS
    for sheet in (ROOT / "assets").glob("*.css"):
        named |= set(re.findall(r"var\(--([a-z]+)-a?\d+", sheet.read_text())) & RADIX_COLORS
    return named


def test_every_colour_the_app_names_has_its_scale_in_the_stylesheet():
    named = colours_named_in_the_app()
    assert {"purple", "red", "pink"} <= named  # the scan sees the accent, an error and a cond
    assert named <= set(radix_styles.COLOR_SCALES)
    sheets = radix_styles.STYLESHEETS
    assert all(f"@radix-ui/themes/tokens/colors/{scale}.css" in sheets for scale in named)


def test_the_stylesheet_is_radix_themes_in_parts_not_the_whole():
    plugin = radix_styles.plugin()
    sheets = plugin.get_stylesheet_paths()
    assert "@radix-ui/themes/styles.css" not in sheets
    assert "@radix-ui/themes/tokens.css" not in sheets
    assert sheets[0] == "@radix-ui/themes/tokens/base.css"  # the tokens before the parts that use them
    assert {"@radix-ui/themes/components.css", "@radix-ui/themes/utilities.css"} <= set(sheets)


def test_the_theme_is_cruddurs_dark_purple():
    theme = radix_styles.plugin().get_theme()
    assert theme is not None
    assert str(theme.appearance) == '"dark"'
    rendered = str(theme.render())
    for prop in ('accentColor:"purple"', 'grayColor:"mauve"', 'radius:"large"'):
        assert prop in rendered


def test_radix_themes_is_not_bundled_for_dynamic_components():
    assert radix_styles.plugin().get_frontend_dependencies() == ()
