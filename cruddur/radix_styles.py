"""Radix Themes' stylesheet with only the colour scales and components Cruddur renders.

Reflex's `RadixThemesPlugin` imports `@radix-ui/themes/styles.css`: all 31 colour scales (light
and dark, sRGB and P3, thousands of custom properties on the root that every element inherits)
and the rules of all ~50 components, 810 kB that every cold page load parses and matches against
every element. Radix ships the same stylesheet in parts (`tokens/base.css`,
`tokens/colors/<scale>.css`, `components.css`, `utilities.css`) for choosing from. This plugin
imports the base tokens, the scales in `COLOR_SCALES` and the utilities as they are, and in place
of `components.css` a copy holding only the rules of the components the app compiles
(`components_subset`), written into the build's styles directory at each compile.
"""

import dataclasses
import re
from pathlib import Path
from typing import Any

import reflex as rx
from reflex.utils.prerequisites import get_web_dir

from cruddur import css_rules

# The theme's accent and gray, and every other `color_scheme` / `rx.color` the pages use
# (tests/unit/test_radix_styles.py checks the pages name no other).
ACCENT = "purple"
GRAY = "mauve"
COLOR_SCALES = (ACCENT, GRAY, "gray", "red", "grass", "amber", "pink")

THEMES = "@radix-ui/themes"
# Written by the plugin into the styles directory, beside Reflex's own `__reflex_style_reset.css`.
COMPONENTS_SHEET = "radix-themes-components.css"
STYLESHEETS = (
    f"{THEMES}/tokens/base.css",
    *(f"{THEMES}/tokens/colors/{scale}.css" for scale in COLOR_SCALES),
    f"./{COMPONENTS_SHEET}",
    f"{THEMES}/utilities.css",
)

# A component class is `rt-` and a capital (`rt-Button`, `rt-BaseButton`); `rt-r-size-2`,
# `rt-variant-soft` and the like are the props' modifiers, which only act beside one.
COMPONENT_CLASS = re.compile(r"rt-[A-Z][A-Za-z]*")
RELATIVE_IMPORT = re.compile(r"""(?:from|import)\s*["'](\.{1,2}/[^"']+)["']""")
BUILT_CLASS_NAME = re.compile(r"rt-\$\{|[\"'`]rt-[\"'`]\s*\+")


def module_of(tag: str) -> str:
    """`Select.Root` -> `select.js`, `IconButton` -> `icon-button.js` (Radix's file names)."""
    root = tag.split(".", maxsplit=1)[0]
    return re.sub(r"(?<!^)(?=[A-Z])", "-", root).lower() + ".js"


def component_classes(package: Path, tags: set[str]) -> set[str] | None:
    """Every component class the JS of these components (and the modules they import, such as
    `_internal/base-button.js`) puts on an element; None if any builds a class name at run time,
    which a subset could miss."""
    components = package / "dist" / "esm" / "components"
    pending = [components / module_of(tag) for tag in tags]
    seen: set[Path] = set()
    classes: set[str] = set()
    while pending:
        module = pending.pop().resolve()
        if module in seen:
            continue
        seen.add(module)
        source = module.read_text()  # a missing module is a tag this mapping does not know: fail the build
        if BUILT_CLASS_NAME.search(source):
            return None
        classes |= set(COMPONENT_CLASS.findall(source))
        pending += [module.parent / name for name in RELATIVE_IMPORT.findall(source)]
    return classes


def components_subset(package: Path, tags: set[str]) -> str:
    """Radix's `components.css` without the rules of components none of `tags` renders: a rule
    stays if its selector names no component class (the reset, `.radix-themes`, keyframes) or one
    these components use."""
    sheet = (package / "components.css").read_text()
    classes = component_classes(package, tags)
    if classes is None:
        return sheet

    def used(selector: str) -> bool:
        named = set(COMPONENT_CLASS.findall(selector))
        return not named or bool(named & classes)

    return css_rules.keep_rules(sheet, used)


@dataclasses.dataclass
class RadixThemesSubsetPlugin(rx.plugins.RadixThemesPlugin):
    # Every Radix Themes component (`Select`, `Button`) a page imports, across the compiles of this
    # process, so a hot reload never drops the rules of a component still on a page.
    tags: set[str] = dataclasses.field(default_factory=set, init=False, repr=False)

    def enter_component(self, comp: Any, /, **context: Any) -> None:
        super().enter_component(comp, **context)
        # From the page's whole tree at its root: the hooks never enter what `rx.foreach` renders.
        if comp is context["page_context"].root_component:
            for library, names in comp._get_all_imports().items():
                if library.startswith(THEMES):
                    self.tags.update(name.tag for name in names if name.tag)

    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        return STYLESHEETS if self.enabled else ()

    def get_static_assets(self, **context: Any) -> list[tuple[Path, str]]:
        """Reflex calls this after installing the page's packages, so Radix's CSS is on disk."""
        if not self.enabled:
            return []
        package = get_web_dir() / "node_modules" / "@radix-ui" / "themes"
        header = f"/* Radix Themes' components.css, the rules of: {', '.join(sorted(self.tags))} */\n"
        return [(Path("styles") / COMPONENTS_SHEET, header + components_subset(package, self.tags))]

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
