# The two commands a newcomer needs. Each installs what is missing, then runs.
SHELL := /bin/bash
.PHONY: run test

# The dev server reloads on file changes; SQLite's -wal/-shm files in data/ are not code.
run:
	source scripts/setup.sh && REFLEX_HOT_RELOAD_EXCLUDE_PATHS="$$PWD/$${DATA_DIR:-data}" exec reflex run

test:
	source scripts/setup.sh --test && exec python -m pytest
