"""Correcting what extraction got wrong on a claim: source, speaker, dates, kind and span, each audited."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

import claims as claims_lib

from ..audit import record_event
from ..errors import InputError
from ..models import Claim, Source, SourceKind, User, saved_id
from .articles import article_of
from .claim_writes import write_claim
from .sources import source_id_named

KINDS = ("statement", "quantity", "event", "quote", "opinion", "question", "manual")
_ISO_VALUE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _correct(
    *,
    session: Session,
    claim: Claim,
    field: str,
    values: dict,
    before,
    after,
    actor: User | None,
    expected_version: int | None,
) -> Claim:
    """Write one corrected field through the versioned update, with its before/after audit event, and commit."""
    if before == after:
        raise InputError("Nothing changed: the value is the same as before.")
    write_claim(
        session=session,
        claim=claim,
        values=values,
        actor=actor,
        expected_version=expected_version,
        attempted={"field": field},
    )
    record_event(
        session=session,
        actor=actor,
        entity_type="claim",
        entity_id=saved_id(claim),
        action="correct",
        before={"field": field, "value": before, "version": expected_version},
        after={"field": field, "value": after, "version": claim.version},
    )
    session.commit()
    return claim


def _source_name(session: Session, source_id: int | None) -> str | None:
    source = session.get(Source, source_id) if source_id else None
    return source.name if source else None


def correct_source(
    *,
    session: Session,
    claim: Claim,
    source_id: int | None,
    new_name: str = "",
    actor: User | None,
    expected_version: int | None,
) -> Claim:
    """Attribute the claim to a registered source, to a new one (by name), or to the article itself (None)."""
    new_name = " ".join((new_name or "").split())
    if new_name:
        if len(new_name) > 300:
            raise InputError("A source name is limited to 300 characters.")
        # The same lookup as the queue's typed source: a name in another case or an alias is that source, not a new one.
        known = source_id_named(session=session, name=new_name)
        existing = session.get(Source, known) if known is not None else None
        if existing is None:
            existing = Source(name=new_name, kind=SourceKind.other)
            session.add(existing)
            session.flush()
            record_event(
                session=session,
                actor=actor,
                entity_type="source",
                entity_id=saved_id(existing),
                action="create",
                after={"name": new_name, "from_claim": claim.id},
            )
        source_id = existing.id
    elif source_id is not None and session.get(Source, source_id) is None:
        raise InputError("That source is not in the registry; choose one from the list or type a new name.")
    return _correct(
        session=session,
        claim=claim,
        field="source",
        values={"source_id": source_id},
        before=_source_name(session, claim.source_id),
        after=_source_name(session, source_id),
        actor=actor,
        expected_version=expected_version,
    )


def correct_speaker(
    *, session: Session, claim: Claim, speaker: str, actor: User | None, expected_version: int | None
) -> Claim:
    """Name the person quoted (or nobody, when left empty)."""
    named = " ".join((speaker or "").split()) or None
    if named and len(named) > 300:
        raise InputError("A speaker's name is limited to 300 characters.")
    return _correct(
        session=session,
        claim=claim,
        field="speaker",
        values={"speaker": named},
        before=claim.speaker,
        after=named,
        actor=actor,
        expected_version=expected_version,
    )


def correct_kind(
    *, session: Session, claim: Claim, kind: str, actor: User | None, expected_version: int | None
) -> Claim:
    """Say what sort of statement the claim is."""
    if kind not in KINDS:
        raise InputError(f"Kind must be one of: {', '.join(KINDS)}.")
    return _correct(
        session=session,
        claim=claim,
        field="kind",
        values={"kind": kind},
        before=claim.kind,
        after=kind,
        actor=actor,
        expected_version=expected_version,
    )


def parse_date_rows(
    texts: list[str], values: list[str], removed: set[int], offsets: list[tuple[int, int] | None]
) -> list[dict[str, Any]]:
    """Read the dates form: one row per date (text, value), the ones ticked for removal left out, blank rows ignored."""
    dates = []
    for index, (text, value) in enumerate(zip(texts, values)):
        text, value = " ".join((text or "").split()), (value or "").strip()
        if index in removed or (not text and not value):
            continue
        if not text:
            raise InputError("Each date needs the words of the article it stands for.")
        if len(text) > 200:
            raise InputError("A date's words are limited to 200 characters.")
        if value and not _ISO_VALUE.match(value):
            raise InputError(f"“{value[:20]}” is not a date value: write YYYY, YYYY-MM or YYYY-MM-DD.")
        offset = offsets[index] if index < len(offsets) else None
        start, end = offset if offset else (None, None)
        dates.append({"text": text, "start": start, "end": end, "value": value or None})
    return dates


def correct_dates(
    *, session: Session, claim: Claim, dates: list[dict], actor: User | None, expected_version: int | None
) -> Claim:
    """Replace the claim's resolved dates: add, remove, change a value; a new date is found in the claim's span."""
    article = article_of(session, claim)
    for date in dates:
        if date["start"] is None:  # a date added by hand: anchor it to its words inside the claim when they are there
            found = article.text.find(date["text"], claim.start, claim.end)
            if found >= 0:
                date["start"], date["end"] = found, found + len(date["text"])
    simple = lambda items: [(d.get("text"), d.get("value")) for d in items]  # noqa: E731
    return _correct(
        session=session,
        claim=claim,
        field="dates",
        values={"dates": dates},
        before=[{"text": t, "value": v} for t, v in simple(claim.dates)],
        after=[{"text": t, "value": v} for t, v in simple(dates)],
        actor=actor,
        expected_version=expected_version,
    )


def correct_span(
    *, session: Session, claim: Claim, start: int, end: int, actor: User | None, expected_version: int | None
) -> Claim:
    """Move the claim's span to a selection in the article; an unreworded claim takes the new words."""
    article = article_of(session, claim)
    if not (0 <= start < end <= len(article.text)):
        raise InputError("The selection is outside the article's text; select words in the article.")
    while start < end and article.text[start].isspace():
        start += 1
    while end > start and article.text[end - 1].isspace():
        end -= 1
    if start >= end:
        raise InputError("The selection is empty; select some words of the article.")
    if end - start > 5000:
        raise InputError("Select at most 5,000 characters for one claim.")
    quote = article.text[start:end]
    sentence = next((s for s in claims_lib.split_sentences(article.text) if s.start <= start < s.end), None)
    values = {
        "start": start,
        "end": end,
        "quote": quote,
        "sentence_start": min(start, sentence.start) if sentence else start,
        "sentence_end": max(end, sentence.end) if sentence else end,
    }
    if claim.text == " ".join(claim.quote.split()):  # not reworded: the wording follows the span
        values["text"] = " ".join(quote.split())
    return _correct(
        session=session,
        claim=claim,
        field="span",
        values=values,
        before={"start": claim.start, "end": claim.end, "quote": claim.quote},
        after={"start": start, "end": end, "quote": quote},
        actor=actor,
        expected_version=expected_version,
    )
