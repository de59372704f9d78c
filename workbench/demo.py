"""The demo: our own sample articles, demo accounts and a throwaway SQLite database."""

from __future__ import annotations

import json
import secrets
from importlib import resources
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from .models import Article, Claim, Status, User
from .models_matching import FactCheck
from .services.claimreview_import import import_claimreviews, parse_claimreview_text
from .services.html_import import text_from_html
from .services.ingest import ingest_article, parse_published
from .services.review import OPEN
from .services.users import create_user

# Five reviews by a made-up publisher of claims the sample articles repeat in other words ("two billion euros",
# "sixty-eight per cent"), imported before the articles so that ingest finds them: "checked before" on first run.
FACT_CHECKS = "fact-checks.jsonl"
DEMO_ACCOUNTS = [
    ("checker@demo.example", "checker-demo-desk", "checker", "Casey Checker"),
    ("editor@demo.example", "editor-demo-desk", "editor", "Eden Editor"),
    ("admin@demo.example", "admin-demo-desk", "admin", "Ada Admin"),
]


def sample_articles() -> list[dict]:
    """Return our sample articles (text and metadata), shipped inside the package."""
    folder = resources.files("workbench").joinpath("samples")
    articles = []
    for meta_file in sorted((p for p in folder.iterdir() if p.name.endswith(".meta.json")), key=lambda p: p.name):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        text = folder.joinpath(meta["file"]).read_text(encoding="utf-8")
        if meta["file"].endswith(".html"):
            text, page = text_from_html(text)
            meta = {**{k: v for k, v in page.items() if v}, **meta}
        meta["text"] = text
        articles.append(meta)
    return articles


def sample_fact_checks() -> list[dict]:
    """Published fact-checks for the demo to match against: our own made-up ClaimReview records (samples/)."""
    folder = resources.files("workbench").joinpath("samples")
    return parse_claimreview_text(folder.joinpath(FACT_CHECKS).read_text(encoding="utf-8"))


def build_demo_app(instance: Path):
    """Create an app on a SQLite file in the demo folder, with its secret and audit keys kept beside it."""
    from . import create_app
    from .db import get_engine, upgrade_schema

    instance.mkdir(parents=True, exist_ok=True)
    secret_file, audit_key_file = instance / "secret_key", instance / "audit_key"
    for file in (secret_file, audit_key_file):
        if not file.exists():
            file.write_text(secrets.token_hex(32))
    app = create_app(
        {
            "DATABASE_URL": "sqlite:///" + str((instance / "demo.sqlite3").resolve()),
            "SECRET_KEY": secret_file.read_text().strip(),
            "AUDIT_KEY": audit_key_file.read_text().strip(),
            "SESSION_COOKIE_SECURE": False,  # the demo is served over plain http on this machine
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    upgrade_schema(get_engine(app))
    return app


def load_demo(*, session: Session) -> dict:
    """Create the demo accounts, import the sample fact-checks and ingest the sample articles; safe to run again."""
    for email, password, role, name in DEMO_ACCOUNTS:
        if session.exec(select(User).where(User.email == email)).first() is None:
            create_user(session=session, email=email, name=name, role=role, password=password, actor=None)
    actor = session.exec(select(User).where(User.email == DEMO_ACCOUNTS[0][0])).one()
    import_claimreviews(session=session, items=sample_fact_checks(), actor=actor)  # known URLs are skipped
    samples = added = 0
    for sample in sample_articles():
        result = ingest_article(
            session=session,
            text=sample["text"],
            actor=actor,
            published=parse_published(sample.get("published")),
            title=sample.get("title"),
            outlet=sample.get("outlet"),
            url=sample.get("url"),
            section=sample.get("section"),
        )
        samples += 1
        added += not result.duplicate
    return {
        "samples": samples,
        "added": added,
        "counts": database_counts(session=session),
        "accounts": [(email, password, role) for email, password, role, _ in DEMO_ACCOUNTS],
    }


def database_counts(*, session: Session) -> dict[str, int]:
    """Count what the database holds now (not what this run added): articles, claims by where they stand, and
    published fact-checks to match against."""
    articles = session.exec(select(func.count()).select_from(Article)).one()
    by_status = dict(
        session.exec(
            select(Claim.status, func.count()).where(Claim.status != Status.dismissed).group_by(Claim.status)
        ).all()
    )
    open_claims = sum(count for status, count in by_status.items() if status in OPEN)
    return {
        "articles": articles,
        "fact_checks": session.exec(select(func.count()).select_from(FactCheck)).one(),
        "claims": sum(by_status.values()),
        "open": open_claims,
        "verdicts": sum(by_status.values()) - open_claims,
    }
