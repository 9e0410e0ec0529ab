"""axe-core (npm, pinned in package.json/package-lock.json) run inside the browser tests' pages.

`ensure_axe()` installs it with `npm ci` when node_modules/axe-core is missing (a fresh clone, CI);
`assert_no_serious_violations(page)` injects it into the page, runs the WCAG 2.1 A/AA and best-practice
rules and fails on any serious or critical violation, listing each one readably.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def ensure_axe() -> Path:
    """The path of axe.min.js, running `npm ci` (package-lock.json) first when it is not installed."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: install Node.js and npm (apt-get install nodejs npm), axe-core comes from it")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0 or not AXE_JS.exists():
            pytest.fail(f"`npm ci` failed to install axe-core:\n{result.stdout}\n{result.stderr}")
    return AXE_JS


def axe_violations(page) -> list[dict]:
    """Every violation axe finds in the page as it is now (the context needs bypass_csp: our CSP forbids the
    inline script Playwright injects)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(ensure_axe()))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                      resultTypes: ['violations']}))
            .violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                                   nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                                              html: n.html.slice(0, 160)}))}))""",
        RULE_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            lines.append(f"      at {node['target']}  {node['html']}")
            summary = " ".join((node["summary"] or "").split())
            if summary:
                lines.append(f"         {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def serious(violations: list[dict]) -> list[dict]:
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def assert_no_serious_violations(page) -> None:
    blocking = serious(axe_violations(page))
    assert not blocking, f"axe: serious/critical violations on {page.url}:\n{describe(blocking)}"
