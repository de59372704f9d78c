"""In a real browser: selection on pasted \\r\\n text, split by click, dismiss and restore, approval with send back."""

from __future__ import annotations

from sqlmodel import select

from tests.factories import ARTICLE_TEXT, make_article, make_user
from workbench.models import Claim, Evidence, Role, Status
from workbench.services import review

PASTED = (
    "Border Exercise\r\n\r\nTroops gathered in Belarus, just a few kilometers from the border of Poland, "
    "the ministry said on Monday.\r\n\r\nThe drills will last 11 days, according to Reuters.\r\n"
    "Officials said 4,000 soldiers take part.\r\n"
)

SELECT_WORDS = """([rootSelector, words]) => {
  const root = document.querySelector(rootSelector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = "";
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  const start = text.indexOf(words), end = start + words.length;
  const locate = (offset) => { for (const [node, at] of nodes) if (offset <= at + node.data.length) return [node, offset - at]; };
  const range = document.createRange();
  range.setStart(...locate(start)); range.setEnd(...locate(end));
  const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
  return start;
}"""

CHAR_POINT = """([selector, index]) => {
  const element = document.querySelector(selector);
  const node = element.firstChild;
  const range = document.createRange(); range.setStart(node, index); range.setEnd(node, index + 1);
  const box = range.getBoundingClientRect();
  return {x: box.left + 1, y: box.top + box.height / 2};
}"""


def test_selection_in_a_pasted_crlf_article_gets_exactly_those_words(live_server, page, db, sign_in, screenshot):
    user = make_user(db, Role.checker)
    sign_in(page, user.email)
    page.goto(live_server + "/articles/new")
    page.get_by_label("Publication date").fill("2024-07-09")
    page.get_by_label("Article text").fill(PASTED.replace("\r\n", "\n"))  # the browser sends it back as \r\n
    page.get_by_role("button", name="Ingest and extract claims").click()
    page.wait_for_url("**/articles/*")
    words = "just a few kilometers from the border of Poland"
    page.evaluate(SELECT_WORDS, ["#article-text", words])
    page.get_by_role("button", name="Make the selection a claim").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#article-claims li.claim').length > 0 && "
        "!document.querySelector('#selection-form:not([hidden])')"
    )
    db.expire_all()
    manual = db.exec(select(Claim).where(Claim.kind == "manual")).one()
    assert manual.quote == words
    screenshot(page, "crlf-selection")


def test_split_by_clicking_in_the_sentence(live_server, page, db, sign_in, screenshot):
    user = make_user(db, Role.checker)
    article = make_article(db, actor=user).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).first()
    quote = claim.quote
    cut = quote.index(" after 14 months")
    sign_in(page, user.email)
    page.goto(f"{live_server}/claims/{claim.id}")
    point = page.evaluate(CHAR_POINT, ["#claim-quote", cut])
    page.mouse.click(point["x"], point["y"])
    preview = page.locator("[data-split-preview]")
    assert "|" in preview.inner_text()
    assert page.locator("#split-at").input_value() == str(cut)
    screenshot(page, "split-by-click")
    page.locator("#split-form").get_by_role("button", name="Split in two").click()
    page.wait_for_function(f"() => document.querySelector('#claim-quote').textContent === {quote[:cut].strip()!r}")
    db.expire_all()
    parts = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    assert parts[0].quote == quote[:cut].strip() and parts[1].quote == quote[cut:].strip()


def test_dismiss_and_restore(live_server, page, db, sign_in):
    user = make_user(db, Role.checker)
    article = make_article(db, actor=user).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).first()
    sign_in(page, user.email)
    page.goto(f"{live_server}/claims/{claim.id}")
    page.get_by_text("Not a claim?").click()
    page.get_by_label("Why this is not a claim").fill("Page furniture")
    page.get_by_role("button", name="Dismiss as not a claim").click()
    page.wait_for_selector(".dismissed-reason")
    assert "Not a claim" in page.locator("#claim-status .badge").text_content()
    page.goto(live_server + "/claims")
    assert page.locator(f"#c{claim.id}").count() == 0
    page.goto(f"{live_server}/claims/{claim.id}")
    page.get_by_role("button", name="Restore to the queue").click()
    page.wait_for_function("() => !document.querySelector('.dismissed-reason')")
    assert "Unverified" in page.locator("#claim-status .badge").text_content()
    db.expire_all()
    assert db.get(Claim, claim.id).status == Status.unverified


def test_approval_queue_send_back_reaches_the_checker(app, live_server, browser, db, sign_in, screenshot):
    app.config["REQUIRE_APPROVAL"] = True
    checker, editor = make_user(db, Role.checker), make_user(db, Role.editor)
    article = make_article(db, actor=checker, text=ARTICLE_TEXT).article
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    for claim in claims[:2]:
        db.add(Evidence(claim_id=claim.id, url="https://council.example/", stance="supports", fetch_state="done"))
        db.commit()
        review.set_status(
            session=db,
            claim=claim,
            status=Status.verified,
            rationale="Minutes confirm it",
            actor=checker,
            expected_version=None,
        )
    editor_tab = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(editor_tab, editor.email)
    editor_tab.goto(live_server + "/approvals")
    rows = editor_tab.locator("#approval-list tr[data-claim-id]")
    assert rows.count() == 2
    row = editor_tab.locator(f'tr[data-claim-id="{claims[0].id}"]')
    row.get_by_label("Comment for the checker").fill("Which minutes? Link the page.")
    row.get_by_role("button", name="Send back").click()
    editor_tab.wait_for_function("() => document.querySelectorAll('#approval-list tr[data-claim-id]').length === 1")
    assert "sent back" in editor_tab.locator("#approval-message").inner_text()
    editor_tab.get_by_label(f"Select the verdict on claim {claims[1].id}").check()
    editor_tab.get_by_role("button", name="Approve selected").click()
    # the send back left its own message: wait for the approval's
    editor_tab.wait_for_function(
        "() => (document.querySelector('#approval-message') || {}).textContent?.includes('Approved')"
    )
    assert "Approved 1 verdict" in editor_tab.locator("#approval-message").inner_text()
    assert editor_tab.locator("#approval-list tr[data-claim-id]").count() == 0
    screenshot(editor_tab, "approval-queue")
    editor_tab.context.close()

    checker_tab = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(checker_tab, checker.email)
    checker_tab.get_by_role("link", name="My work").click()
    sent_back = checker_tab.locator("#sent-back li[data-claim-id]")
    assert sent_back.count() == 1 and "Which minutes? Link the page." in sent_back.inner_text()
    screenshot(checker_tab, "my-work")
    checker_tab.context.close()
    db.expire_all()
    assert db.get(Claim, claims[1].id).approved_by_id == editor.id
