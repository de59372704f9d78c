"""The source registry as stored in the database, handed to the claims library as data."""

from __future__ import annotations

from claims.sources import SourceRegistry, default_registry
from sqlmodel import Session, select

from ..models import Source, SourceAlias


def source_registry(*, session: Session) -> SourceRegistry:
    """Return the built-in registry extended with the sources and aliases users have stored."""
    rows = session.exec(select(Source.name, Source.kind, SourceAlias.alias)
                        .join(SourceAlias, SourceAlias.source_id == Source.id)).all()
    if not rows:
        return default_registry()
    extra: dict[str, dict] = {}
    for name, kind, alias in rows:
        entry = extra.setdefault(name, {"kind": str(kind), "aliases": []})
        entry["aliases"].append(alias)
    return default_registry().extended(extra)
