"""Check extracted claims against a hand-made reference annotation (*.gold.json)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class GoldReport:
    """What failed, one readable line per problem."""

    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def fail(self, message: str) -> None:
        """Record one problem."""
        self.problems.append(message)


def _paragraph_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, (len(text) if end < 0 else end)


def _accepts(gold: dict, canonical: str | None, given: str | None) -> bool:
    if canonical is None:
        return True
    names = set(gold.get("source_aliases", {}).get(canonical, [])) | {canonical}
    return given is not None and given.casefold() in {n.casefold() for n in names}


def check_against_gold(text: str, claims: list, gold: dict) -> GoldReport:
    """Return the problems of extracted claims (objects with start/end/source/speaker/dates) against gold."""
    report = GoldReport()
    for item in gold["claims"]:
        report.checked += 1
        anchor = item["anchor"]
        position = text.find(anchor)
        if position < 0 or text.find(anchor, position + 1) >= 0:
            report.fail(f"{item['id']}: anchor is not unique in the text: {anchor!r}")
            continue
        end = position + len(anchor)
        covering = [c for c in claims if c.start <= position and end <= c.end]
        if not covering:
            report.fail(f"{item['id']}: no claim covers {anchor!r}")
            continue
        want_source, want_speaker = item.get("source"), item.get("speaker")
        right = [
            c
            for c in covering
            if _accepts(gold, want_source, c.source)
            and (want_speaker is None or (c.speaker or "").casefold() == want_speaker.casefold())
        ]
        if not right:
            got = ", ".join(f"source={c.source!r} speaker={c.speaker!r}" for c in covering)
            report.fail(f"{item['id']}: want source={want_source!r} speaker={want_speaker!r}, got {got}")
        if item.get("dates"):
            low, high = _paragraph_bounds(text, position)
            found = {d.value for c in claims if low <= c.start < high for d in c.dates}
            missing = [value for value in item["dates"] if value not in found]
            if missing:
                report.fail(
                    f"{item['id']}: dates {missing} not found in its paragraph (found {sorted(v for v in found if v)})"
                )
    for line in gold.get("not_claims", []):
        for match in re.finditer(r"(?m)^[ \t]*" + re.escape(line) + r"[ \t]*$", text):
            bad = [c for c in claims if c.start < match.end() and match.start() < c.end]
            if bad:
                report.fail(f"not a claim, but extracted: {line!r}")
    return report
