# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Form and query values as the portal routes use them: malformed input is
treated as absent, never a server error (found by tests/test_fuzz.py)."""

import re

# What XML 1.0 cannot hold (pages are rendered by lxml) — NUL included, which
# PostgreSQL refuses in any string: control characters but tab and line ends,
# lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

ID_MAX = 2**31 - 1  # PostgreSQL integer


def clean_text(value, size):
    """``value`` as text of at most ``size`` characters, without what a page
    or PostgreSQL cannot hold."""
    if not isinstance(value, str):
        return ""
    return NOT_XML.sub("", value)[:size]


def parse_id(value):
    """A record id given as text (ASCII digits, within PostgreSQL's
    integers), or None."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= ID_MAX:
        return None
    return int(value)
