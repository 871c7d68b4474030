import odoo

# pytest-odoo imports Odoo's test framework before it turns test mode on, and
# odoo.tests logs an ERROR when imported outside test mode. Import it here, in
# test mode, before Odoo's configuration is parsed; test mode must be off again
# when the registry loads, or Odoo would run every module's at_install tests.
odoo.tools.config["test_enable"] = True
import odoo.tests

odoo.tools.config["test_enable"] = False
