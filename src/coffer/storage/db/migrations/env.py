"""Alembic environment: runs on the connection ``coffer.storage.db.migrate`` hands in."""

from alembic import context
from sqlalchemy import Connection

from coffer.storage.db.models import Base

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
