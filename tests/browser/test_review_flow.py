"""In a real browser: the keyboard queue, a verdict, a conflict between two people, selection, bulk change."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import make_article, make_user
from workbench.models import Claim, Evidence, Role, Status


@pytest.fixture
def seeded(db):
    checker = make_user(db, Role.checker, email="casey@test.example")
    editor = make_user(db, Role.editor, email="eden@test.example")
    article = make_article(db, actor=checker).article
    make_article(
        db,
        actor=checker,
        text=(
            "Grain Exports Rise\n\nUkraine exported 4.2 million tonnes of grain in May, the agriculture ministry said.\n\n"
            "Shipments through Izmail rose 12% on the month, according to port data.\n"
        ),
    )
    return {"checker": checker, "editor": editor, "article": article}


def test_keyboard_moves_and_sets_statuses(live_server, page, db, seeded, sign_in, screenshot):
    sign_in(page, seeded["checker"].email)
    page.goto(live_server + "/claims")
    rows = page.locator("tr[data-v]")
    assert rows.count() >= 5
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    first_id = rows.nth(0).get_attribute("id")[1:]
    assert page.locator("tr[data-v].current").get_attribute("id")[1:] == first_id
    page.keyboard.press("2")  # in progress: saves at once, then the cursor moves on
    page.locator(f"#c{first_id}[data-s=in_progress]").wait_for()
    page.wait_for_function(f"() => document.querySelector('tr[data-v].current').id.slice(1) !== '{first_id}'")
    second_id = page.locator("tr[data-v].current").get_attribute("id")[1:]
    page.keyboard.press("8")  # not checkable: a verdict, so it asks for the rationale in the status bar
    rationale = page.locator("#bulk-rationale")
    assert rationale.evaluate("el => el === document.activeElement")
    rationale.fill("An opinion, not a checkable fact.")
    rationale.press("Enter")
    page.locator(f"#c{second_id}[data-s=not_checkable]").wait_for()
    page.wait_for_function(f"() => document.querySelector('tr[data-v].current').id.slice(1) !== '{second_id}'")
    page.keyboard.press("k")
    page.keyboard.press("x")
    page.keyboard.press("a")
    page.locator(f"#c{second_id} td", has_text=seeded["checker"].name).wait_for()
    # The chip takes its colour and icon from the row's status (app.css), the icon as decoration (alt text "").
    chips = {
        row_id: page.locator(f"#c{row_id} td:nth-child(4) > b")
        for row_id in (first_id, second_id, rows.nth(2).get_attribute("id")[1:])
    }
    looks = {
        row_id: chip.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b, '::before').content]")
        for row_id, chip in chips.items()
    }
    assert looks[first_id][0] == "rgb(255, 241, 194)" and looks[first_id][1].startswith('"◐"')  # in progress
    assert looks[second_id][0] == "rgb(230, 230, 230)" and looks[second_id][1].startswith('"–"')  # not checkable
    assert chips[first_id].inner_text().lower() == "in progress"  # the word itself, without the icon
    screenshot(page, "queue-statuses")
    page.keyboard.press("?")
    page.locator("#shortcuts[open] h2").wait_for()  # the list is fetched the first time it is asked for
    screenshot(page, "queue-shortcuts")
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    assert page.locator("#q").evaluate("el => el === document.activeElement")
    db.expire_all()
    assert db.get(Claim, int(first_id)).status == Status.in_progress
    assert db.get(Claim, int(second_id)).status == Status.not_checkable
    assert db.get(Claim, int(second_id)).assignee_id == seeded["checker"].id


def test_search_as_you_type_updates_the_url(live_server, page, seeded, sign_in, screenshot):
    sign_in(page, seeded["checker"].email)
    page.goto(live_server + "/claims")
    page.locator("#q").press_sequentially("izma", delay=30)
    page.wait_for_url("**q=izma**")
    rows = page.locator("tr[data-v]")
    rows.first.wait_for()
    assert rows.count() == 1 and "Izmail" in rows.first.inner_text()
    screenshot(page, "queue-search")
    page.go_back()
    page.wait_for_url(live_server + "/claims")


def test_verdict_with_rationale_and_evidence(live_server, page, db, seeded, sign_in, screenshot):
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    sign_in(page, seeded["checker"].email)
    page.goto(f"{live_server}/claims/{claim.id}")
    page.get_by_label("URL").fill("https://council.example/minutes")
    page.get_by_label("Stance").select_option("supports")
    page.get_by_label("Note", exact=True).fill("Minutes of the council meeting")
    page.get_by_role("button", name="Add evidence").click()
    page.locator(".evidence a", has_text="council.example").wait_for()
    page.get_by_label("New status").select_option("verified")
    page.get_by_label("Rationale").fill("The council minutes record the reopening.")
    page.get_by_role("button", name="Save status").click()
    page.locator("#claim-status .badge.status-verified").wait_for()
    assert "Status: unverified → verified" in page.locator(".history").inner_text()
    screenshot(page, "claim")
    db.expire_all()
    assert db.get(Claim, claim.id).status == Status.verified


def test_two_people_saving_one_claim_get_a_conflict_not_an_overwrite(
    live_server, browser, db, seeded, sign_in, screenshot
):
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    db.add(Evidence(claim_id=claim.id, url="https://example.org/source"))
    db.commit()
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}) for _ in range(2)]
    first, second = (c.new_page() for c in contexts)
    try:
        sign_in(first, seeded["checker"].email)
        sign_in(second, seeded["editor"].email)
        for tab in (first, second):
            tab.goto(f"{live_server}/claims/{claim.id}")
        first.get_by_label("New status").select_option("false")
        first.get_by_label("Rationale").fill("The bridge is still closed.")
        first.get_by_role("button", name="Save status").click()
        first.locator("#claim-status .badge.status-false").wait_for()

        second.get_by_label("New status").select_option("verified")
        second.get_by_label("Rationale").fill("It reopened.")
        second.get_by_role("button", name="Save status").click()
        conflict = second.locator(".conflict")
        conflict.wait_for()
        assert "Someone else saved this claim first" in conflict.inner_text()
        assert "The bridge is still closed." in conflict.inner_text() and "It reopened." in conflict.inner_text()
        screenshot(second, "conflict")
        db.expire_all()
        assert db.get(Claim, claim.id).status == Status.false
        second.get_by_role("button", name="Apply my change on top").click()
        second.locator("#claim-status .badge.status-verified").wait_for()
        db.expire_all()
        assert db.get(Claim, claim.id).status == Status.verified
    finally:
        for context in contexts:
            context.close()


def test_selecting_text_creates_a_claim(live_server, page, db, seeded, sign_in, screenshot):
    article = seeded["article"]
    sign_in(page, seeded["checker"].email)
    page.goto(f"{live_server}/articles/{article.id}")
    text = page.locator("#article-text")
    assert text.evaluate("el => el.textContent") == article.text
    phrase = "38 million euros"
    start = article.text.index(phrase)
    text.evaluate(
        """(el, [start, end]) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let node, seen = 0, range = document.createRange(), begun = false;
        while ((node = walker.nextNode())) {
            const next = seen + node.length;
            if (!begun && start < next) { range.setStart(node, start - seen); begun = true; }
            if (begun && end <= next) { range.setEnd(node, end - seen); break; }
            seen = next;
        }
        const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
    }""",
        [start, start + len(phrase)],
    )
    button = page.get_by_role("button", name="Make the selection a claim")
    button.wait_for()
    screenshot(page, "article-selection")
    button.click()
    page.locator("#article-claims").get_by_role("link", name=phrase, exact=True).wait_for()
    db.expire_all()
    claim = db.exec(select(Claim).where(Claim.kind == "manual")).one()
    assert (claim.start, claim.end, claim.quote) == (start, start + len(phrase), phrase)
    screenshot(page, "article")


def test_bulk_status_change(live_server, page, db, seeded, sign_in, screenshot):
    sign_in(page, seeded["checker"].email)
    page.goto(live_server + "/claims")
    boxes = page.locator('tr[data-v] input[name="ids"]')
    ids = [boxes.nth(i).get_attribute("value") for i in range(3)]
    for i in range(3):
        boxes.nth(i).check()
    assert page.locator("[data-selected-count]").inner_text() == "3"
    status = page.get_by_label("Status", exact=True)
    assert status.input_value() == ""  # no status is preselected: a careless click changes nothing
    status.select_option("in_progress")
    page.get_by_role("button", name="Set status").click()
    page.locator(".flash-success", has_text="Updated 3 claims").wait_for()
    db.expire_all()
    assert [db.get(Claim, int(i)).status for i in ids] == [Status.in_progress] * 3


def test_screenshots_of_the_main_pages(live_server, page, db, seeded, sign_in, screenshot):
    sign_in(page, seeded["editor"].email)
    for name, path in (("queue", "/claims"), ("dashboard", "/dashboard"), ("articles", "/articles")):
        page.goto(live_server + path)
        screenshot(page, name)
    page.keyboard.press("Tab")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none", "keyboard focus must be visible"
