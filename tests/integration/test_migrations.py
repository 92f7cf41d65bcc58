"""The Alembic migrations build exactly the tables the models describe, and undo cleanly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from tests.support import ROOT

pytestmark = pytest.mark.storage


def test_models_match_migrations_and_downgrade_works(database_url):
    from alembic import command
    from alembic.config import Config

    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                SQLModel.metadata)
    assert diff == [], diff
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.downgrade(config, "base")
    with engine.connect() as conn:
        assert set(engine.dialect.get_table_names(conn)) <= {"alembic_version"}
    command.upgrade(config, "head")
    engine.dispose()
