"""A corpus of XSS payloads and a world in which each one sits in every stored and reflected field.

Every payload calls window.__xss(n) (or alert) if it ever runs; the browser test installs a hook that fails on
any call, any dialog, and any CSP violation; the parser test checks that no payload became markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from tests.factories import make_user
from workbench.models import (
    Article,
    AuditEvent,
    Claim,
    ClaimNote,
    Evidence,
    EvidenceSnapshot,
    Role,
    Source,
    SourceAlias,
    Status,
    User,
)
from workbench.services.ingest import ingest_article

PAYLOADS = [
    "<script>__xss(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=__xss(3)>",
    "<svg onload=__xss(4)>",
    "<svg><script>__xss(5)</script></svg>",
    '"><script>__xss(6)</script>',
    "'><img src=x onerror=__xss(7)>",
    '" onmouseover="__xss(8)" x="',
    "' onfocus='__xss(9)' autofocus='",
    "javascript:__xss(10)",
    "JaVaScRiPt:__xss(11)",
    "java\tscript:__xss(12)",
    "data:text/html,<script>__xss(13)</script>",
    '<a href="javascript:__xss(14)">x</a>',
    '<iframe src="javascript:__xss(15)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss(16)</script>"></iframe>',
    "<body onload=__xss(17)>",
    "<details open ontoggle=__xss(18)>",
    "<input autofocus onfocus=__xss(19)>",
    "<video><source onerror=__xss(20)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss(21)>",
    "</textarea><script>__xss(22)</script>",
    "</title><script>__xss(23)</script>",
    "</script><script>__xss(24)</script>",
    "</style><script>__xss(25)</script>",
    "<!--<img src=x onerror=__xss(26)>-->",
    "<![CDATA[<script>__xss(27)</script>]]>",
    "{{ 7*7 }}{% raw %}__xss(28){% endraw %}",
    "${__xss(29)}",
    '<div hx-get="/admin/users" hx-trigger="load">htmx 30</div>',
    '<div hx-on:click="__xss(31)">htmx 31</div>',
    '<form action="javascript:__xss(32)"><button>x</button></form>',
    '<object data="javascript:__xss(33)"></object>',
    '<embed src="javascript:__xss(34)">',
    '<base href="javascript:__xss(35)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss(36)">',
    '<link rel=import href="data:text/html,<script>__xss(37)</script>">',
    "&lt;script&gt;__xss(38)&lt;/script&gt;",
    "%3Cscript%3E__xss(39)%3C/script%3E",
    "\\u003cscript\\u003e__xss(40)\\u003c/script\\u003e",
    "<img src=x:x onerror=\"eval(atob('X194c3MoNDEp'))\">",
    "<svg><animate onbegin=__xss(42) attributeName=x dur=1s>",
    "<marquee onstart=__xss(43)>",
    "<style>@import 'javascript:__xss(44)';</style>",
    "<x contenteditable onblur=__xss(45)>",
    "\u202e<script>__xss(46)</script>",
]


@dataclass
class HostileWorld:
    """What was seeded: pages to visit and how many (payload, field) placements there are."""

    pages: list[str] = field(default_factory=list)  # stored payloads, each page at least once
    reflected: list[str] = field(default_factory=list)  # one payload per URL
    reflected_combined: list[str] = field(default_factory=list)  # every payload, several per URL (fewer loads)
    placements: int = 0
    admin_email: str = ""


def _chunks(size: int):
    for start in range(0, len(PAYLOADS), size):
        yield PAYLOADS[start : start + size]


def seed(db) -> HostileWorld:
    """Store every payload in every stored field the UI shows; return the pages that render them."""
    world = HostileWorld()
    admin = make_user(db, Role.admin)
    world.admin_email = admin.email
    for number, payload in enumerate(PAYLOADS):  # people: names shown on the user list, queue and history
        db.add(User(email=f"u{number}@x.example", name=payload[:200], role=Role.checker, password_hash="x"))
    world.placements += len(PAYLOADS)
    for number, group in enumerate(_chunks(6)):
        joined = " ".join(group)
        text = (
            "\n\n".join(f"{payload} was said on Monday by 40 officials, Reuters reported." for payload in group) + "\n"
        )
        article = ingest_article(
            session=db,
            text=text,
            actor=admin,
            title=joined[:500],
            outlet=joined[:300],
            section=joined[:200],
            url=f"https://news.example/{number}?q=" + "".join(group)[:1500].replace(" ", "%20").replace("\t", "%09"),
        ).article
        claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
        assert len(claims) >= len(group), "every payload needs a claim of its own"
        for claim, payload in zip(claims, group):
            claim.text, claim.rationale, claim.status = payload, payload, Status.false
            claim.speaker, claim.attribution = payload[:300], payload[:300]
            db.add(claim)
            db.add(ClaimNote(claim_id=claim.id, author_id=admin.id, body=payload))
            evidence = Evidence(
                claim_id=claim.id,
                url="https://ev.example/" + payload.replace(" ", "%20")[:1900],
                note=payload,
                stance="refutes",
                fetch_state="done",
                page_title=payload[:500],
                content_type="text/html",
                http_status=200,
                sha256="ab" * 32,
                final_url="https://ev.example/final?" + payload[:1000],
            )
            db.add(evidence)
            db.flush()
            db.add(
                EvidenceSnapshot(
                    evidence_id=evidence.id,
                    archived_text=payload,
                    page_title=payload[:500],
                    final_url=evidence.final_url,
                    sha256="ab" * 32,
                    content_type="text/html",
                )
            )
            source = Source(name=f"{payload[:280]} #{claim.id}", notes=payload, domain=payload[:255])
            db.add(source)
            db.flush()
            db.add(SourceAlias(source_id=source.id, alias=f"{payload[:280]} alias {claim.id}"))
            claim.source_id = source.id
            db.add(claim)
            world.pages += [f"/claims/{claim.id}", f"/evidence/{evidence.id}", f"/sources/{source.id}"]
        db.commit()
        world.pages += [f"/articles/{article.id}", f"/articles/{article.id}/details"]
        snapshot_ids = db.exec(
            select(EvidenceSnapshot.id, EvidenceSnapshot.evidence_id)
            .join(Evidence, Evidence.id == EvidenceSnapshot.evidence_id)
            .join(Claim, Claim.id == Evidence.claim_id)
            .where(Claim.article_id == article.id)
        ).all()
        world.pages += [f"/evidence/{e}/archive/{s}" for s, e in snapshot_ids]
    # 16 stored fields per payload: article title/outlet/section/url/text, claim text/rationale/speaker/attribution,
    # note, evidence url/note/title/final url, snapshot text, source name/notes/domain, alias (+ user name above)
    world.placements += 19 * len(PAYLOADS)

    def quoted(value: str) -> str:
        from urllib.parse import quote

        return quote(value, safe="")

    for payload in PAYLOADS:  # reflected: search boxes, filters, export scope
        world.reflected += [
            f"/claims?q={quoted(payload)}",
            f"/sources?q={quoted(payload)}",
            f"/claims?sort={quoted(payload)}&status={quoted(payload[:40])}",
            f"/exports?format=csv&source={quoted(payload)}",
        ]
    world.placements += 4 * len(PAYLOADS)
    batch: list[str] = []
    for payload in PAYLOADS + [""]:
        if not payload or len(" ".join(batch + [payload])) > 200:
            joined = quoted(" ".join(batch))
            world.reflected_combined += [
                f"/claims?q={joined}",
                f"/sources?q={joined}",
                f"/exports?format=csv&source={joined}",
            ]
            batch = []
        if payload:
            batch.append(payload)
    world.pages += [
        "/articles",
        "/claims",
        "/sources",
        "/dashboard",
        "/admin/users",
        "/admin/audit",
        "/approvals",
        "/my-work",
        "/activity",
        "/claims?status=dismissed",
    ]
    assert db.exec(select(AuditEvent)).first() is not None
    assert db.exec(select(Article)).first() is not None
    return world
