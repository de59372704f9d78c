"""In a real browser: sign in, ingest an article through the form, see its claims highlighted."""

from __future__ import annotations

from pathlib import Path

from tests.factories import PASSWORD, make_user
from workbench.models import Role

SAMPLE = Path(__file__).resolve().parents[2] / "workbench" / "samples" / "port-fire.txt"


def test_sign_in_ingest_and_see_claims(live_server, page, db, screenshot):
    user = make_user(db, Role.checker, email="casey@test.example")
    page.goto(live_server + "/articles")
    assert page.url.startswith(live_server + "/login")
    screenshot(page, "login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/articles")
    assert page.get_by_text("No articles yet").is_visible()

    page.get_by_role("link", name="Ingest an article").click()
    page.get_by_label("Publication date").fill("2024-09-15")
    page.get_by_label("Outlet").fill("Workbench Sample Desk")
    page.get_by_label("Article text").fill(SAMPLE.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Ingest and extract claims").click()
    page.wait_for_url("**/articles/*")

    assert page.locator("h1").inner_text() == "Fire at Black Sea port destroys grain terminal, officials say"
    assert "Ingested" in page.locator(".flash").inner_text()
    claims = page.locator("#article-claims li.claim")
    assert claims.count() >= 8
    assert page.locator("article.article-text a.hl").count() == claims.count()
    assert "Ukrainian Ministry of Infrastructure" in page.locator("#article-claims").inner_text()
    assert "Tags: Ukraine" in page.locator("article.article-text").inner_text()  # shown, but not a claim
    screenshot(page, "ingested-article")

    page.locator("article.article-text a.hl").first.click()
    page.wait_for_url("**/claims/1")
    assert page.locator("h1").inner_text() == "Claim #1"

    page.goto(live_server + "/articles")
    screenshot(page, "articles")
    assert page.locator("#article-list tbody tr").count() == 1


def test_bad_upload_shows_the_reason_in_the_form(live_server, page, db, tmp_path, screenshot):
    user = make_user(db, Role.checker)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/articles/new")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    page.get_by_label("…or upload a file").set_input_files(str(junk))
    page.get_by_role("button", name="Ingest and extract claims").click()
    assert "looks like binary data" in page.locator("#ingest-error").inner_text()
    screenshot(page, "ingest-error")
