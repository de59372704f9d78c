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
        (?:save\s+my\s+name|notify\s+me\s+of)\b.{0,120} | (?:name|email|website|comment)\s*\*?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CAPTION_MARK = re.compile(r"\((?:photo|image|picture|file photo)\b[^)]*\)\s*$|\b(?:getty images|ap photo|afp photo|reuters/)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]]\s*$")
_WORD = re.compile(r"\w[\w’'\-.]*")


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the input, with what it is: prose, heading, caption, headline or furniture."""

    start: int
    end: int
    text: str
    kind: str


def normalise_line(line: str) -> str:
    """Fold case, quotes and spacing so a repeated headline matches its first appearance."""
    line = line.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(line.casefold().split())


def _is_prose(text: str, words: int) -> bool:
    """A line reads as prose when it ends like a sentence or is too long to be a heading."""
    return bool(_SENTENCE_END.search(text)) or words >= 25


def split_blocks(text: str, *, title: str | None = None) -> list[Block]:
    """Split text into lines and classify each; offsets point into text."""
    raw: list[tuple[int, int, str]] = []
    cursor = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lead = len(body) - len(body.lstrip())
        stripped = body.strip()
        if stripped:
            raw.append((cursor + lead, cursor + lead + len(stripped), stripped))
        cursor += len(line)

    headline = normalise_line(title) if title else None
    seen_titles: set[str] = {headline} if headline else set()
    blocks: list[Block] = []
    for index, (start, end, line) in enumerate(raw):
        words = len(_WORD.findall(line))
        norm = normalise_line(line)
        if _FURNITURE.match(norm) or words == 0:
            kind = "furniture"
        elif norm in seen_titles:
            kind = "headline"
        elif _CAPTION_MARK.search(line) or (blocks and blocks[-1].kind == "headline" and not _is_prose(line, words)):
            # Sites repeat the headline as an image's alt text and put the caption under it.
            kind = "caption"
        elif _is_prose(line, words):
            kind = "prose"
        else:
            kind = "heading"
            if headline is None and words >= 3 and index < 3:
                seen_titles.add(norm)
                headline = norm
                kind = "headline"
        blocks.append(Block(start, end, line, kind))
    return blocks


def guess_title(text: str) -> str | None:
    """Return the line that reads as the article's headline, if the text carries one."""
    for block in split_blocks(text):
        if block.kind == "headline":
            return block.text
        if block.kind == "prose":
            return None
    return None
