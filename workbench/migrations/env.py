"""Alembic environment: migrations run against the engine the workbench hands over."""

from alembic import context
from sqlmodel import SQLModel

from workbench import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from workbench.db import include_name

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on the engine given in config.attributes (or the URL in the config)."""
    engine = context.config.attributes.get("engine")
    if engine is None:
        from workbench.db import make_engine

        url = context.config.get_main_option("sqlalchemy.url")
        if url is None:
            raise SystemExit("no database: run migrations through `workbench init`")
        engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `workbench init`")
run_migrations_online()
