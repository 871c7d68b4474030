# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fixtures of the suite-level tests (pytest-odoo has loaded the registry)."""

import pytest

import odoo
from odoo.modules.registry import Registry


@pytest.fixture(scope="module")
def env():
    """Superuser environment on the test database, rolled back at the end."""
    registry = Registry(odoo.tools.config["db_name"])
    cr = registry.cursor()
    try:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()
        registry.clear_cache()
