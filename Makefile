.PHONY: test run bench odoo test-upgrade

test:
	scripts/test

run:
	scripts/run

bench:
	scripts/bench

odoo:
	scripts/odoo

test-upgrade:
	scripts/test-upgrade
