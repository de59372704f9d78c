"""The text a checker reads in the queue: a claim's words made to stand alone.

`Claim.quote` is always the exact span of the article; `Claim.text` is this module's rewrite of it. Only
rewrites the text itself makes certain are done: a split relative clause takes its antecedent, a
pronoun that attribution already resolved becomes the name, sentence adverbs and a trailing "…,
Reuters reported" go (the source is a field of its own), and the first letter is a capital.
"""

from __future__ import annotations

import re

from .model import Attribution, Span

# Words that open a sentence without adding to its claim: "Moreover, the drills …".
_OPENING_ADVERB = re.compile(
    r"^(?:moreover|additionally|in addition|however|similarly|meanwhile|furthermore|also|still|"
    r"nevertheless|nonetheless|given this|instead|indeed|in fact|separately|likewise|besides|"
    r"at the same time|on the other hand|by contrast|in contrast|for its part|for his part|for her part),\s+",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"^(?:and|but|or|so|yet|while|whereas)\s+", re.IGNORECASE)
_RELATIVE = re.compile(r"^(?:that|which|who)\s+", re.IGNORECASE)
_WHERE = re.compile(r"^where\s+", re.IGNORECASE)
_PRONOUN_SUBJECT = re.compile(
    r"^(?:he|she)\b(?=\s+(?:said|says|told|added|wrote|noted|stated|argued|warned)\b)", re.IGNORECASE
)
# A trailing attribution after the last comma: ", reported Reuters.", ", the ministry said."
_TRAILING_CUE = re.compile(
    r",\s+(?:[^,]{0,60}\s)?(?:said|says|reported|reports|added|adds|wrote|told [^,]{1,40})"
    r"(?:\s[^,]{0,40})?[.!]?[”\"]?$"
)
_TRAILING_PREPOSITIONAL = re.compile(
    r"\s+(?:on|in|at|from|near|during|since|until|by|of|for|last|this|next)\s+[^\s,]+(?:\s+[^\s,]+){0,3}$"
)
_NP_STOP = {
    "the",
    "a",
    "an",
    "has",
    "have",
    "had",
    "is",
    "are",
    "was",
    "were",
    "will",
    "would",
    "to",
    "of",
    "and",
    "its",
    "their",
    "his",
    "her",
    "this",
    "that",
    "these",
    "those",
    "with",
    "as",
    "by",
    "for",
    "on",
    "in",
}


def readable_text(part: Span, sentence: Span, attribution: Attribution, previous: Span | None) -> str:
    """Return the claim text a checker can read alone, for a part of a sentence (or the whole sentence)."""
    text = part.text
    if attribution.cue_start is not None and part.start <= attribution.cue_start < part.end:
        text = _drop_trailing_attribution(text, attribution.cue_start - part.start)
    text = _OPENING_ADVERB.sub("", text)
    text = _CONJUNCTION.sub("", text)
    if _RELATIVE.match(text) and previous is not None:
        antecedent = _antecedent(previous.text)
        if antecedent:
            text = _RELATIVE.sub(f"{antecedent} ", text, count=1)
    elif _WHERE.match(text) and previous is not None:
        place = _place(previous.text)
        if place:
            text = _WHERE.sub(f"In {place}, ", text, count=1)
    if attribution.speaker and attribution.carried and not attribution.speaker.islower():
        text = _PRONOUN_SUBJECT.sub(attribution.speaker, text, count=1)
    return _capitalised(text.strip())


def _drop_trailing_attribution(text: str, cue: int) -> str:
    match = _TRAILING_CUE.search(text)
    if match is None or match.start() < len(text) // 3 or cue < match.start():
        return text  # keep it unless the attribution's own cue sits in that tail
    body = text[: match.start()].rstrip()
    return body + ("." if body[-1:].isalnum() else "")


def _antecedent(previous: str) -> str | None:
    """The noun phrase a relative clause hangs from: the end of the part before it, minus any time or place."""
    clause = previous.rstrip(" ,;")
    for _ in range(2):  # "… drills near the border on Monday": drop trailing prepositional phrases
        shorter = _TRAILING_PREPOSITIONAL.sub("", clause)
        if shorter == clause or len(shorter.split()) < 2:
            break
        clause = shorter
    words = clause.split()
    phrase: list[str] = []
    for word in reversed(words):
        bare = word.strip("“”\"'’,.").lower()
        if not bare or bare in _NP_STOP or (phrase and bare.endswith(("ed", "en", "un", "ing"))) or len(phrase) == 3:
            break
        phrase.insert(0, word.strip(","))
    if not phrase or not phrase[-1].isalpha():
        return None
    return "The " + " ".join(phrase) if phrase[0][:1].islower() else " ".join(phrase)


def _place(previous: str) -> str | None:
    """The capitalised place a "where …" clause refers to: "… visit to Warsaw" → "Warsaw"."""
    match = re.search(r"\b(?:to|in|at|from)\s+((?:[A-Z][\w’'-]+\s?){1,3})[,.]?\s*$", previous)
    return match.group(1).strip() if match else None


def _capitalised(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
        if char not in "“\"‘'([":
            break
    return text


def is_question(text: str) -> bool:
    """A sentence that asks rather than states: not a claim."""
    return text.rstrip().rstrip("”\"’')").endswith("?")
