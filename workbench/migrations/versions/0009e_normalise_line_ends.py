"""Normalise stored articles' line ends to \\n and move their claims' offsets with them

Pasted articles were stored with \\r\\n while browsers count \\n, so a selection drifted by one character per
line before it. Every offset after a removed \\r moves back by the number of \\r\\n pairs before it.

Revision ID: 0009e
Revises: 0008e
Create Date: 2026-11-30
"""

import bisect
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0009e"
down_revision = "0008e"
branch_labels = None
depends_on = None


def _shift(pairs: list[int], offset: int | None) -> int | None:
    """The new offset: the old one minus the \\r of each \\r\\n pair that starts before it."""
    return None if offset is None else offset - bisect.bisect_left(pairs, offset)


def upgrade() -> None:
    connection = op.get_bind()
    has_cr = "instr(text, char(13)) > 0" if connection.dialect.name == "sqlite" else "position(chr(13) in text) > 0"
    articles = connection.execute(sa.text(f"SELECT id, text FROM article WHERE {has_cr}")).fetchall()
    for article_id, text in articles:
        pairs = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
        normal = text.replace("\r\n", "\n").replace("\r", "\n")
        digest = hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()
        clash = connection.execute(sa.text("SELECT id FROM article WHERE content_hash = :h AND id != :id"),
                                   {"h": digest, "id": article_id}).first()
        connection.execute(sa.text("UPDATE article SET text = :text, content_hash = :hash WHERE id = :id"),
                           {"text": normal, "hash": digest if clash is None else hashlib.sha256(
                               text.encode("utf-8", "surrogatepass")).hexdigest(), "id": article_id})
        claims = connection.execute(sa.text(
            "SELECT id, start, \"end\", sentence_start, sentence_end, dates FROM claim WHERE article_id = :id"),
            {"id": article_id}).fetchall()
        as_json = ":d" if connection.dialect.name == "sqlite" else "CAST(:d AS json)"
        for claim_id, start, end, sentence_start, sentence_end, dates in claims:
            dates = json.loads(dates) if isinstance(dates, str) else (dates or [])
            for date in dates:
                date["start"], date["end"] = _shift(pairs, date.get("start")), _shift(pairs, date.get("end"))
            new_start, new_end = _shift(pairs, start), _shift(pairs, end)
            connection.execute(sa.text(
                "UPDATE claim SET start = :s, \"end\" = :e, sentence_start = :ss, sentence_end = :se, quote = :q, "
                f"dates = {as_json} WHERE id = :id"),
                {"s": new_start, "e": new_end, "ss": _shift(pairs, sentence_start), "se": _shift(pairs, sentence_end),
                 "q": normal[new_start:new_end], "d": json.dumps(dates), "id": claim_id})


def downgrade() -> None:
    """Nothing to undo: \\n line ends are what every article should have had."""
