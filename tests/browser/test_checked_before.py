"""The checked-before panel and the group of duplicates, as a checker sees them on a desktop and on a phone."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import make_article, make_user
from tests.test_desk_groups import FIRST, SECOND
from workbench.models import Claim, Status
from workbench.services.claim_edits import add_evidence
from workbench.services.claimreview_import import import_claimreviews
from workbench.services.review import set_status

pytestmark = pytest.mark.browser

REVIEW = {
    "@type": "ClaimReview",
    "url": "https://fullfact.example/2024/04/harbour-bridge-repairs-did-not-cost-thirty-eight-million",
    "claimReviewed": "The harbour bridge repairs cost 38 million euros.",
    "reviewRating": {"@type": "Rating", "alternateName": "Mostly False"},
    "author": {"@type": "Organization", "name": "Full Fact"},
    "datePublished": "2024-04-02",
}


@pytest.fixture
def grouped(db):
    """A lead and its follower (the same claim in two articles), an earlier verdict and a published review."""
    import_claimreviews(session=db, items=[REVIEW], actor=None)
    checker = make_user(db)
    earlier = make_article(
        db, text="Old Bridge Story\n\nThe harbour bridge repairs cost 38 million euros, the council said in May.\n"
    ).article
    old = db.exec(select(Claim).where(Claim.article_id == earlier.id)).first()
    add_evidence(
        session=db, claim=old, url="https://council.example/accounts", stance="refutes", note="", actor=checker
    )
    set_status(
        session=db,
        claim=old,
        status=Status.false,
        rationale="The council's own accounts put the repairs at 12 million euros.",
        actor=checker,
        expected_version=None,
    )
    lead = db.exec(
        select(Claim).where(Claim.article_id == make_article(db, text=FIRST).article.id, Claim.text.contains("38"))
    ).one()
    make_article(db, text=SECOND)
    return checker, lead


@pytest.mark.parametrize("width, name", [(1280, "desktop"), (390, "phone")])
def test_checked_before_and_group_read_well_and_never_scroll_sideways(
    live_server, browser, grouped, sign_in, screenshot, width, name
):
    checker, lead = grouped
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        sign_in(tab, checker.email)
        tab.goto(f"{live_server}/claims/{lead.id}")
        panel = tab.locator("#checked-before")
        assert panel.locator(".match").count() >= 2
        assert tab.locator("#claim-group .group-member").count() == 2
        # House style, not the browser's: the lists lose their bullets, the verdict reads as a badge.
        assert panel.locator("ol.matches").evaluate("e => getComputedStyle(e).listStyleType") == "none"
        badge = panel.locator(".match-verdict").first
        assert badge.evaluate("e => getComputedStyle(e).borderRadius") != "0px"
        scroll, inner = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        panel.scroll_into_view_if_needed()
        shot = screenshot(tab, f"checked-before-{name}")
        panel.screenshot(path=str(shot.with_name(f"checked-before-panel-{name}.png")))
        tab.locator("#claim-group").screenshot(path=str(shot.with_name(f"checked-before-group-{name}.png")))
        assert scroll <= inner, f"the claim view scrolls sideways at {width} px"
        # The queue marks the lead "+1 same" and the follower as following it.
        tab.goto(f"{live_server}/claims")
        assert tab.locator(f"#c{lead.id} .same-marker").inner_text() == "+1 same"
        assert tab.locator("tr.follower .follows").count() == 1
        scroll, inner = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        screenshot(tab, f"checked-before-queue-{name}")
        assert scroll <= inner
    finally:
        context.close()
