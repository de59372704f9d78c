"""Checked before: ClaimReview import, `workbench similar`, matches proposed at ingest, reuse and rejection."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from tests.factories import make_article, make_user
from workbench.audit import verify_chain
from workbench.errors import InputError
from workbench.models import AuditEvent, Claim, Evidence, Status, table_of
from workbench.models_matching import ClaimMatch, FactCheck
from workbench.services.claim_edits import add_evidence
from workbench.services.claimreview_import import import_claimreviews, parse_claimreview_text
from workbench.services.matching import (
    PROPOSALS_PER_CLAIM,
    PROPOSE,
    find_similar,
    reject_match,
    rematch_claim,
    reuse_verdict,
    search_desk,
    search_matches,
    search_new_claims,
)
from workbench.services.review import set_status


def review(url: str, claim: str, rating: str = "False", **extra) -> dict:
    """A ClaimReview item as fact-checkers publish it."""
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "alternateName": rating},
        "author": {"@type": "Organization", "name": "Full Fact"},
        "datePublished": "2024-04-02",
        **extra,
    }


BRIDGE = review("https://fullfact.example/bridge", "The harbour bridge repairs cost 38 million euros.")
STRIKE = review("https://fullfact.example/strike", "The transit strike will last eleven days.", "Mostly True")


@pytest.mark.parametrize("shape", ["object", "list", "graph", "jsonl"])
def test_every_claimreview_shape_is_read(shape):
    text = {
        "object": json.dumps(BRIDGE),
        "list": json.dumps([BRIDGE, STRIKE]),
        "graph": json.dumps({"@context": "https://schema.org", "@graph": [BRIDGE, STRIKE]}),
        "jsonl": json.dumps(BRIDGE) + "\n\n" + json.dumps(STRIKE) + "\n",
    }[shape]
    items = parse_claimreview_text(text)
    assert [item["url"] for item in items] == [BRIDGE["url"], STRIKE["url"]][: len(items)]
    assert len(items) == (1 if shape == "object" else 2)


def test_import_keeps_fields_and_deduplicates_by_url(db):
    summary = import_claimreviews(session=db, items=[BRIDGE, STRIKE, BRIDGE], actor=None)
    assert (summary.read, summary.added, summary.duplicates) == (3, 2, 1)
    again = import_claimreviews(session=db, items=[STRIKE], actor=None)
    assert (again.added, again.duplicates) == (0, 1)
    stored = db.exec(select(FactCheck).where(FactCheck.url == STRIKE["url"])).one()
    assert (stored.claim_reviewed, stored.rating, stored.publisher, stored.date_published.isoformat()) == (
        STRIKE["claimReviewed"],
        "Mostly True",
        "Full Fact",
        "2024-04-02",
    )
    assert verify_chain(session=db).ok


@pytest.mark.parametrize(
    "bad, message",
    [
        ({**STRIKE, "claimReviewed": ""}, "Item 2 (https://fullfact.example/strike) has no claimReviewed"),
        ({**STRIKE, "url": "javascript:alert(1)"}, "Item 2"),
        ({**STRIKE, "@type": "Article"}, "is not a ClaimReview"),
        ({**STRIKE, "datePublished": "yesterday"}, "datePublished"),
        ("just a string", "Item 2 is not a JSON object"),
    ],
)
def test_a_bad_item_is_named_and_nothing_is_imported(db, bad, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_claimreviews(session=db, items=[BRIDGE, bad], actor=None)
    assert db.exec(select(FactCheck)).all() == []


def test_cli_imports_and_matches_single_and_batch(runner, tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps(BRIDGE) + "\n" + json.dumps(STRIKE) + "\n", encoding="utf-8")
    imported = runner.invoke(args=["import-claimreview", str(path)])
    assert imported.exit_code == 0 and "2 reviews imported" in imported.output
    single = runner.invoke(args=["similar", "Strike to last 11 days", "--json"])
    assert single.exit_code == 0, single.output
    results = json.loads(single.output)
    assert results[0]["kind"] == "review" and results[0]["url"] == STRIKE["url"]
    assert results[0]["verdict"] == "Mostly True" and results[0]["publisher"] == "Full Fact"
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\tBridge repairs cost 38m euros\nq2\tThe strike lasts eleven days\nq3\t \n", encoding="utf-8")
    batch = runner.invoke(args=["similar", "--queries", str(queries), "--json"])
    answers = json.loads(batch.output)
    assert [a["id"] for a in answers] == ["q1", "q2", "q3"] and answers[2]["results"] == []
    assert answers[0]["results"][0]["url"] == BRIDGE["url"] and answers[1]["results"][0]["url"] == STRIKE["url"]
    table = runner.invoke(args=["similar", "bridge repairs"])
    assert table.exit_code == 0 and BRIDGE["url"] in table.output


def test_cli_reports_a_bad_file_without_importing(runner, tmp_path, db):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([BRIDGE, {**STRIKE, "claimReviewed": None}]), encoding="utf-8")
    result = runner.invoke(args=["import-claimreview", str(path)])
    assert result.exit_code != 0 and "Item 2" in result.output and "Nothing was imported" in result.output
    assert db.exec(select(FactCheck)).all() == []
    assert runner.invoke(args=["similar"]).exit_code != 0


def _verdict(db, claim, status=Status.false, rationale="The council's accounts say 12 million."):
    actor = make_user(db)
    add_evidence(
        session=db,
        claim=claim,
        url="https://council.example/accounts",
        stance="refutes",
        note="Annual accounts",
        actor=actor,
    )
    return set_status(session=db, claim=claim, status=status, rationale=rationale, actor=actor, expected_version=None)


def test_a_final_verdict_is_matchable_at_once_and_a_reopened_one_is_not(db):
    first = make_article(db).article
    cost = db.exec(select(Claim).where(Claim.article_id == first.id, Claim.text.contains("38 million"))).one()
    assert find_similar(session=db, text="Repairs cost 38 million euros") == []
    _verdict(db, cost)
    found = find_similar(session=db, text="The bridge repairs cost thirty-eight million euros")
    assert found[0].kind == "claim" and found[0].id == cost.id and found[0].verdict == "false"
    set_status(session=db, claim=cost, status=Status.in_progress, rationale="", actor=None, expected_version=None)
    assert find_similar(session=db, text="Repairs cost 38 million euros") == []


def test_ingest_proposes_matches_and_decisions_are_remembered(db):
    import_claimreviews(session=db, items=[BRIDGE], actor=None)
    first = make_article(db).article
    cost = db.exec(select(Claim).where(Claim.article_id == first.id, Claim.text.contains("38 million"))).one()
    _verdict(db, cost)
    second = make_article(
        db,
        text="Bridge Costs\n\nThe harbour bridge repairs cost 38 million euros, the "
        "transport agency said on Tuesday.\n",
    ).article
    claim = db.exec(select(Claim).where(Claim.article_id == second.id)).first()
    proposed = db.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim.id)).all()
    assert {(m.kind, m.target_id) for m in proposed} >= {("claim", cost.id)}
    assert any(m.kind == "review" for m in proposed)

    earlier = next(m for m in proposed if m.kind == "claim")
    reject_match(session=db, claim=claim, match_id=earlier.id, actor=None)
    rematch_claim(session=db, claim=claim)
    again = db.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim.id, ClaimMatch.kind == "claim")).all()
    assert [m.state for m in again] == ["rejected"]
    with pytest.raises(InputError, match="not the same claim"):
        reuse_verdict(session=db, claim=claim, match_id=earlier.id, actor=None)


def test_reusing_a_verdict_copies_rationale_and_evidence_with_a_reference(db):
    first = make_article(db).article
    cost = db.exec(select(Claim).where(Claim.article_id == first.id, Claim.text.contains("38 million"))).one()
    _verdict(db, cost)
    second = make_article(
        db,
        text="Bridge Costs\n\nThe harbour bridge repairs cost 38 million euros, the "
        "transport agency said on Tuesday.\n",
    ).article
    claim = db.exec(select(Claim).where(Claim.article_id == second.id)).first()
    match = db.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim.id, ClaimMatch.kind == "claim")).one()
    checker = make_user(db)
    reused = reuse_verdict(session=db, claim=claim, match_id=match.id, actor=checker)
    assert reused.status == Status.false
    assert "12 million" in reused.rationale and f"claim #{cost.id}" in reused.rationale
    copied = db.exec(select(Evidence).where(Evidence.claim_id == claim.id)).one()
    assert copied.url == "https://council.example/accounts" and f"claim #{cost.id}" in copied.note
    assert db.get(ClaimMatch, match.id).state == "reused"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "verdict_reused")).one()
    assert event.entity_id == claim.id and event.actor == checker.email
    assert verify_chain(session=db).ok


def test_reusing_a_review_maps_its_rating_and_links_it(db):
    import_claimreviews(session=db, items=[BRIDGE], actor=None)
    article = make_article(db).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id, Claim.text.contains("38 million"))).one()
    match = db.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim.id, ClaimMatch.kind == "review")).one()
    reused = reuse_verdict(session=db, claim=claim, match_id=match.id, actor=None)
    assert reused.status == Status.false and BRIDGE["url"] in reused.rationale and "Full Fact" in reused.rationale
    assert db.exec(select(Evidence.url).where(Evidence.claim_id == claim.id)).all() == [BRIDGE["url"]]


TWO_CLAIMS = (
    "Bridge Costs\n\nThe harbour bridge repairs cost 38 million euros, the transport agency said on Tuesday.\n\n"
    "The transit strike will last eleven days, the union said.\n"
)


def test_ingest_stores_what_a_search_claim_by_claim_proposes(db):
    import_claimreviews(session=db, items=[BRIDGE, STRIKE], actor=None)
    first = make_article(db).article
    _verdict(db, db.exec(select(Claim).where(Claim.article_id == first.id, Claim.text.contains("38 million"))).one())
    article = make_article(db, text=TWO_CLAIMS).article
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(col(Claim.id))).all()
    stored = db.exec(select(ClaimMatch).where(col(ClaimMatch.claim_id).in_([c.id for c in claims]))).all()
    # The new claims are open, so the index of final verdicts is as it was at ingest: searched now, one claim at a
    # time leaving itself out (as propose_matches does on its own), it must propose exactly what was stored.
    found = search_matches(
        session=db,
        texts=[(c.text, frozenset({("claim", c.id)})) for c in claims],
        limit=PROPOSALS_PER_CLAIM,
        strongest=True,
    )
    expected = {
        (c.id, *m.key, round(m.strength, 4))
        for c, matches in zip(claims, found)
        for m in matches
        if m.strength >= PROPOSE
    }
    assert {(m.claim_id, m.kind, m.target_id, m.score) for m in stored} == expected
    assert {kind for _, kind, _, _ in expected} == {"claim", "review"}


def test_one_pass_over_new_claims_finds_what_each_search_finds_alone(db):
    import_claimreviews(session=db, items=[BRIDGE, STRIKE], actor=None)
    first = make_article(db).article
    make_article(db, text=TWO_CLAIMS)
    _verdict(db, db.exec(select(Claim).where(Claim.article_id == first.id, Claim.text.contains("38 million"))).one())
    texts = ["Repairs to the harbour bridge cost 38 million euros.", "The strike lasts 11 days.", "Nothing alike here."]
    found = search_new_claims(session=db, texts=texts)
    assert found.desk == search_desk(session=db, texts=[(t, frozenset()) for t in texts], limit=1)
    unstored = [(t, frozenset({("claim", 10**9 + n)})) for n, t in enumerate(texts)]
    assert found.checked == search_matches(session=db, texts=unstored, limit=PROPOSALS_PER_CLAIM, strongest=True)
    assert found.desk[0] and found.checked[0] and found.checked[1]


def test_a_claim_changed_within_the_same_instant_is_read_again(db):
    first = make_article(db).article
    cost = db.exec(select(Claim).where(Claim.article_id == first.id, Claim.text.contains("38 million"))).one()
    assert find_similar(session=db, text="Repairs cost 38 million euros") == []  # the index has read the claim
    # A final verdict written without moving updated_at: the row is at the last instant read, and it changed.
    db.execute(update(table_of(Claim)).where(table_of(Claim).c.id == cost.id).values(status=Status.false.value))
    db.commit()
    found = find_similar(session=db, text="Repairs cost 38 million euros")
    assert [(r.kind, r.id) for r in found[:1]] == [("claim", cost.id)]
