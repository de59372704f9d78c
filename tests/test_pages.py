"""Every page answers whole, and as the fragment htmx swaps, with Vary: HX-Request."""

from __future__ import annotations

import pytest

from tests.conftest import login, parse
from tests.factories import make_article, make_user
from workbench.models import Role, Status

PAGES = [
    ("/articles", "article-list", "Articles"),
    ("/articles/new", "ingest-form", "Ingest an article"),
    ("/articles/{article_id}", "article-workspace", "Harbour Bridge Reopens"),
    ("/claims", "queue-results", "Review queue"),
    ("/claims/1", "claim-panel", "Claim #1"),
    ("/dashboard", "dashboard", "Editor dashboard"),
    ("/sources", "source-table", "Sources"),
    ("/sources/1", "source-record", "city council"),
    ("/admin/users", "user-table", "Users"),
    ("/admin/audit", "audit-status", "Audit chain"),
]


@pytest.fixture
def admin_client(client, db):
    admin = make_user(db, Role.admin)
    make_article(db, actor=admin)
    login(client, admin.email)
    return client


def _without_tokens(element) -> str:
    """The element's HTML with CSRF token values blanked (they are re-signed with a timestamp per request)."""
    for field in element.select('input[name="csrf_token"]'):
        field["value"] = ""
    return str(element)


@pytest.mark.parametrize(("url", "fragment_id", "heading"), PAGES)
def test_page_and_fragment(admin_client, url, fragment_id, heading):
    url = url.format(article_id=1)
    page = admin_client.get(url)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    html = parse(page)
    assert html.find("h1").get_text(strip=True) == heading
    assert html.select_one(f"#{fragment_id}") is not None
    assert html.select_one('script[src="/assets/htmx.min.js"]') is not None

    fragment = admin_client.get(url, headers={"HX-Request": "true", "HX-Target": fragment_id})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    part = parse(fragment)
    assert part.find("html") is None and part.select_one("nav[aria-label=Main]") is None
    assert part.find(id=fragment_id) is not None
    assert _without_tokens(part.find(id=fragment_id)) == _without_tokens(html.select_one(f"#{fragment_id}"))

    boosted = admin_client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Target": fragment_id})
    assert parse(boosted).select_one("nav[aria-label=Main]") is not None, "a boosted request needs the whole page"


def test_htmx_is_served_from_the_installed_package(client):
    response = client.get("/assets/htmx.min.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"htmx" in response.data[:2000] and len(response.data) > 30_000


def test_no_page_loads_anything_from_another_host(admin_client):
    for url, _, _ in PAGES:
        html = parse(admin_client.get(url.format(article_id=1)))
        for tag in html.select("script[src], link[href], img[src]"):
            address = tag.get("src") or tag.get("href")
            assert address.startswith("/"), address


def test_unknown_article_is_a_404_page(admin_client):
    response = admin_client.get("/articles/999")
    assert response.status_code == 404
    assert "nothing at this address" in parse(response).find(role="alert").get_text()


def test_article_list_shows_progress(admin_client):
    html = parse(admin_client.get("/articles"))
    row = html.select_one("#article-list tbody tr")
    assert row.find("a").get_text() == "Harbour Bridge Reopens"
    assert row.select_one('[role="progressbar"]')["aria-valuenow"] == "0"


@pytest.mark.parametrize(("url", "fragment_id", "heading"), PAGES)
def test_every_form_control_has_a_label(admin_client, url, fragment_id, heading):
    html = parse(admin_client.get(url.format(article_id=1)))
    for control in html.select("input, select, textarea"):
        if control.get("type") in {"hidden", "submit", "button"}:
            continue
        labelled = (
            control.get("aria-label")
            or control.find_parent("label") is not None
            or (control.get("id") and html.select_one(f'label[for="{control["id"]}"]'))
        )
        assert labelled, f"unlabelled control on {url}: {control}"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_status_colours_keep_text_readable_and_carry_a_text_cue(admin_client):
    import re
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "workbench" / "static" / "app.css").read_text()
    ink = re.search(r"--ink: (#[0-9a-f]{6})", css).group(1)
    backgrounds = dict(re.findall(r"--s-([a-z_]+): (#[0-9a-f]{6})", css))
    assert len(backgrounds) == 8
    for status, colour in backgrounds.items():
        lighter, darker = sorted((_luminance(ink), _luminance(colour)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, status
    # A queue row's chip is a word, with its status's icon and colour from app.css (keyed on the row's data-s), not
    # colour alone: every status has both, and the icon is marked as decoration (alt text "").
    row = parse(admin_client.get("/claims")).select_one("#queue-results tr[data-s]")
    assert row["data-s"] == "unverified" and row.select_one("td:nth-child(4) > b").get_text() == "Unverified"
    for status in Status:
        chip = rf"\.queue \[data-s={status.value}\] > td:nth-child\(4\) > b"
        assert re.search(chip + r'::before \{ content: "(.)"; content: "\1" / ""; \}', css), status
        assert re.search(r"\.queue \[data-s=" + status.value + r"\] \{ --chip: ", css), status
