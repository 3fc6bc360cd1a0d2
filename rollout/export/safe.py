"""Text from surveys and district files must never become a formula in our outputs."""
from __future__ import annotations

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value):
    """Escape text a spreadsheet would run as a formula (OWASP: prefix an apostrophe)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_LEADS):
        return "'" + value
    return value
