"""Keep the style rules of a stylesheet whose selector passes a test (tinycss2 parses it), inside
grouping at-rules too; for a built stylesheet such as Radix Themes' `components.css`."""

from collections.abc import Callable, Iterable

import tinycss2
from tinycss2.ast import AtRule, Node, QualifiedRule

# At-rules whose block holds rules (filtered inside); other blocks (@keyframes, @font-face) stay whole.
GROUPING = frozenset({"media", "supports", "layer", "container"})


def keep_rules(css: str, keep: Callable[[str], bool]) -> str:
    """`css` with every style rule whose selector list fails `keep` left out, at the top level and
    inside @media/@supports/@layer/@container (a group left empty goes too); comments dropped."""
    return "\n".join(_kept(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), keep))


def _kept(rules: Iterable[Node], keep: Callable[[str], bool]) -> Iterable[str]:
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            if keep(tinycss2.serialize(rule.prelude).strip()):
                yield rule.serialize()
        elif isinstance(rule, AtRule):
            if rule.lower_at_keyword in GROUPING and rule.content is not None:
                inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
                kept = "\n".join(_kept(inner, keep))
                if kept:
                    yield f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{\n{kept}\n}}"
            else:
                yield rule.serialize()
        # ParseError nodes (a stray brace) are dropped, as a browser drops them.
