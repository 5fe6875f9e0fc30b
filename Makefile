# The two quick-start commands (see README.md).
.PHONY: start test bootstrap

bootstrap:
	./scripts/bootstrap

start: bootstrap
	.venv/bin/factory up

test: bootstrap
	.venv/bin/python -m pytest
