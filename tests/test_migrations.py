"""The migrations build the schema on both databases, and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect


def test_migrations_reach_head(app, db):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(script.get_heads())
    assert len(script.get_heads()) == 1, "the migrations must have exactly one head"


def test_models_and_migrations_agree(app, db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run flask db migrate: {diff}"


def test_every_model_table_exists(app, db):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
