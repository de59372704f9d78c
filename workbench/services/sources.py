"""The source registry as stored in the database, handed to the claims library as data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from claims.sources import SourceRegistry, default_registry

from ..audit import EventSpec, record_event, record_events
from ..db import LIKE_ESCAPE, like_pattern
from ..errors import InputError
from ..models import Article, Claim, Source, SourceAlias, SourceKind, Status, User, saved_id
from .claim_writes import write_claim


def source_registry(*, session: Session) -> SourceRegistry:
    """Return the built-in registry extended with the sources and aliases users have stored."""
    rows = session.exec(
        select(col(Source.name), col(Source.kind), col(SourceAlias.alias)).join(
            SourceAlias, col(SourceAlias.source_id) == col(Source.id)
        )
    ).all()
    if not rows:
        return default_registry()
    extra: dict[str, dict] = {}
    for name, kind, alias in rows:
        entry = extra.setdefault(name, {"kind": str(kind), "aliases": []})
        entry["aliases"].append(alias)
    return default_registry().extended(extra)


@dataclass(frozen=True)
class SourceRow:
    """A source with how many claims it has and how many were judged false or misleading."""

    source: Source
    aliases: int
    claims: int
    flagged: int


SUGGESTIONS = 20


def suggest_source_names(*, session: Session, text: str, limit: int = SUGGESTIONS) -> list[str]:
    """Source names for a type-ahead: those whose name or an alias contains the text, names starting with it first.

    With no text, the first names in alphabetical order (any case): a list to start from, not the whole registry.
    """
    text = " ".join(text.split())[:100]
    if not text:
        return list(session.exec(select(Source.name).order_by(func.lower(Source.name), col(Source.name)).limit(limit)))
    anywhere, start = like_pattern(text), like_pattern(text, at_start=True)
    by_alias = select(SourceAlias.source_id).where(col(SourceAlias.alias).ilike(anywhere, escape=LIKE_ESCAPE))
    starts = case((col(Source.name).ilike(start, escape=LIKE_ESCAPE), 0), else_=1)
    query = (
        select(Source.name)
        .where(col(Source.name).ilike(anywhere, escape=LIKE_ESCAPE) | col(Source.id).in_(by_alias))
        .order_by(starts, func.lower(Source.name), col(Source.name))
        .limit(limit)
    )
    return list(session.exec(query))


def source_id_named(*, session: Session, name: str) -> int | None:
    """The id of the source with this name or alias (any case), or None."""
    name = " ".join(name.split())
    if not name:
        return None
    found = session.exec(select(Source.id).where(func.lower(Source.name) == name.lower())).first()
    if found is None:
        found = session.exec(select(SourceAlias.source_id).where(func.lower(SourceAlias.alias) == name.lower())).first()
    return found


def list_sources(*, session: Session, q: str = "", limit: int = 500) -> list[SourceRow]:
    """Return sources with their claim counts, most-cited first."""
    flagged = func.sum(case((col(Claim.status).in_([Status.false.value, Status.misleading.value]), 1), else_=0))
    aliases = select(func.count()).where(SourceAlias.source_id == Source.id).scalar_subquery()
    query = (
        select(Source, aliases, func.count(col(Claim.id)), func.coalesce(flagged, 0))
        .join(Claim, col(Claim.source_id) == col(Source.id), isouter=True)
        .group_by(col(Source.id))
    )
    if q:
        query = query.where(col(Source.name).ilike(f"%{q}%"))
    rows = session.exec(query.order_by(func.count(col(Claim.id)).desc(), col(Source.name)).limit(limit))
    return [SourceRow(source, n_aliases, n_claims, int(n_flagged)) for source, n_aliases, n_claims, n_flagged in rows]


def source_record(*, session: Session, source_id: int) -> dict | None:
    """Return a source, its aliases, its claims counted by status and its latest claims."""
    source = session.get(Source, source_id)
    if source is None:
        return None
    by_status = dict(
        session.exec(
            select(Claim.status, func.count()).where(Claim.source_id == source_id).group_by(Claim.status)
        ).all()
    )
    latest = session.exec(
        select(Claim, Article.title)
        .join(Article, col(Article.id) == col(Claim.article_id))
        .where(Claim.source_id == source_id)
        .order_by(col(Claim.id).desc())
        .limit(20)
    ).all()
    return {
        "source": source,
        "aliases": list(
            session.exec(select(SourceAlias).where(SourceAlias.source_id == source_id).order_by(SourceAlias.alias))
        ),
        "by_status": [(s.value, by_status.get(s, 0)) for s in Status],
        "latest": latest,
        "others": session.exec(
            select(Source.id, Source.name).where(Source.id != source_id).order_by(Source.name).limit(1000)
        ).all(),
    }


def _snapshot(source: Source) -> dict:
    return {"name": source.name, "kind": str(source.kind), "domain": source.domain, "notes": source.notes}


def _checked_name_and_kind(*, session: Session, name: str, kind: str, source_id: int | None) -> str:
    """Return the name with its spaces tidied, or raise InputError: a name, a known kind, no other source so called."""
    name = " ".join((name or "").split())
    if not name:
        raise InputError("A source needs a name.")
    if len(name) > 300:
        raise InputError("A source name is limited to 300 characters.")
    if kind not in SourceKind.__members__:
        raise InputError(f"Kind must be one of: {', '.join(SourceKind.__members__)}.")
    clash = session.exec(select(Source.id).where(Source.name == name, Source.id != (source_id or -1))).first()
    if clash:
        raise InputError(f"Another source is already called “{name}”; merge the two instead.")
    return name


def create_source(
    *, session: Session, name: str, kind: str, domain: str = "", notes: str = "", actor: User | None
) -> Source:
    """Register a source by hand (before any article cites it), audited."""
    name = _checked_name_and_kind(session=session, name=name, kind=kind, source_id=None)
    source = Source(
        name=name, kind=SourceKind(kind), domain=(domain or "").strip() or None, notes=(notes or "").strip()
    )
    session.add(source)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        entity_type="source",
        entity_id=saved_id(source),
        action="create",
        after=_snapshot(source),
    )
    session.commit()
    return source


def update_source(
    *, session: Session, source: Source, name: str, kind: str, domain: str, notes: str, actor: User | None
) -> Source:
    """Edit a source's canonical name, kind, domain and notes."""
    name = _checked_name_and_kind(session=session, name=name, kind=kind, source_id=source.id)
    before = _snapshot(source)
    source.name, source.kind, source.domain, source.notes = (
        name,
        SourceKind(kind),
        (domain or "").strip() or None,
        (notes or "").strip(),
    )
    session.add(source)
    record_event(
        session=session,
        actor=actor,
        entity_type="source",
        entity_id=saved_id(source),
        action="edit",
        before=before,
        after=_snapshot(source),
    )
    session.commit()
    return source


