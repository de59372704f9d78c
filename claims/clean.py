"""Tell article prose from what is not: headings, captions, repeated headlines, page furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that sites print around an article. Matched against a whole (normalised) line.
_FURNITURE = re.compile(
    r"""^(?:
        short\s+link\b.* | related\s+(?:stories|articles|posts|news|content)\b.* |
        (?:leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|comments?)\b.{0,20} |
        your\s+email\s+address\s+will\s+not\s+be\s+published.* | required\s+fields\s+are\s+marked.* |
        back\s+to\s+top.* | (?:share|tweet|email|print)\s+(?:this|on)\b.{0,40} | share\s*:?.{0,3} |
        (?:subscribe|sign\s+up)\b.{0,80} | follow\s+us\b.{0,60} | read\s+(?:more|also|next)\b.{0,80} |
        advertisement | sponsored(?:\s+content)? | click\s+here\b.{0,80} | (?:all\s+rights\s+reserved|copyright\b|©).{0,120} |
        (?:previous|next)\s+(?:article|post|story)\b.{0,80} | (?:you\s+may\s+also\s+like|more\s+from|recommended\s+for\s+you)\b.{0,40} |
        (?:tags?|filed\s+under|topics?)\s*:.{0,200} | (?:photo|image|picture|video)\s*(?:credit)?\s*:.{0,120} |
        (?:save\s+my\s+name|notify\s+me\s+of)\b.{0,120} | (?:name|email|website|comment)\s*\*? |
        by\s+[^\W\d][\w.'’ -]{1,60} | (?:updated|published|posted|last\s+modified)\b\s*:?.{0,60}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CAPTION_MARK = re.compile(
    r"\((?:photo|image|picture|file photo)\b[^)]*\)\s*$|\b(?:getty images|ap photo|afp photo|reuters/)\b", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]]\s*$")
_WORD = re.compile(r"\w[\w’'\-.]*")


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the input, with what it is: prose, heading, caption, headline or furniture."""

    start: int
    end: int
    text: str
    kind: str


# "“We can build a wall.” ― Steve Quinlan": a quoted sentence signed with a dash is prose, not a heading
_SIGNED_QUOTE = re.compile(r"[.!?…][”\"]\s*[―—–]\s*\w")


def normalise_line(line: str) -> str:
    """Fold case, quotes and spacing so a repeated headline matches its first appearance."""
    line = line.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(line.casefold().split())


def _is_prose(text: str, words: int) -> bool:
    """A line reads as prose when it ends like a sentence or is too long to be a heading."""
    if words >= 25 or _SENTENCE_END.search(text, max(0, len(text) - 8)):  # only the line's end can match
        return True
    return any(dash in text for dash in "―—–") and bool(_SIGNED_QUOTE.search(text))


def _lines(text: str) -> list[tuple[int, int, str]]:
    """Return the non-blank lines of text with their offsets, surrounding spaces trimmed."""
    lines = []
    cursor = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lead = len(body) - len(body.lstrip())
        stripped = body.strip()
        if stripped:
            lines.append((cursor + lead, cursor + lead + len(stripped), stripped))
        cursor += len(line)
    return lines


def _looks_captioned(line: str) -> bool:
    lower = line.lower()
    if (
        "photo" not in lower
        and "image" not in lower
        and "picture" not in lower
        and "getty" not in lower
        and "reuters/" not in lower
    ):
        return False  # a quick test: most lines name no picture at all
    return bool(_CAPTION_MARK.search(line))


def _looks_like_heading(line: str) -> bool:
    words = len(_WORD.findall(line))
    return words > 0 and not _FURNITURE.match(normalise_line(line)) and not _is_prose(line, words)


def _headline_of(lines: list[tuple[int, int, str]]) -> str | None:
    """The headline is the last heading-like line before the first paragraph of prose (near the top)."""
    candidates = []
    for _start, _end, line in lines[:6]:
        if _looks_like_heading(line):
            candidates.append(line)
        elif not _FURNITURE.match(normalise_line(line)):
            break
    return candidates[-1] if candidates else None


def split_blocks(text: str, *, title: str | None = None) -> list[Block]:
    """Split text into lines and classify each; offsets point into text."""
    raw = _lines(text)
    headline = normalise_line(title or _headline_of(raw) or "") or None
    blocks: list[Block] = []
    headlines_seen = 0
    for start, end, line in raw:
        words = len(_WORD.findall(line, 0, 400))  # only "none" and "25 or more" matter: the first 400 characters tell
        norm = normalise_line(line)
        if _FURNITURE.match(norm) or words == 0:
            kind = "furniture"
        elif norm == headline:
            kind = "headline"
            headlines_seen += 1
        elif _looks_captioned(line) or (
            blocks and blocks[-1].kind == "headline" and headlines_seen > 1 and not _is_prose(line, words)
        ):
            # Sites repeat the headline as an image's alt text and put the caption under it.
            kind = "caption"
        elif _is_prose(line, words):
            kind = "prose"
        else:
            kind = "heading"
        blocks.append(Block(start, end, line, kind))
    return blocks


def guess_title(text: str) -> str | None:
    """Return the line that reads as the article's headline, if the text carries one."""
    return _headline_of(_lines(text))
