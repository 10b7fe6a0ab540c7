"""Keep the style rules of a stylesheet whose selector passes a test; enough of CSS's syntax for a
built (un-nested) stylesheet such as Radix Themes' `components.css`."""

import re
from collections.abc import Callable

# At-rules whose block holds rules (filtered inside); other blocks (@keyframes, @font-face) stay whole.
GROUPING = re.compile(r"@(media|supports|layer|container)\b")


def _skip(css: str, at: int) -> int:
    """The index just past a comment or string starting at `at`, or `at` if none starts there."""
    if css.startswith("/*", at):
        end = css.find("*/", at + 2)
        return len(css) if end < 0 else end + 2
    if css[at] in "'\"":
        quote, at = css[at], at + 1
        while at < len(css) and css[at] != quote:
            at += 2 if css[at] == "\\" else 1
        return at + 1
    return at


def _block_end(css: str, opening: int) -> int:
    """The index of the `}` that closes the `{` at `opening`."""
    depth, at = 0, opening
    while at < len(css):
        after = _skip(css, at)
        if after != at:
            at = after
            continue
        if css[at] == "{":
            depth += 1
        elif css[at] == "}":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    raise ValueError("unbalanced braces in stylesheet")


def keep_rules(css: str, keep: Callable[[str], bool]) -> str:
    """`css` with every style rule whose selector list fails `keep` left out, at the top level and
    inside @media/@supports/@layer/@container (a group left empty goes too); comments dropped."""
    kept: list[str] = []
    at = 0
    while at < len(css):
        prelude: list[str] = []
        while at < len(css) and css[at] not in "{;}":
            after = _skip(css, at)
            if after != at:
                if css[at] != "/":  # a string belongs to the prelude, a comment does not
                    prelude.append(css[at:after])
                at = after
                continue
            prelude.append(css[at])
            at += 1
        head = "".join(prelude).strip()
        if at >= len(css) or css[at] == "}":  # trailing whitespace/comments, or a stray brace
            at += 1
            continue
        if css[at] == ";":  # a statement such as @import
            if head:
                kept.append(head + ";")
            at += 1
            continue
        end = _block_end(css, at)
        body = css[at + 1 : end]
        if GROUPING.match(head):
            inner = keep_rules(body, keep)
            if inner:
                kept.append(f"{head} {{\n{inner}\n}}")
        elif head.startswith("@") or keep(head):
            kept.append(f"{head} {{{body}}}")
        at = end + 1
    return "\n".join(kept)
