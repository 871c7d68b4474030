.PHONY: test run bench

test:
	scripts/test

run:
	scripts/run

bench:
	scripts/bench
