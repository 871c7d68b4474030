.PHONY: test run bench odoo test-upgrade bench-replica bench-load

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

bench-load:
	scripts/bench-load
