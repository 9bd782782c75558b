"""Pytest fixtures for browser tests: Playwright (sync API) driving the system's Chromium.

Registered in ``samplan/conftest.py``. Tests marked ``@pytest.mark.browser`` use ``live_server``
and ``transactional_db`` plus the fixtures here:

- ``browser``: one Chromium per test session (per xdist worker);
- ``page``: a fresh context (sv-SE, Europe/Stockholm) per test; ``new_page`` makes more, e.g.
  ``new_page(java_script_enabled=False)`` for the no-JavaScript path.

We never download browsers (``playwright install``): Chromium comes from the OS package
(``/usr/bin/chromium``) or ``SAMPLAN_CHROMIUM``. Without it, browser tests are skipped on a
developer's machine and fail when ``SAMPLAN_REQUIRE_BROWSER=1`` (CI).

On failure the page's screenshot and HTML are written to ``test-results/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from samplan.testing.factories import PASSWORD, current_totp

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response

    from samplan.directory.models import Membership

# The live server runs in a thread while Playwright's sync API keeps an event loop running in
# the test's thread; Django would otherwise refuse ORM calls made from the test.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# The background-networking flags keep Chromium from flooding a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CONTEXT_DEFAULTS: dict[str, Any] = {
    "locale": "sv-SE",
    "timezone_id": "Europe/Stockholm",
    "viewport": {"width": 1280, "height": 900},
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RESULTS_DIR = Path(os.environ.get("SAMPLAN_TEST_RESULTS", "test-results"))
TIMEOUT_MS = 10_000


def chromium_path() -> str:
    return os.environ.get("SAMPLAN_CHROMIUM", DEFAULT_CHROMIUM)


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("SAMPLAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SAMPLAN_REQUIRE_BROWSER=1: browser tests must run)", pytrace=False)
    pytest.skip(f"{reason}; install Debian's chromium or set SAMPLAN_CHROMIUM to run them")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the item, so ``page`` can tell whether the test failed."""
    report = yield
    setattr(item, f"samplan_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _browser_unavailable(f"Chromium not found at {path}")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:  # pragma: no cover - the dev dependency group installs it
        _browser_unavailable("the playwright package is not installed")
        raise
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(
                executable_path=path, args=CHROMIUM_ARGS, headless=True
            )
        except Error as error:
            _browser_unavailable(f"Chromium at {path} did not start: {error.message}")
            raise
        yield instance
        instance.close()


class _PageWatch:
    """What a page did that the app must never do: CSP violations, missing static files."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")

    def _response(self, response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.problems.append(f"static file missing: {response.status} {response.url}")


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Factory: ``new_page(**context_options)`` opens a page in a new browser context.

    All contexts close after the test. A Content-Security-Policy violation (something the app's
    strict CSP blocked) or a CSS/JS file that fails to load fails the test: in production either
    would silently break the page.
    """
    opened: list[tuple[BrowserContext, Page, _PageWatch]] = []

    def make(**options: Any) -> Page:
        context = browser.new_context(**{**CONTEXT_DEFAULTS, **options})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        opened.append((context, page, _PageWatch(page)))
        return page

    yield make

    report = getattr(request.node, "samplan_report_call", None)
    for number, (context, page, _watch) in enumerate(opened):
        if report is not None and report.failed:
            _save_failure_artifacts(request.node.nodeid, number, page)
        context.close()
    if report is not None and report.passed:
        problems = [problem for _c, _p, watch in opened for problem in watch.problems]
        if problems:
            pytest.fail("The browser saw:\n" + "\n".join(dict.fromkeys(problems)), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def _save_failure_artifacts(nodeid: str, number: int, page: Page) -> None:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:] + (f"-{number}" if number else "")
    try:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
        (RESULTS_DIR / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # artifacts are best effort; never mask the real failure
        print(f"could not save browser artifacts for {nodeid}: {error}")


def assert_no_axe_violations(page: Page, context: str | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the current page; fail listing violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, context=context, options=options)
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = "; ".join(
                line.strip() for line in node.get("failureSummary", "").splitlines() if line.strip()
            )
            lines.append(f"    {target}: {summary}")
    pytest.fail("\n".join(lines), pytrace=False)


def sign_in_via_ui(page: Page, live_server_url: str, membership: Membership) -> None:
    """The real sign-in: password, TOTP code, and the unit choice when there is one."""
    from playwright.sync_api import expect

    user = membership.user
    page.goto(f"{live_server_url}/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page).to_have_url(re.compile(r"/logga-in/kod/"))
    page.get_by_label("Engångskod").fill(current_totp(user))
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    if "/valj-enhet/" in page.url:
        page.locator(f'input[name="membership"][value="{membership.pk}"]').check()
        page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator(".acting-unit")).to_contain_text(membership.unit.name)


def sign_out_via_ui(page: Page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/logga-in/"))


def signed_in_page(new_page: Callable[..., Page], base_url: str, membership: Membership) -> Page:
    """A browser context holding the session a finished password + TOTP sign-in gives.

    For page scans; flow tests sign in through the real pages (:func:`sign_in_via_ui`)."""
    from django.conf import settings
    from django.test import Client

    from samplan.testing.factories import sign_in

    client = sign_in(Client(), membership)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = new_page()
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )
    return page


class AxeScan:
    """Scan several pages, then fail once listing every page with violations."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.scanned: list[str] = []

    def __call__(self, page: Page, what: str) -> None:
        from playwright.sync_api import expect

        expect(page.locator("main h1")).to_be_visible()
        self.scanned.append(what)
        try:
            assert_no_axe_violations(page)
        except pytest.fail.Exception as failure:
            self.failures.append(f"[{what}] {failure}")

    def check(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


Scene = Callable[[Any, Callable[["Membership"], "Page"], AxeScan, str], None]


def run_axe_scene(scene: Scene, county: Any, new_page: Callable[..., Page], base_url: str) -> None:
    """Run one group of scans: ``scene(county, open_as, scan, base_url)``, where ``open_as``
    gives each member of staff one signed-in page, reused across the scene; fail once at the
    end listing every page with violations."""
    scan = AxeScan()
    pages: dict[int, Page] = {}

    def open_as(membership: Membership) -> Page:
        if membership.pk not in pages:
            pages[membership.pk] = signed_in_page(new_page, base_url, membership)
        return pages[membership.pk]

    scene(county, open_as, scan, base_url)
    scan.check()
    assert scan.scanned, "the scene scanned no page"
