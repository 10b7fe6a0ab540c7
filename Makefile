# The two commands a newcomer needs, and the quicker ones for iterating. Each installs what is
# missing, then runs.
SHELL := /bin/bash
.PHONY: run test test-fast check

# The dev server reloads on file changes; SQLite's -wal/-shm files in data/ are not code.
run:
	source scripts/setup.sh && REFLEX_HOT_RELOAD_EXCLUDE_PATHS="$$PWD/$${DATA_DIR:-data}" exec reflex run

# Everything: the static checks, then every test in a random order (the seed is printed), on two
# workers; tests that share one served app stay on one worker (their xdist_group).
test: check
	source scripts/setup.sh --test && exec python -m pytest -n 2 --dist loadgroup

# No browser, no served app, no provider, no PostgreSQL or Redis: under a minute, on every core.
test-fast:
	source scripts/setup.sh --test && exec python -m pytest -m "not browser and not integration" -n auto

# Lint and format (ruff) on the project, types (pyright) on cruddur/.
check:
	source scripts/setup.sh --test && ruff check . && ruff format --check . && pyright
