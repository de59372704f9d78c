"""No lost update: 8 clients at once, each on its own database connection, over every kind of claim edit.

Each round starts 8 requests together (a barrier) against one claim at the version all of them saw. Every
request must land or get a 409; the claim's version must have moved once per accepted request; and the row
must equal the state the last accepted change recorded in the audit chain.
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlmodel import func, select

from tests.conftest import csrf_token, login
from tests.factories import make_article, make_user
from workbench.models import AuditEvent, Claim, Role

CLIENTS = 8
TEXT = "Ministry Figures\n\n" + "".join(
    f"The ministry said on Monday that {n * 1000} households in district {n} lost power for {n + 2} hours, "
    f"and the regional grid operator said repairs cost {n * 3} million euros.\n\n"
    for n in range(1, 9)
)


@pytest.fixture
def desk(app, db):
    """An article with claims to fight over, and 8 signed-in clients (one of them an editor)."""
    author = make_user(db, Role.checker)
    result = make_article(db, actor=author, text=TEXT, title="Ministry figures")
    clients = []
    for number in range(CLIENTS):
        user = make_user(db, Role.editor if number == 0 else Role.checker)
        client = app.test_client()
        login(client, user.email)
        clients.append((client, csrf_token(client), user))
    return {"article": result.article, "clients": clients}


def _claims(db, article_id):
    db.expire_all()
    return list(db.exec(select(Claim).where(Claim.article_id == article_id).order_by(Claim.start)))


def _race(desk, requests):
    """Send requests[i] = (path, data) from client i, all released at once; return the status codes."""
    barrier = threading.Barrier(len(requests))
    codes: list[int | None] = [None] * len(requests)

    def run(index, path, data):
        client, token, _ = desk["clients"][index]
        barrier.wait()
        response = client.post(
            path, data={"csrf_token": token, **data}, headers={"HX-Request": "true", "HX-Target": "claim-panel"}
        )
        codes[index] = response.status_code

    threads = [threading.Thread(target=run, args=(i, path, data)) for i, (path, data) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return codes


def _accepted(codes) -> int:
    assert all(code in {200, 303, 409} for code in codes), codes
    return sum(code != 409 for code in codes)


def _assert_row_is_last_accepted_change(db, claim_id):
    """The row equals the state written by the last audit event about it that carries a state."""
    db.expire_all()
    claim = db.get(Claim, claim_id)
    events = db.exec(
        select(AuditEvent).where(AuditEvent.entity_type.in_(["claim", "evidence"])).order_by(AuditEvent.seq.desc())
    ).all()
    for event in events:
        after = json.loads(event.after)
        if event.entity_type == "evidence":  # evidence is a change to its claim too, and says which version it made
            if after.get("claim_id") == claim_id:
                state = {"version": after["claim_version"]}
                break
            continue
        state = after.get("after", after)
        if event.entity_id == claim_id and "version" in state:
            break
    else:
        raise AssertionError("no event recorded the claim's state")
    for key, value in state.items():
        if key in {"version", "text", "status", "rationale", "start", "end", "quote", "assignee_id", "speaker"}:
            assert str(getattr(claim, key)) == str(value), (key, getattr(claim, key), value)
    return claim


def _edit(kind: str, claim: Claim, number: int) -> tuple[str, dict]:
    v = {"version": claim.version}
    return {
        "status": (f"/claims/{claim.id}/status", {"status": "in_progress", **v}),
        "verdict": (f"/claims/{claim.id}/status", {"status": "not_checkable", "rationale": f"Opinion, {number}", **v}),
        "reword": (f"/claims/{claim.id}/text", {"text": f"Reworded by client {number}", **v}),
        "split": (f"/claims/{claim.id}/split", {"at": str(10 + number), **v}),
        "merge": (f"/claims/{claim.id}/merge", {"direction": "next", **v}),
        "assign": (f"/claims/{claim.id}/assign", {"assignee": "me", **v}),
        "evidence": (
            f"/claims/{claim.id}/evidence",
            {"url": f"https://stats.example/{number}", "stance": "supports", **v},
        ),
        "bulk": ("/claims/bulk", {"ids": str(claim.id), "action": "status", "status": "in_progress"}),
        "dismiss": (f"/claims/{claim.id}/dismiss", {"reason": f"Page furniture, {number}", **v}),
        "source": (f"/claims/{claim.id}/correct", {"field": "source", "new_source": f"Agency {number}", **v}),
        "dates": (
            f"/claims/{claim.id}/correct",
            {"field": "dates", "date_text": "on Monday", "date_value": f"2024-05-0{number % 9 + 1}", **v},
        ),
        "span": (
            f"/claims/{claim.id}/correct",
            {"field": "span", "start": str(claim.start + number + 1), "end": str(claim.end), **v},
        ),
    }[kind]


KINDS = ["status", "verdict", "reword", "split", "merge", "assign", "evidence", "bulk"]


@pytest.mark.parametrize(
    "kinds",
    [
        KINDS,  # every kind of edit at once
        ["reword", "split"] * 4,  # reword vs split: the reword used to be lost
        ["split"] * 8,  # two splits used to give two claims with one span
        ["bulk", "status"] * 4,  # bulk vs single status used to both write version 2
        ["verdict"] * 8,
        ["reword"] * 8,
        ["assign"] * 8,
        ["evidence"] * 8,
        ["merge"] * 8,
        ["dismiss", "source", "dates", "span"] * 2,  # corrections and dismissal against each other
    ],
    ids=[
        "all-kinds",
        "reword-vs-split",
        "split-vs-split",
        "bulk-vs-status",
        "verdicts",
        "rewords",
        "assigns",
        "evidence",
        "merges",
        "corrections",
    ],
)
def test_eight_clients_on_one_claim_lose_nothing(desk, db, kinds):
    article_id = desk["article"].id
    claims = _claims(db, article_id)
    target = claims[0]
    start_version, start_count = target.version, len(claims)
    evidence_before = db.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "evidence")
    ).one()

    codes = _race(desk, [_edit(kind, target, number) for number, kind in enumerate(kinds)])
    accepted = _accepted(codes)
    outcome = list(zip(kinds, codes))
    versioned = [code for kind, code in outcome if kind != "bulk"]

    # All versioned requests saw the same version: at most one of them lands (exactly one unless a bulk change,
    # which works on the version it reads, landed first); something always lands.
    assert sum(code != 409 for code in versioned) == 1 or ("bulk" in kinds and sum(c != 409 for c in versioned) == 0)
    assert accepted >= 1, outcome
    claim = _assert_row_is_last_accepted_change(db, target.id)
    assert claim.version == start_version + accepted, (claim.version, start_version, codes)
    after = _claims(db, article_id)
    split_won = any(kind == "split" and code == 200 for kind, code in zip(kinds, codes))
    merge_won = any(kind == "merge" and code != 409 for kind, code in zip(kinds, codes))
    assert len(after) == start_count + split_won - merge_won
    assert len({(c.start, c.end) for c in after}) == len(after), "two claims share one span"
    evidence_events = (
        db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "evidence")).one()
        - evidence_before
    )
    assert evidence_events == sum(kind == "evidence" and code == 200 for kind, code in zip(kinds, codes))
    if "reword" in kinds and any(k == "reword" and c == 200 for k, c in zip(kinds, codes)):
        assert claim.text.startswith("Reworded by client")


def test_rewording_a_claim_while_it_is_merged_away_is_a_409_not_a_500(desk, db):
    article_id = desk["article"].id
    first, second = _claims(db, article_id)[:2]
    first_id, second_id = first.id, second.id
    merge = _edit("merge", first, 0)
    merge[1]["other_version"] = second.version  # the merging checker saw the neighbour at this version
    requests = [merge if n % 2 == 0 else _edit("reword", second, n) for n in range(CLIENTS)]
    codes = _race(desk, requests)
    _accepted(codes)
    merges, rewords = codes[0::2], codes[1::2]
    assert sum(c != 409 for c in merges) <= 1 and sum(c != 409 for c in rewords) <= 1
    assert sum(c != 409 for c in codes) == 1, codes  # one wins; the other side saw a version that no longer holds
    db.expunge_all()
    gone = db.get(Claim, second_id) is None
    assert gone == any(c != 409 for c in merges)
    if not gone:
        assert db.get(Claim, second_id).text.startswith("Reworded by client")
        _assert_row_is_last_accepted_change(db, second_id)
    else:
        _assert_row_is_last_accepted_change(db, first_id)


def test_sequential_rounds_end_with_the_last_accepted_change(desk, db):
    """Ten rounds of mixed edits: after every round the row is the last accepted change, and versions never repeat."""
    article_id = desk["article"].id
    claim_id = _claims(db, article_id)[-1].id
    seen_versions = set()
    for round_number in range(10):
        claim = db.get(Claim, claim_id)
        db.refresh(claim)
        kinds = ["reword", "verdict", "status", "assign"] * 2
        codes = _race(desk, [_edit(kind, claim, round_number * 10 + n) for n, kind in enumerate(kinds)])
        assert _accepted(codes) == 1, codes
        current = _assert_row_is_last_accepted_change(db, claim_id)
        assert current.version not in seen_versions
        seen_versions.add(current.version)
