import pytest

import odoo


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    # pytest-odoo imports the test modules (and so odoo.tests, which logs an
    # ERROR outside test mode) before its own fixtures turn test mode on. Test
    # mode must be off again before the registry loads, or Odoo would run every
    # module's at_install tests itself.
    odoo.tools.config["test_enable"] = True
    yield
    odoo.tools.config["test_enable"] = False
