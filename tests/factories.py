"""Small factories for test data, each going through the same services the app uses."""

from __future__ import annotations

import random
import string

from workbench.models import Role, User
from workbench.services.ingest import ingest_article
from workbench.services.users import create_user

PASSWORD = "correct horse battery"


def make_user(session, role: Role | str = Role.checker, email: str | None = None) -> User:
    """Create a user with the test password."""
    suffix = "".join(random.choices(string.ascii_lowercase, k=6))
    role = Role(role)
    return create_user(
        session=session,
        email=email or f"{role.value}-{suffix}@test.example",
        name=f"{role.value.title()} {suffix}",
        role=role.value,
        password=PASSWORD,
        actor=None,
    )


ARTICLE_TEXT = (
    "Harbour Bridge Reopens\n\n"
    "The harbour bridge reopened on Monday after 14 months of repairs, the city council said in a statement.\n\n"
    "Repairs cost 38 million euros, according to the regional transport agency.\n\n"
    "Some residents think the new toll is too high.\n"
)


def make_article(session, actor: User | None = None, text: str = ARTICLE_TEXT, **fields):
    """Ingest an article through the ingest service and return the result."""
    import datetime as dt

    fields.setdefault("published", dt.date(2024, 5, 8))
    return ingest_article(session=session, text=text, actor=actor, **fields)
