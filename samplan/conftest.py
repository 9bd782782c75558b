"""Shared pytest fixtures."""

# Playwright fixtures (browser, page, new_page) for tests marked ``browser``.
pytest_plugins = ["samplan.testing.browser"]
