# The two commands a newcomer needs. Each installs what is missing, then runs.
SHELL := /bin/bash
.PHONY: run test

run:
	source scripts/setup.sh && exec reflex run

test:
	source scripts/setup.sh --test && exec python -m pytest
