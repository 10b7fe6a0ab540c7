"""The layers of docs/architecture.md hold: who may import whom, checked on the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cruddur"


def imports_of(folder: str) -> dict[str, set[str]]:
    """Every module under cruddur/<folder> and the top-level names of what it imports."""
    found = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        found[str(path.relative_to(PACKAGE))] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        module: sorted(n for n in names if n == f or n.startswith(f + "."))
        for module, names in imports_of(folder).items()
        for f in forbidden
        if any(n == f or n.startswith(f + ".") for n in names)
    }


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        # The Cognito client side: no Reflex, no database, no provider, nothing above it.
        ("auth", ("reflex", "reflex_base", "sqlmodel", "sqlalchemy", "cruddur.localcognito", "cruddur.db",
                  "cruddur.models", "cruddur.services", "cruddur.state", "cruddur.runtime")),
        # The provider stands in for AWS: nothing of the app.
        ("localcognito", ("reflex", "reflex_base", "cruddur.auth", "cruddur.services", "cruddur.state",
                          "cruddur.db", "cruddur.models", "cruddur.settings", "cruddur.runtime")),
        # App logic: no Reflex, and no knowledge of which pool (or provider) is behind it.
        ("services", ("reflex", "reflex_base", "cruddur.localcognito", "cruddur.state", "cruddur.runtime")),
        # Pages and components render; they never reach the runtime, the database or Cognito.
        ("pages", ("cruddur.runtime", "cruddur.db", "cruddur.services.accounts", "boto3", "httpx")),
        ("components", ("cruddur.runtime", "cruddur.db", "cruddur.services.accounts", "boto3", "httpx")),
    ],
    ids=["auth", "localcognito", "services", "pages", "components"],
)  # fmt: skip
def test_a_layer_imports_nothing_it_must_not(folder, forbidden):
    assert offenders(folder, forbidden) == {}


def test_the_check_sees_imports():
    """The scan itself finds what is there (else the test above could never fail)."""
    assert "reflex" in imports_of("state")["state/session.py"]
    assert offenders("state", ("cruddur.runtime",))
