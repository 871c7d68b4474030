.PHONY: test run bench odoo test-upgrade bench-replica

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

bench-replica:
	scripts/bench-replica
