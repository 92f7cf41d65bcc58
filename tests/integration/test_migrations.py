"""The Alembic migrations build exactly the tables the models describe, and undo cleanly."""

import json
from datetime import datetime

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


def loads(value):
    """A JSON column as read: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_actions_move_to_the_platforms_shape_and_back(database_url):
    """0010: the years become start and end dates (a year stays a year), « coFinanceur » becomes
    « membre », the périmètre takes the platform's spelling; the downgrade restores all three."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.downgrade(config, "0009")
    engine = make_engine(database_url)
    cofinancing = '[{"coFinanceur": "CAF", "montant": 5000}]'
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO facilitator (id, email, name, password_hash, created_at) "
                          "VALUES (1, 'a@b.fr', 'A', 'x', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO territory (id, name, kind, code) VALUES (1, 'Val', 'epci', '')"))
        conn.execute(text("""
            INSERT INTO roadmap (id, owner_id, territory_id, name, perimeter, carriers, context, created_at,
                                 updated_at)
            VALUES (1, 1, 1, 'F', 'groupements-de-communes', '[]', '', CURRENT_TIMESTAMP,
                    CURRENT_TIMESTAMP)"""))
        conn.execute(text("""
            INSERT INTO chantier (id, roadmap_id, position, code, title, description, objectives, obstacles,
                                  pilot, doers, associates, coordinator)
            VALUES (1, 1, 0, '1.a', 'C', '', '[]', '[]', '', '', '', '')"""))
        conn.execute(text("""
            INSERT INTO roadmap_action (id, chantier_id, position, name, context, description, carriers,
                                        cofinancings, needs, start_year, end_year)
            VALUES (1, 1, 0, 'A', '', '', '[]', :c, '[]', 2025, NULL)"""), {"c": cofinancing})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        start, end, cofi, recipients = conn.execute(text(
            "SELECT start_date, end_date, cofinancings, recipients FROM roadmap_action")).one()
        perimeter = conn.execute(text("SELECT perimeter FROM roadmap")).scalar_one()
    assert (start, end, loads(cofi), loads(recipients)) == (
        "2025", None, [{"membre": "CAF", "montant": 5000}], [])
    assert perimeter == "groupementsDeCommunes"
    command.downgrade(config, "0009")
    with engine.connect() as conn:
        start, end, cofi = conn.execute(text(
            "SELECT start_year, end_year, cofinancings FROM roadmap_action")).one()
        perimeter = conn.execute(text("SELECT perimeter FROM roadmap")).scalar_one()
    assert (start, end, loads(cofi), perimeter) == (
        2025, None, [{"coFinanceur": "CAF", "montant": 5000}], "groupements-de-communes")
    command.upgrade(config, "head")
    engine.dispose()


def test_participants_get_random_ids_and_their_names_move_apart(database_url):
    """0012: existing participants get random ids, and every vote, post-it, chantier row and
    resource follows them; names and organisations move to participant_identity (paper ballots'
    labels are not names); tokens stay, so phones already in a workshop stay in it. The
    downgrade gives ids 1, 2, … in order of arrival and puts the names back."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.downgrade(config, "0010")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO facilitator (id, email, name, password_hash, created_at) "
                          "VALUES (1, 'a@b.fr', 'A', 'x', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO workshop (id, title, template_slug, description, join_code, "
                          "board_key, owner_id, current_position, created_at) "
                          "VALUES (1, 'W', 't', '', 'ABCDEF', 'k', 1, 0, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO activity (id, workshop_id, position, kind, title, state, config) "
                          "VALUES (1, 1, 0, 'postits', 'Idées', 'open', '{}')"))
        for pid, name, org, proxy in ((1, 'Léa Roux', 'Mairie', False), (2, '', '', False),
                                      (3, 'Bulletin papier 1', '', True)):
            conn.execute(text("INSERT INTO participant (id, workshop_id, token, display_name, organisation, "
                              "proxy, created_at, connections, last_seen) VALUES (:i, 1, :t, :n, :o, :p, "
                              ":at, 0, :at)"),
                         {"i": pid, "t": f"token-{pid}", "n": name, "o": org, "p": proxy,
                          "at": datetime(2025, 3, pid, 9, 30)})
            conn.execute(text("INSERT INTO vote (activity_id, participant_id, target, axis, value, "
                              "created_at, updated_at) "
                              "VALUES (1, :i, '', '', :i, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                         {"i": pid})
        conn.execute(text("INSERT INTO item (activity_id, participant_id, source, category, text, hidden, "
                          "edited, kept, created_at) VALUES (1, 1, 'participant', '', 'Une idée', "
                          "false, false, false, CURRENT_TIMESTAMP)"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT token, id FROM participant")).all())
        votes = dict(conn.execute(text("SELECT value, participant_id FROM vote")).all())
        author = conn.execute(text("SELECT participant_id FROM item")).scalar_one()
        names = conn.execute(text("SELECT participant_id, display_name, organisation "
                                  "FROM participant_identity")).all()
    assert sorted(ids) == ["token-1", "token-2", "token-3"]
    assert all(i >= 2**32 for i in ids.values()) and len(set(ids.values())) == 3
    assert votes == {1: ids["token-1"], 2: ids["token-2"], 3: ids["token-3"]}
    assert author == ids["token-1"]
    assert [tuple(n) for n in names] == [(ids["token-1"], "Léa Roux", "Mairie")]
    command.downgrade(config, "0010")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT token, id, display_name, organisation FROM participant "
                                 "ORDER BY id")).all()
        votes = dict(conn.execute(text("SELECT value, participant_id FROM vote")).all())
    assert [tuple(r) for r in back] == [("token-1", 1, "Léa Roux", "Mairie"), ("token-2", 2, "", ""),
                                        ("token-3", 3, "", "")]
    assert votes == {1: 1, 2: 2, 3: 3}
    command.upgrade(config, "head")
    engine.dispose()
