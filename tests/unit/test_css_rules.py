"""Style rules kept or left out by their selector, through a built stylesheet's syntax."""

from cruddur.css_rules import keep_rules


def no_b(selector: str) -> bool:
    return ".b" not in selector


def test_rules_failing_the_test_go_and_the_others_stay_as_they_were():
    assert keep_rules(".a { color: red; }\n.b { color: blue; }\n.c,\n.d { margin: 0 }", no_b) == (
        ".a { color: red; }\n.c,\n.d { margin: 0 }"
    )


def test_groups_are_filtered_inside_and_go_when_left_empty():
    css = "@media (min-width: 1px) { .a { x: 1 } .b { x: 2 } }\n@supports (display: grid) { .b { x: 3 } }"
    assert keep_rules(css, no_b) == "@media (min-width: 1px) {\n.a { x: 1 }\n}"


def test_keyframes_font_faces_and_statements_stay_whole():
    css = '@import url("x.css");\n@keyframes b-spin { from { opacity: 0 } to { opacity: 1 } }\n@font-face { x: b; }'
    assert keep_rules(css, no_b) == css


def test_braces_in_strings_and_comments_do_not_end_a_rule():
    css = "/* .b { } */ .a::after { content: \"}{\"; }\n.b { content: '{'; }\n.a2 { x: 1 }"
    assert keep_rules(css, no_b) == '.a::after { content: "}{"; }\n.a2 { x: 1 }'


def test_a_selector_is_tested_without_its_comments():
    assert " ".join(keep_rules(".a /* .b */ { x: 1 }", no_b).split()) == ".a { x: 1 }"
