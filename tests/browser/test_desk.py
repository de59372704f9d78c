"""In a real browser, a day at the desk: the dense queue fits a screenful, phones never scroll sideways, and the
keyboard loop acts on the selection or the cursor, moves on, keeps the typed rationale, and returns after Back."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import make_article, make_user
from workbench.models import Claim, Evidence, Role, Source, Status

TEXT = (
    "Port Story {n}\n\nThe port of Gdansk handled {n} million tonnes of grain in 2023, Reuters reported.\n\n"
    "A spokesperson said the terminal will reopen on Monday.\n\nSome traders think prices are too high.\n"
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(db):
    checker = make_user(db, Role.checker, email="casey@test.example")
    admin = make_user(db, Role.admin, email="ada@test.example")
    articles = [make_article(db, actor=checker, text=TEXT.format(n=n + 10)).article for n in range(10)]
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    db.add(
        Evidence(
            claim_id=claim.id,
            url="https://evidence.example/a-rather-long-path/that/keeps/going/and/going",
            added_by_id=checker.id,
            note="Minutes",
        )
    )
    db.commit()
    return {"checker": checker, "admin": admin, "article": articles[0], "claim": claim}


def _tab(browser, viewport):
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    blocked = []
    tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    return context, tab, blocked


def test_dense_queue_fits_at_least_twelve_claims_above_the_fold(live_server, browser, desk, sign_in, screenshot):
    context, tab, blocked = _tab(browser, DESKTOP)
    try:
        sign_in(tab, desk["checker"].email)
        tab.goto(live_server + "/claims")
        above = tab.evaluate("""() => Array.from(document.querySelectorAll('tr[data-v]'))
            .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length""")
        heights = tab.evaluate(
            "() => Array.from(document.querySelectorAll('tr[data-v]'), r => r.getBoundingClientRect().height)"
        )
        print(f"rows above the fold at 1280x800: {above}; row heights {sorted(set(round(h) for h in heights))}")
        tab.screenshot(path=str(screenshot(tab, "desk-queue-1280").with_name("desk-queue-1280-fold.png")))
        assert above >= 12
        assert max(heights) < 40  # one line per claim
        assert tab.locator("[data-result-count]").inner_text() == "30 claims"
    finally:
        context.close()
    assert blocked == []


# Every word of a table cell on one line: a phone squeezes a column, it must not cut "Organization" in two.
_BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table.table:not(.dense) td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S{4,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_table_cells_keep_their_words_whole_on_a_phone(live_server, browser, db, desk, sign_in, screenshot):
    make_article(
        db,
        actor=desk["checker"],
        text="Multidimensional Reconceptualisation Of Internationalisation\n\n"
        "The World Health Organization said on Monday that 12 laboratories confirmed the results.\n",
    )
    context, tab, _blocked = _tab(browser, PHONE)
    try:
        sign_in(tab, desk["admin"].email)
        broken = {}
        for path in ["/dashboard", "/sources", "/articles", "/admin/users"]:
            assert tab.goto(live_server + path).status == 200
            broken[path] = tab.evaluate(_BROKEN_WORDS)
            assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], path
        screenshot(tab, "desk-phone-users-table")
        tab.goto(live_server + "/dashboard")
        screenshot(tab, "desk-phone-dashboard-articles")
        # the dashboard's articles stack as cards: the title and its figures, labelled, one above the other
        first = tab.locator("#article-progress tbody tr").first
        assert first.locator("td").nth(2).evaluate("td => getComputedStyle(td, '::before').content") == '"Open: "'
        assert tab.locator("#article-progress thead").is_hidden()
    finally:
        context.close()
    assert broken == {path: [] for path in broken}


def test_no_page_scrolls_sideways_on_a_phone(live_server, browser, db, desk, sign_in, screenshot):
    context, tab, blocked = _tab(browser, PHONE)
    source = db.exec(select(Source)).first()
    pages = [
        "/articles",
        "/articles/new",
        f"/articles/{desk['article'].id}",
        f"/articles/{desk['article'].id}/details",
        "/claims",
        f"/claims/{desk['claim'].id}",
        "/my-work",
        "/sources",
        f"/sources/{source.id}",
        "/dashboard",
        "/approvals",
        "/activity",
        "/exports",
        "/admin/audit",
        "/admin/users",
        "/account",
        "/notifications",
        "/claims/views",
    ]
    widths = {}
    try:
        tab.goto(live_server + "/login")
        widths["/login"] = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        sign_in(tab, desk["admin"].email)
        for path in pages:
            response = tab.goto(live_server + path)
            assert response.status == 200, path
            widths[path] = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if path in {"/claims", "/articles", "/dashboard"} or path.startswith(("/claims/", "/articles/")):
                screenshot(tab, "desk-phone" + path.replace("/", "-"))
        print("scrollWidth, innerWidth at 390 px:", widths)
        assert {p: w for p, w in widths.items() if w[0] > w[1]} == {}
        # the navigation folds behind a button and opens on demand, with Sign out on screen
        assert not tab.locator("#main-nav").is_visible()
        tab.get_by_role("button", name="Menu").click()
        assert tab.locator("#main-nav").get_by_role("link", name="Queue").is_visible()
        box = tab.get_by_role("button", name="Sign out").bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
        screenshot(tab, "desk-phone-menu")
    finally:
        context.close()
    assert blocked == []


def test_status_keys_act_on_the_cursor_and_move_on(live_server, page, db, desk, sign_in, screenshot):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims")
    rows = page.locator("tr[data-v]")
    ids = [rows.nth(i).get_attribute("id")[1:] for i in range(4)]
    page.keyboard.press("j")
    page.keyboard.press("2")
    page.locator(f"#c{ids[0]}[data-s=in_progress]").wait_for()
    page.wait_for_function(f"() => document.querySelector('tr[data-v].current').id.slice(1) === '{ids[1]}'")
    page.keyboard.press("2")
    page.locator(f"#c{ids[1]}[data-s=in_progress]").wait_for()
    page.wait_for_function(f"() => document.querySelector('tr[data-v].current').id.slice(1) === '{ids[2]}'")
    db.expire_all()
    assert [db.get(Claim, int(i)).status for i in ids[:3]] == [
        Status.in_progress,
        Status.in_progress,
        Status.unverified,
    ]


def test_verdict_without_evidence_keeps_the_rationale_and_says_what_is_missing(
    live_server, page, db, desk, sign_in, screenshot
):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims?sort=oldest")
    target = page.locator("tr[data-v]").nth(1).get_attribute("id")[1:]  # no evidence on this one
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("3")  # verified: needs a rationale and evidence
    rationale = page.locator("#bulk-rationale")
    assert rationale.evaluate("el => el === document.activeElement")
    assert "evidence" in page.locator("[data-bar-message]").inner_text()
    rationale.fill("The port authority's annual report gives the figure.")
    rationale.press("Enter")
    page.locator(f"#c{target} .row-error").wait_for()
    assert "Not saved" in page.locator("[data-bar-message]").inner_text()
    assert rationale.input_value() == "The port authority's annual report gives the figure."
    screenshot(page, "desk-verdict-kept")
    page.keyboard.press("Escape")
    page.keyboard.press("8")  # not checkable needs only the rationale: the kept text goes with it
    rationale.fill("An opinion about prices, not a checkable fact.")
    rationale.press("Enter")
    page.locator(f"#c{target}[data-s=not_checkable]").wait_for()
    db.expire_all()
    claim = db.get(Claim, int(target))
    assert claim.status == Status.not_checkable and claim.rationale == "An opinion about prices, not a checkable fact."


def test_selection_survives_row_updates_and_status_keys_act_on_it(live_server, page, db, desk, sign_in):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims")
    rows = page.locator("tr[data-v]")
    ids = [rows.nth(i).get_attribute("id")[1:] for i in range(4)]
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("a")  # a row update (assign) on a selected row
    page.locator(f"#c{ids[1]} td", has_text=desk["checker"].name).wait_for()
    assert page.locator(f'#c{ids[1]} input[name="ids"]').is_checked()
    assert page.locator("[data-selected-count]").inner_text() == "2"
    page.keyboard.press("2")  # acts on both selected claims, not on the cursor alone
    page.locator(".flash-success", has_text="Updated 2 claims").wait_for()
    db.expire_all()
    assert [db.get(Claim, int(i)).status for i in ids[:3]] == [
        Status.in_progress,
        Status.in_progress,
        Status.unverified,
    ]


def test_cursor_is_restored_after_back(live_server, page, desk, sign_in):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims")
    for _ in range(7):
        page.keyboard.press("j")
    seventh = page.locator("tr[data-v].current").get_attribute("id")[1:]
    page.keyboard.press("o")
    page.wait_for_url(f"**/claims/{seventh}?**")
    page.go_back()
    page.wait_for_function(f"() => document.querySelector('tr[data-v].current')?.id.slice(1) === '{seventh}'")
    page.keyboard.press("j")
    assert page.locator("tr[data-v].current").get_attribute("id")[1:] != seventh


def test_expired_session_sends_an_htmx_action_to_sign_in_and_back(live_server, page, desk, sign_in):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims?sort=oldest")
    page.context.clear_cookies()  # the session expires while the queue is open
    page.keyboard.press("j")
    page.keyboard.press("2")
    page.wait_for_url("**/login?next=**")
    assert page.locator("tr[data-v]").count() == 0
    from tests.factories import PASSWORD

    page.get_by_label("Email").fill(desk["checker"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/claims?sort=oldest")


def test_u_undoes_the_last_change_as_a_new_audited_change(live_server, page, db, desk, sign_in):
    from workbench.models import AuditEvent

    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims?sort=oldest")
    first = page.locator("tr[data-v]").first.get_attribute("id")[1:]
    events_before = len(db.exec(select(AuditEvent)).all())
    page.keyboard.press("j")
    page.keyboard.press("8")
    page.locator("#bulk-rationale").fill("Opinion.")
    page.locator("#bulk-rationale").press("Enter")
    page.locator(f"#c{first}[data-s=not_checkable]").wait_for()
    assert "undo" in page.locator("[data-bar-message]").inner_text()
    page.keyboard.press("u")
    page.locator(f"#c{first}[data-s=unverified]").wait_for()
    assert "Undone" in page.locator("[data-bar-message]").inner_text()
    db.expire_all()
    assert db.get(Claim, int(first)).status == Status.unverified
    assert len(db.exec(select(AuditEvent)).all()) == events_before + 2  # both changes stay on record
    page.keyboard.press("u")  # only one step back
    assert "Nothing to undo" in page.locator("[data-bar-message]").inner_text()
    # Undoing a move away from a verdict puts its rationale back too (a verdict is refused without one); the row
    # answering the change carries that rationale, the queue page's rows do not.
    page.keyboard.press("8")
    page.locator("#bulk-rationale").fill("An opinion, still.")
    page.locator("#bulk-rationale").press("Enter")
    page.locator(f"#c{first}[data-s=not_checkable]").wait_for()
    page.keyboard.press("k")
    page.keyboard.press("2")
    page.locator(f"#c{first}[data-s=in_progress]").wait_for()
    page.keyboard.press("u")
    page.locator(f"#c{first}[data-s=not_checkable]").wait_for()
    assert "Undone" in page.locator("[data-bar-message]").inner_text()
    db.expire_all()
    assert db.get(Claim, int(first)).rationale == "An opinion, still."


def test_claim_page_keys_follow_the_queue_you_came_from(live_server, page, db, desk, sign_in):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims?q=spokesperson&sort=newest")
    ids = [page.locator("tr[data-v]").nth(i).get_attribute("id")[1:] for i in range(3)]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/claims/{ids[1]}?queue=**")
    page.keyboard.press("j")
    page.wait_for_url(f"**/claims/{ids[2]}?queue=**")  # the next claim of the filtered queue, not of the article
    page.keyboard.press("k")
    page.wait_for_url(f"**/claims/{ids[1]}?queue=**")
    page.keyboard.press("k")
    page.wait_for_url(f"**/claims/{ids[0]}?queue=**")
    page.keyboard.press("e")
    assert page.locator("#evidence-url").evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    assert page.locator("#note-body").evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    page.keyboard.press("8")
    assert page.locator("#status").input_value() == "not_checkable"
    assert page.locator("#rationale").evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert page.locator("#claim-shortcuts").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("q")
    page.wait_for_url("**/claims?q=spokesperson&sort=newest")


def test_an_article_without_verdicts_shows_no_green_in_its_progress_bar(live_server, page, desk, sign_in):
    sign_in(page, desk["checker"].email)
    page.goto(f"{live_server}/articles/{desk['article'].id}")
    fills = page.evaluate(
        "() => Array.from(document.querySelectorAll('.progress rect.seg'), r => getComputedStyle(r).fill)"
    )
    assert fills and set(fills) == {"rgb(180, 188, 198)"}  # all unverified: grey, not the "done" green


def test_question_mark_lists_keys_on_every_page(live_server, page, desk, sign_in):
    sign_in(page, desk["admin"].email)
    for path, dialog in (
        ("/articles", "#site-shortcuts"),
        ("/dashboard", "#site-shortcuts"),
        ("/claims", "#shortcuts"),
        (f"/claims/{desk['claim'].id}", "#claim-shortcuts"),
    ):
        page.goto(live_server + path)
        page.keyboard.press("?")
        page.locator(f"{dialog}[open] h2").wait_for()  # fetched on first use (the queue's and the site's lists)
        assert page.locator(dialog).is_visible(), path
        assert page.locator("dialog[open]").count() == 1, path  # one list, not the site's on top of the page's
        page.keyboard.press("Escape")
    page.goto(live_server + "/articles")
    page.keyboard.press("g")
    page.keyboard.press("q")
    page.wait_for_url(live_server + "/claims")
