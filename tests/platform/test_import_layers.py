"""An app imports only from the apps below it (README, "Layers"): a lower app never needs a higher one."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lowest first; apps on one line are on one level and do not import each other.
LAYERS = [("core",), ("sites",), ("wifi",), ("accueil", "mediation"), ("captive_portal",), ("funding",)]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def upward_imports(app: str, source: str) -> list[str]:
    """The modules `source` (a module of `app`) imports from an app on its level or above, lazy imports included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            other = name.partition(".")[0]
            if other in LEVEL and other != app and LEVEL[other] >= LEVEL[app]:
                found.append(name)
    return found


@pytest.mark.parametrize("app", LEVEL)
def test_no_app_imports_from_an_app_above_or_beside_it(app):
    """Every module of the app, its migrations and commands included."""
    offending = {
        str(path.relative_to(ROOT)): names
        for path in sorted((ROOT / app).rglob("*.py"))
        if (names := upward_imports(app, path.read_text(encoding="utf-8")))
    }
    assert offending == {}


def test_an_upward_import_is_found_wherever_it_hides():
    """A top-level import, a `from` import and an import inside a function are all caught."""
    source = "import funding.models\nfrom captive_portal import content\ndef f():\n    from wifi import models\n"
    assert upward_imports("sites", source) == ["funding.models", "captive_portal", "wifi"]
    assert upward_imports("funding", source) == []
    assert upward_imports("accueil", "from mediation import models\nfrom core import csv\n") == ["mediation"]
