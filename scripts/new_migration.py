"""Autogenerate the next Alembic revision: python scripts/new_migration.py ID MESSAGE."""

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from coffer.storage.db.engine import _alembic_config

with tempfile.TemporaryDirectory() as scratch:
    engine = create_engine(f"sqlite:///{Path(scratch) / 'autogen.db'}")
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        command.revision(config, autogenerate=True, rev_id=sys.argv[1], message=sys.argv[2])