def add_alias(*, session: Session, source: Source, alias: str, actor: User | None) -> SourceAlias:
    """Add a name under which the source appears in text; extraction uses it from the next ingest on."""
    alias = " ".join((alias or "").split())
    if not alias:
        raise InputError("The alias is empty.")
    taken = session.exec(select(SourceAlias).where(SourceAlias.alias == alias)).first()
    if taken:
        raise InputError(f"“{alias}” is already an alias of another source.")
    row = SourceAlias(source_id=saved_id(source), alias=alias)
    session.add(row)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        entity_type="source",
        entity_id=saved_id(source),
        action="alias_add",
        after={"alias": alias},
    )
    session.commit()
    return row


def remove_alias(*, session: Session, source: Source, alias_id: int, actor: User | None) -> None:
    """Remove one alias of a source."""
    row = session.get(SourceAlias, alias_id)
    if row is None or row.source_id != source.id:
        raise InputError("That alias does not belong to this source.")
    session.delete(row)
    record_event(
        session=session,
        actor=actor,
        entity_type="source",
        entity_id=source.id,
        action="alias_remove",
        before={"alias": row.alias},
    )
    session.commit()


def merge_sources(*, session: Session, source: Source, into: Source, actor: User | None) -> int:
    """Merge a source into another: its claims and aliases move, and its name becomes an alias."""
    if source.id == into.id:
        raise InputError("Choose a different source to merge into.")
    claims = list(session.exec(select(Claim).where(col(Claim.source_id) == source.id).order_by(col(Claim.id))))
    for claim in claims:  # each through the one versioned update, so a concurrent edit of one is not lost
        write_claim(session=session, claim=claim, values={"source_id": into.id}, actor=actor)
    claim_ids = [saved_id(claim) for claim in claims]
    session.execute(update(SourceAlias).where(col(SourceAlias.source_id) == source.id).values(source_id=into.id))
    if not session.exec(select(SourceAlias).where(SourceAlias.alias == source.name)).first():
        session.add(SourceAlias(source_id=saved_id(into), alias=source.name))
    merged = _snapshot(source)
    session.flush()
    session.delete(source)
    events: list[EventSpec] = [
        ("source", saved_id(into), "merge", {"merged": merged, "merged_id": source.id, "claims": len(claim_ids)})
    ]
    events += [("claim", claim_id, "source", {"source_id": into.id, "was": source.id}) for claim_id in claim_ids]
    record_events(session=session, actor=actor, events=events)
    session.commit()
    return len(claim_ids)
