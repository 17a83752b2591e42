"""An axe-core audit of the open Playwright page (axe-playwright-python bundles axe.min.js)."""

from __future__ import annotations

BLOCKING = ("serious", "critical")  # WCAG 2.1 AA failures the build refuses


def violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """axe-core's violations on the page (every rule it runs by default) with these impacts.

    The page is injected with axe.min.js (the `page` fixture bypasses the pages' CSP so that
    the injected script can run)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response["violations"]
    return [v for v in results if v.get("impact") in impacts]


def report(found: list[dict], url: str) -> str:
    """One readable line per rule and element: rule id, impact, target selector, what is wrong."""
    lines = [f"{url}: {len(found)} accessibility rule(s) failed"]
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            why = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {target}  {why}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page, impacts: tuple[str, ...] = BLOCKING) -> None:
    found = violations(page, impacts)
    assert not found, report(found, page.url)
