"""Browser journeys: the fixtures live in tests/browser_support.py (one Chromium for the whole run)."""

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, axe_violations

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "axe_violations"]
