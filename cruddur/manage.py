"""Database chores for the run and test commands:
`python -m cruddur.manage setup|migrate|seed|purge`."""

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from cruddur.auth.session_policy import SessionPolicy
from cruddur.db import Database
from cruddur.seed import seed_if_empty
from cruddur.services.purge import purge_ended
from cruddur.services.revocations import Revocations
from cruddur.services.sessions import SessionStore
from cruddur.settings import ConfigurationError, Settings, load_settings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def migrate(settings: Settings) -> None:
    database = Database.from_settings(settings)
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    database.dispose()


def seed(settings: Settings) -> None:
    database = Database.from_settings(settings)
    seeded = database.run(seed_if_empty)
    print("seeded demo cruds" if seeded else "database already has data; not seeding")
    database.dispose()


def purge(settings: Settings) -> None:
    """Ended sessions, stale tickets, lapsed revocations and expired cruds, in bounded batches
    (the backend does the same every ten minutes)."""
    database = Database.from_settings(settings)
    sessions = SessionStore(database, SessionPolicy(idle=settings.session_idle, lifetime=settings.session_lifetime))
    total = purge_ended(database, sessions, Revocations(database))
    print(f"purged {total} rows and threads")
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cruddur.manage")
    parser.add_argument("action", choices=["setup", "migrate", "seed", "purge"])
    action = parser.parse_args().action
    try:
        settings = load_settings()
    except ConfigurationError as refused:
        raise SystemExit(f"cruddur: {refused}") from None
    if action in ("setup", "migrate"):
        migrate(settings)
    if action in ("setup", "seed"):
        seed(settings)
    if action == "purge":
        purge(settings)


if __name__ == "__main__":
    main()
