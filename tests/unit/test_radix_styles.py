"""The Radix Themes stylesheet carries every colour scale the app paints with, and nothing bundles
the whole of Radix Themes' JS into every page (cruddur/radix_styles.py)."""

import re
import typing
from pathlib import Path
from types import SimpleNamespace

import reflex as rx
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
    # Radix's order: tokens, then components (here the compiled subset), then the utilities that override them.
    assert sheets[-2:] == (f"./{radix_styles.COMPONENTS_SHEET}", "@radix-ui/themes/utilities.css")


def test_the_theme_is_cruddurs_dark_purple():
    theme = radix_styles.plugin().get_theme()
    assert theme is not None
    assert str(theme.appearance) == '"dark"'
    rendered = str(theme.render())
    for prop in ('accentColor:"purple"', 'grayColor:"mauve"', 'radius:"large"'):
        assert prop in rendered


def test_radix_themes_is_not_bundled_for_dynamic_components():
    assert radix_styles.plugin().get_frontend_dependencies() == ()


def fake_radix(tmp_path: Path, button_js: str = 'import{B}from"./_internal/base-button.js";"rt-Button"') -> Path:
    """A package laid out as @radix-ui/themes is: per-component modules, one built components.css."""
    components = tmp_path / "dist" / "esm" / "components"
    (components / "_internal").mkdir(parents=True)
    (components / "button.js").write_text(button_js)
    (components / "_internal" / "base-button.js").write_text('import"../spinner.js";c("rt-BaseButton")')
    (components / "spinner.js").write_text('"rt-Spinner"')
    (components / "dialog.js").write_text('"rt-DialogContent"')
    (tmp_path / "components.css").write_text(
        ".rt-reset:where(a) { all: unset; }\n"
        ".rt-BaseButton:where(.rt-r-size-2) { height: 32px; }\n"
        ".rt-Button:where(.rt-variant-ghost) { padding: 0; }\n"
        ".rt-DialogContent { margin: auto; }\n"
        "@media (min-width: 520px) { .rt-DialogContent { width: 400px; } .rt-Spinner { opacity: 1; } }\n"
        "@media (min-width: 768px) { .rt-DialogContent { width: 600px; } }\n"
        "@keyframes rt-fade { from { opacity: 0; } }\n"
    )
    return tmp_path


def test_the_subset_keeps_the_rules_of_the_components_used_and_what_they_import(tmp_path):
    sheet = radix_styles.components_subset(fake_radix(tmp_path), {"Button"})
    assert ".rt-reset:where(a)" in sheet  # no component class: the reset stays
    assert ".rt-Button:where(.rt-variant-ghost)" in sheet
    assert ".rt-BaseButton:where(.rt-r-size-2)" in sheet  # through button.js's import
    assert ".rt-Spinner { opacity: 1; }" in sheet  # through base-button.js's import, inside its @media
    assert "@keyframes rt-fade" in sheet
    assert "rt-DialogContent" not in sheet
    assert "768px" not in sheet  # a group left empty goes


def test_a_component_that_builds_its_class_names_keeps_the_whole_stylesheet(tmp_path):
    package = fake_radix(tmp_path, button_js="c(`rt-${variant}`)")
    assert radix_styles.components_subset(package, {"Button"}) == (package / "components.css").read_text()


def test_a_component_the_package_does_not_have_fails_the_build(tmp_path):
    try:
        radix_styles.components_subset(fake_radix(tmp_path), {"NoSuchThing"})
    except FileNotFoundError as missing:
        assert "no-such-thing.js" in str(missing)
    else:
        raise AssertionError("an unknown component was styled by nothing, silently")


def test_the_plugin_sees_the_components_rx_foreach_renders():
    rows = rx.Var.create(["a", "b"])
    root = rx.box(rx.heading("Feed"), rx.foreach(rows, lambda row: rx.card(rx.badge(row))))
    plugin = radix_styles.plugin()
    plugin.enter_component(root, page_context=SimpleNamespace(root_component=root), compile_context=None)
    plugin.enter_component(
        rx.text("not a root"), page_context=SimpleNamespace(root_component=root), compile_context=None
    )
    assert plugin.tags == {"Box", "Heading", "Card", "Badge"}
