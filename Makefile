.PHONY: test run bench odoo

test:
	scripts/test

run:
	scripts/run

bench:
	scripts/bench

odoo:
	scripts/odoo
