"""axe-core in a Playwright page: inject the pinned `axe.min.js`, run every default rule (WCAG 2.x
A and AA plus best practices), and say which rule failed on which element and why.

The script comes from the npm registry at the version in `tests/e2e/axe/package.json`, installed
by `scripts/setup.sh --test`. It is never fetched at test time and a missing copy is never skipped.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_SERIES = "4.14."
INSTALL_COMMAND = "scripts/setup.sh --test (the README's `make test` runs it)"

# Runs in the page: every rule axe enables by default (or only the rules named) on the document
# (or on the part a CSS selector names); violations only, each with its nodes' CSS selector
# paths and axe's own summary of what to fix.
RUN_AXE = """async ([within, rules]) => {
  const options = {resultTypes: ["violations"]};
  if (rules) options.runOnly = {type: "rule", values: rules};
  const results = await axe.run(within || document, options);
  return results.violations.map(v => ({
    rule: v.id,
    impact: v.impact || "",
    help: v.help,
    url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(" >> "), summary: n.failureSummary || ""})),
  }));
}"""


@dataclass(frozen=True)
class Node:
    target: str
    summary: str


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    url: str
    nodes: tuple[Node, ...]

    def describe(self) -> str:
        lines = [f"{self.rule} ({self.impact}, {len(self.nodes)} node(s)): {self.help} — {self.url}"]
        for node in self.nodes:
            lines.append(f"    {node.target}")
            lines.extend(f"        {line.strip()}" for line in node.summary.splitlines() if line.strip())
        return "\n".join(lines)


def inject_axe(page: Page) -> str:
    """Adds axe to the page (once) and returns its version."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run {INSTALL_COMMAND}")
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE_JS))
    version = page.evaluate("axe.version")
    if not version.startswith(AXE_SERIES):
        pytest.fail(f"axe-core {version} is installed, the tests pin {AXE_SERIES}x: run {INSTALL_COMMAND}")
    return version


def audit(page: Page, rules: list[str] | None = None, within: str | None = None) -> list[Violation]:
    """axe's violations for the page as it is now: of every default rule, or of `rules` only;
    on the whole document, or only on what the CSS selector `within` matches."""
    inject_axe(page)
    return [
        Violation(
            rule=v["rule"],
            impact=v["impact"],
            help=v["help"],
            url=v["url"],
            nodes=tuple(Node(n["target"], n["summary"]) for n in v["nodes"]),
        )
        for v in page.evaluate(RUN_AXE, [within, rules])
    ]


def assert_no_violations(page: Page, what: str, rules: list[str] | None = None, within: str | None = None) -> None:
    violations = audit(page, rules, within)
    if violations:
        report = "\n".join(v.describe() for v in violations)
        pytest.fail(f"axe found {len(violations)} violated rule(s) on {what} ({page.url}):\n{report}", pytrace=False)
