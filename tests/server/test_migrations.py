"""The migrations build exactly the schema the models describe (SQLite, and PostgreSQL by URL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from vtconnect_care.server import models
from vtconnect_care.server.db import make_engine, migrate


def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_every_table_is_a_model_in_models_py():
    """Alembic's environment reads models.Base.metadata: a table declared elsewhere (as the
    visit notes' revisions once were, in a service) is invisible to autogenerate."""
    declared = {m.class_.__module__ for m in models.Base.registry.mappers}
    assert declared == {"vtconnect_care.server.models"}
