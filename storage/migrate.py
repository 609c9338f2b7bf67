"""Run Alembic migrations programmatically on an async engine (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x4B4D0001  # PostgreSQL advisory lock held while migrating


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _migrate(engine: AsyncEngine, run: Callable[[Connection], None]) -> None:
    """Run Alembic on one connection. On SQLite, foreign keys are off meanwhile: batch migrations rebuild
    tables (copy, drop, rename) and dropping a referenced table would otherwise cascade-delete its
    dependants. They are checked once the migration is done."""
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no effect inside a transaction
            await conn.commit()
        else:  # instances starting together migrate one after the other (the lock ends with the transaction)
            await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        try:
            await conn.run_sync(run)
            await conn.commit()
        finally:
            if sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        if sqlite:
            problems = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if problems:
                raise RuntimeError(f"migration left {len(problems)} dangling foreign key(s)")


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _migrate(engine, lambda connection: command.upgrade(alembic_config(connection), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _migrate(engine, lambda connection: command.downgrade(alembic_config(connection), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)
