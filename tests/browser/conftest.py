"""Browser tests: Playwright driving Debian's Chromium against live_server.

They skip when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1
(set by .ci/run, which installs Chromium), where a missing browser fails.
"""

import os
import shutil

import pytest

from tests.factories import restore_role_groups

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        sync_playwright = None
    if sync_playwright is None or not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium or Playwright missing (looked for {CHROMIUM})")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The demo loaded into the live server's database; returns its URL."""
    from indicators.demo import demo_load

    demo_load(password="demo-password-for-tests")
    yield live_server.url
    # The flush after a live-server test deletes rows one by one on SQLite, which
    # the database refuses for an adopted review: reopen them first.
    from reviews.models import Review, ReviewState
    from reviews.services import review_reopen
    from units.models import User

    administrator = User.objects.filter(username="quantri").first()
    for review in Review.objects.filter(state=ReviewState.ADOPTED):
        review_reopen(review=review, user=administrator, reason="Kết thúc kiểm thử")


def log_in(page, base_url: str, username: str = "lanhdao") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-password-for-tests")
    page.get_by_test_id("login").click()
    page.wait_for_url(f"{base_url}/")


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The roles' groups, with their permissions, before every browser test.

    They come from a data migration, and each live-server test flushes the
    database when it ends: without this, a second browser test finds no groups.
    """
    restore_role_groups()
