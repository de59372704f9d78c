"""Synthetic data for load tests: realistic articles, claims, sources, checkers and history, inserted in bulk."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine
from sqlmodel import col
from werkzeug.security import generate_password_hash

from ..audit import CHAIN_LOCK_KEY, GENESIS_HASH, audit_key, canonical_json, event_hash
from ..models import Article, AuditEvent, Claim, Source, SourceKind, User, utcnow

SOURCES = [
    ("Reuters", "wire"),
    ("Associated Press", "wire"),
    ("Agence France-Presse", "wire"),
    ("BBC", "outlet"),
    ("CNN", "outlet"),
    ("Polish Press Agency", "wire"),
    ("Xinhua", "state_media"),
    ("TASS", "state_media"),
    ("The Guardian", "outlet"),
    ("Bloomberg", "outlet"),
    ("Financial Times", "outlet"),
    ("World Health Organization", "organisation"),
    ("European Commission", "government"),
    ("Eurostat", "government"),
    ("Office for National Statistics", "government"),
]
MINISTRIES = ["Defense", "Health", "Finance", "Interior", "Foreign Affairs", "Energy", "Transport"]
COUNTRIES = ["Polish", "German", "Ukrainian", "French", "Spanish", "Italian", "Lithuanian", "Belarusian", "Chinese"]
PLACES = ["Warsaw", "Gdansk", "Berlin", "Lviv", "Izmail", "Brest", "Madrid", "Seville", "Milan", "Vilnius", "Lyon"]
SUBJECTS = ["troops", "tonnes of grain", "homes", "jobs", "patients", "flights", "migrants", "vehicles", "doses"]
VERBS = ["were moved to", "arrived in", "were reported in", "left", "were counted in", "were registered in"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
STATUS_WEIGHTS = [
    ("unverified", 55),
    ("in_progress", 12),
    ("verified", 12),
    ("mostly_accurate", 5),
    ("misleading", 5),
    ("false", 5),
    ("unverifiable", 3),
    ("not_checkable", 3),
]
BATCH = 5000


def _sentence(rng: random.Random, source: str) -> str:
    number = rng.choice([rng.randint(2, 99), rng.randint(100, 9999), rng.randint(10_000, 900_000)])
    shape = rng.randrange(4)
    what = f"{number:,} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(PLACES)}"
    if shape == 0:
        return f"{what} on {rng.choice(WEEKDAYS)}, {source} said."
    if shape == 1:
        return f"According to {source}, {what} last year."
    if shape == 2:
        return f"{source} reported that {what} in {rng.randint(2015, 2024)}."
    return f"The figure of {number:,} {rng.choice(SUBJECTS)} could be regarded as too high, critics say."


def generate(
    *,
    engine: Engine,
    articles: int,
    claims_per_article: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Insert articles × claims_per_article claims with statuses, sources, checkers and audit history."""
    rng = random.Random(seed)
    now = utcnow()
    password = generate_password_hash("generated-checker")
    with engine.begin() as connection:
        first_user = connection.execute(select(col(User.id)).order_by(col(User.id).desc()).limit(1)).scalar() or 0
        users = [
            {
                "email": f"checker{first_user + i}@generated.example",
                "name": f"Checker {first_user + i}",
                "role": "checker",
                "password_hash": password,
                "active": True,
                "created_at": now,
            }
            for i in range(1, 9)
        ]
        connection.execute(insert(User), users)
        emails: dict[int | None, str] = {
            user_id: email
            for user_id, email in connection.execute(
                select(col(User.id), col(User.email)).where(col(User.email).like("%@generated.example"))
            )
        }
        user_ids = [user_id for user_id in emails if user_id is not None]
        names = [*SOURCES, *((f"{c} Ministry of {m}", "government") for c in COUNTRIES for m in MINISTRIES)]
        existing = set(connection.execute(select(col(Source.name))).scalars())
        new_sources = [
            {"name": n, "kind": SourceKind(k), "notes": "", "created_at": now} for n, k in names if n not in existing
        ]
        if new_sources:
            connection.execute(insert(Source), new_sources)
        sources = list(connection.execute(select(col(Source.id), col(Source.name))))
        last = connection.execute(
            select(col(AuditEvent.seq), col(AuditEvent.hash)).order_by(col(AuditEvent.seq).desc()).limit(1)
        ).first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    statuses, weights = zip(*STATUS_WEIGHTS)
    created = 0
    for batch_start in range(0, articles, max(1, BATCH // max(1, claims_per_article))):
        batch = range(batch_start, min(articles, batch_start + max(1, BATCH // max(1, claims_per_article))))
        article_rows, claim_plans = [], []
        for index in batch:
            published = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
            picked = [rng.choice(sources) for _ in range(claims_per_article)]
            sentences = [_sentence(rng, name) for _, name in picked]
            text = f"Generated report {index}\n\n" + "\n\n".join(sentences) + "\n"
            article_rows.append(
                {
                    "title": f"Generated report {index}",
                    "outlet": "Synthetic Wire",
                    "text": text,
                    "published": published,
                    "language": "en",
                    "ingested_at": now,
                    "content_hash": hashlib.sha256(f"{seed}:{index}:{text}".encode()).hexdigest(),
                }
            )
            claim_plans.append((text, sentences, picked))
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # the chain's lock first, as every claim write takes it
                connection.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
            ids = list(connection.execute(insert(Article).returning(col(Article.id)), article_rows).scalars())
            claim_rows = []
            for article_id, (text, sentences, picked) in zip(ids, claim_plans):
                cursor = text.index("\n\n") + 2
                for sentence, (source_id, _) in zip(sentences, picked):
                    start = text.index(sentence, cursor)
                    cursor = start + len(sentence)
                    status = rng.choices(statuses, weights)[0]
                    claim_rows.append(
                        {
                            "article_id": article_id,
                            "text": sentence,
                            "quote": sentence,
                            "start": start,
                            "end": cursor,
                            "sentence_start": start,
                            "sentence_end": cursor,
                            "source_id": source_id,
                            "kind": "quantity",
                            "checkworthiness": round(rng.random(), 3),
                            "dates": [],
                            "status": status,
                            "rationale": "" if status in {"unverified", "in_progress"} else "Generated verdict.",
                            "assignee_id": rng.choice(user_ids) if rng.random() < 0.6 else None,
                            "version": 1 if status == "unverified" else 2,
                            "created_at": now,
                            "updated_at": now,
                            "verdict_at": now if status not in {"unverified", "in_progress"} else None,
                        }
                    )
                    # a verdict has its author, as a checker's would: the assignee, else a checker in turn
                    row = claim_rows[-1]
                    row["verdict_by_id"] = (
                        (row["assignee_id"] or user_ids[len(claim_rows) % len(user_ids)]) if row["verdict_at"] else None
                    )
            claim_ids = list(
                connection.execute(
                    insert(Claim).returning(col(Claim.id), col(Claim.status), col(Claim.verdict_by_id)), claim_rows
                )
            )
            events: list[dict[str, Any]] = []
            for claim_id, status, author in claim_ids:
                status = getattr(status, "value", status)
                if status == "unverified":
                    continue
                seq += 1
                event: dict[str, Any] = {
                    "seq": seq,
                    "at": now.isoformat(timespec="microseconds"),
                    "actor_id": author,
                    "actor": emails[author] if author else "generator",
                    "entity_type": "claim",
                    "entity_id": claim_id,
                    "action": "status",
                    "before": canonical_json({"status": "unverified"}),
                    "after": canonical_json({"status": status}),
                    "reason": "",
                    "request_id": None,
                    "prev_hash": prev_hash,
                }
                event["hash"] = prev_hash = event_hash(event, audit_key(engine))
                events.append(event)
            if events:
                connection.execute(insert(AuditEvent), events)
        created += len(claim_rows)
        if progress:
            progress(len(batch))
    return {"articles": articles, "claims": created, "checkers": len(user_ids), "sources": len(sources)}
