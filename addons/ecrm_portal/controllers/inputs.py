# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Form and query values as the portal routes use them: malformed input is
treated as absent, never a server error (found by tests/test_fuzz.py)."""

ID_MAX = 2**31 - 1  # PostgreSQL integer


def clean_text(value, size):
    """``value`` as text of at most ``size`` characters, without NUL (which
    PostgreSQL refuses in any string)."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "")[:size]


def parse_id(value):
    """A record id given as text (ASCII digits, within PostgreSQL's
    integers), or None."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= ID_MAX:
        return None
    return int(value)
