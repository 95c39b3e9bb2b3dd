"""The browser tests' server, Chromium and committed office (tests/browser/conftest.py)."""

from tests.browser.conftest import (  # noqa: F401
    browser,
    context,
    office_data,
    phone,
    server,
    zoned_office,
)
