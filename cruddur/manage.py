"""Database chores for the run and test commands: `python -m cruddur.manage setup|migrate|seed`."""

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from cruddur.db import get_engine, new_session
from cruddur.seed import seed_if_empty
from cruddur.settings import get_settings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def migrate() -> None:
    get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def seed() -> None:
    with new_session() as session:
        print("seeded demo cruds" if seed_if_empty(session) else "database already has data; not seeding")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cruddur.manage")
    parser.add_argument("action", choices=["setup", "migrate", "seed"])
    action = parser.parse_args().action
    if action in ("setup", "migrate"):
        migrate()
    if action in ("setup", "seed"):
        seed()


if __name__ == "__main__":
    main()
