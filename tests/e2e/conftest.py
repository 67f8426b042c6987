"""The browser for the real-browser tests: Debian's chromium, driven by Playwright (no browser download)."""

import pytest
from e2e_helpers import CHROMIUM, FLAGS
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()
