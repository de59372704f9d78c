"""In a real browser: the compact and comfortable queue at 1280x800, the filters folded on a phone so a claim shows,
a saved view, and a mention reaching the colleague's account (nav count by polling, menu, open)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import make_article, make_user
from workbench.models import Claim, Role

TEXT = (
    "Port Story {n}\n\nThe port of Gdansk handled {n} million tonnes of grain in 2023, Reuters reported.\n\n"
    "A spokesperson said the terminal will reopen on Monday.\n\nSome traders think prices are too high.\n"
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ABOVE_THE_FOLD = """() => Array.from(document.querySelectorAll('tr[data-v]'))
    .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"""


@pytest.fixture
def desk(db):
    checker = make_user(db, Role.checker, email="casey@test.example")
    editor = make_user(db, Role.editor, email="eden@test.example")
    for n in range(10):
        make_article(db, actor=checker, text=TEXT.format(n=n + 10))
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    return {"checker": checker, "editor": editor, "claim": claim}


def _tab(browser, viewport, clock=False):
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    if clock:
        tab.clock.install()  # the nav's 30-second poll runs on a clock the test can move
    blocked = []
    tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    return context, tab, blocked


def test_compact_and_comfortable_rows_above_the_fold_and_the_choice_is_remembered(
    live_server, browser, desk, sign_in, screenshot
):
    context, tab, blocked = _tab(browser, DESKTOP)
    try:
        sign_in(tab, desk["checker"].email)
        tab.goto(live_server + "/claims")
        compact = tab.evaluate(ABOVE_THE_FOLD)
        screenshot(tab, "queue-compact-1280")
        tab.screenshot(path=str(screenshot(tab, "queue-compact-1280").with_name("queue-compact-1280-fold.png")))
        tab.get_by_role("button", name="Comfortable").click()
        tab.wait_for_selector("#queue-area.density-comfortable")
        assert tab.get_by_role("button", name="Comfortable").get_attribute("aria-pressed") == "true"
        comfortable = tab.evaluate(ABOVE_THE_FOLD)
        tall = tab.evaluate(
            "() => Math.max(...Array.from(document.querySelectorAll('tr[data-v]'), r => r.getBoundingClientRect().height))"
        )
        screenshot(tab, "queue-comfortable-1280")
        tab.screenshot(path=str(screenshot(tab, "queue-comfortable-1280").with_name("queue-comfortable-1280-fold.png")))
        print(f"rows above the fold at 1280x800: compact {compact}, comfortable {comfortable}")
        assert compact >= 12
        assert 3 <= comfortable < compact and tall > 40  # the whole claim and its article show
        title = tab.locator("tr[data-v] td:nth-child(2) > small:last-of-type")  # the article's, hidden when compact
        assert title.first.is_visible()
        tab.reload()  # remembered on the server, for this person
        assert "density-comfortable" in tab.get_attribute("#queue-area", "class")
        assert tab.evaluate(ABOVE_THE_FOLD) == comfortable
        tab.get_by_role("button", name="Compact").click()
        tab.wait_for_selector("#queue-area.density-compact")
        assert tab.evaluate(ABOVE_THE_FOLD) == compact
    finally:
        context.close()
    assert blocked == []


def test_on_a_phone_the_filters_fold_and_the_first_claim_shows(live_server, browser, desk, sign_in, screenshot):
    context, tab, blocked = _tab(browser, PHONE)
    try:
        sign_in(tab, desk["checker"].email)
        tab.goto(live_server + "/claims?status=unverified")
        disclosure = tab.locator("details.filter-more")
        assert disclosure.get_attribute("open") is None
        assert not tab.locator("#source").is_visible() and tab.locator("#q").is_visible()
        assert tab.locator("details.filter-more summary").inner_text() == "Filters (1 set)"
        first = tab.locator("tr[data-v]").first.bounding_box()
        print(f"first claim card at 390x844: top {first['y']:.0f}, bottom {first['y'] + first['height']:.0f}")
        screenshot(tab, "queue-phone-390")
        assert first["y"] + first["height"] <= PHONE["height"]  # the whole first card, above the fold
        assert tab.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        tab.locator("details.filter-more summary").click()
        assert tab.locator("#source").is_visible()
        tab.get_by_label("Verified", exact=True).check()  # the filters still work from inside the disclosure
        tab.wait_for_url("**status=verified**")
        assert tab.locator("[data-result-count]").inner_text() == "30 claims"
        tab.set_viewport_size(DESKTOP)  # a wider window shows the filters again, without their summary
        assert tab.locator("#source").is_visible() and not tab.locator("details.filter-more summary").is_visible()
    finally:
        context.close()
    assert blocked == []


def test_a_saved_view_keeps_the_filters_typed_before_saving(live_server, page, desk, sign_in):
    sign_in(page, desk["checker"].email)
    page.goto(live_server + "/claims")
    page.locator("#q").press_sequentially("gdansk 12")
    page.wait_for_function("() => location.search.includes('q=gdansk')")  # htmx pushed the filters into the URL
    page.locator("[data-result-count]").filter(has_text="1 claim").wait_for()
    page.locator("details.save-view summary").click()
    page.get_by_label("Name these filters").fill("Gdansk twelve")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#queue-views [role=status]").filter(has_text="Saved “Gdansk twelve”.").wait_for()
    page.goto(live_server + "/claims")
    page.get_by_role("link", name="Gdansk twelve").click()
    page.wait_for_url("**q=gdansk**")
    assert page.locator("#q").input_value() == "gdansk 12"
    assert page.locator("[data-result-count]").inner_text() == "1 claim"
    assert page.locator('#queue-views a[aria-current="page"]').inner_text() == "Gdansk twelve"


def test_a_mention_reaches_the_other_account(live_server, browser, desk, sign_in, screenshot):
    author_context, author, blocked_a = _tab(browser, DESKTOP)
    reader_context, reader, blocked_b = _tab(browser, DESKTOP, clock=True)
    claim_url = f"{live_server}/claims/{desk['claim'].id}"
    try:
        sign_in(reader, desk["editor"].email)
        reader.goto(live_server + "/my-work")
        assert not reader.locator("#notification-count").is_visible()  # nothing unread: no badge

        sign_in(author, desk["checker"].email)
        author.goto(claim_url)
        author.get_by_label("Add a note").fill("@eden is the <b>tonnage</b> right? Reuters only says 'about'.")
        author.get_by_role("button", name="Add note").click()
        author.locator(".notes strong.mention").filter(has_text="@eden").wait_for()
        assert author.locator(".notes b").count() == 0  # the note's markup is shown as text

        reader.clock.fast_forward("00:31")  # the nav polls its count every 30 seconds
        reader.locator("#notification-count").filter(has_text="1").wait_for()
        screenshot(reader, "mention-badge")
        reader.locator("summary[aria-label=Notifications]").click()
        item = reader.locator("#notification-menu .notification").first
        item.wait_for()
        assert "is the <b>tonnage</b> right?" in item.inner_text()
        screenshot(reader, "mention-menu")
        reader.keyboard.press("Escape")  # a menu closes as menus do
        assert reader.locator("details.notifications-menu").get_attribute("open") is None
        reader.locator("summary[aria-label=Notifications]").click()
        item.get_by_role("button", name="Open claim").click()
        reader.wait_for_url(f"{claim_url}#note-*")
        assert reader.locator(".notes li:target").inner_text().startswith("@eden is the <b>tonnage</b> right?")
        assert not reader.locator("#notification-count").is_visible()  # read now
    finally:
        author_context.close()
        reader_context.close()
    assert blocked_a == [] and blocked_b == []


def test_the_source_filter_suggests_names_as_typed_and_filters_by_the_one_picked(live_server, browser, desk, sign_in):
    context, tab, blocked = _tab(browser, DESKTOP)
    try:
        sign_in(tab, desk["checker"].email)
        tab.goto(live_server + "/claims")
        total = tab.locator("tr[data-v]").count()
        box = tab.locator("#source")
        box.click()
        box.press_sequentially("reu", delay=30)
        tab.wait_for_function("() => document.querySelectorAll('#source-options option').length > 0")
        offered = tab.eval_on_selector_all("#source-options option", "os => os.map(o => o.value)")
        assert "Reuters" in offered and all("reu" in name.lower() for name in offered)
        # The suggestions are a fragment: they must not become the page's address (inherited from the filter form's
        # hx-push-url, they did, and a reload then showed bare <option>s).
        assert tab.url == live_server + "/claims"
        box.fill("Reuters")
        with tab.expect_response(lambda r: "/claims?" in r.url and "source_name=Reuters" in r.url):
            box.press("Enter")
        tab.wait_for_url("**/claims?source=*")
        tab.wait_for_load_state("networkidle")  # a late suggestion has answered too, and left the address alone
        assert "/claims?source=" in tab.url
        rows = tab.locator("tr[data-v]")
        assert 0 < rows.count() < total
        assert all("Reuters" in text for text in rows.locator("td:nth-child(3)").all_inner_texts())
        tab.reload()
        assert tab.locator("#source").input_value() == "Reuters" and tab.locator("tr[data-v]").count() == rows.count()
        assert not blocked
    finally:
        context.close()


def test_a_search_count_arrives_after_its_rows(live_server, browser, desk, sign_in, monkeypatch):
    monkeypatch.setattr("workbench.services.queue.PAGE_SIZE", 5)
    context, tab, blocked = _tab(browser, DESKTOP)
    try:
        sign_in(tab, desk["checker"].email)
        tab.goto(live_server + "/claims")
        assert tab.locator("[data-result-count]").text_content() == "30 claims"  # no search: counted with the page
        tab.locator("#q").press_sequentially("grain", delay=20)
        tab.wait_for_function("() => document.querySelector('[data-result-count]').textContent === '10 claims'")
        assert tab.locator("tr[data-v]").count() == 5 and "q=grain" in tab.url
        assert not blocked
    finally:
        context.close()
