"""Check-worthiness: how much a claim is worth a checker's time, in [0, 1], and what kind it is."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                     r"fifty|hundred|thousand|million|billion|trillion|dozens?|half|third|quarter|double|twice|triple)\b")
_QUANTITY = re.compile(r"\d[\d,.]*\s*(?:%|percent|per cent|km|kilomet|mile|metre|meter|tonne|ton|megawatt|gigawatt|"
                       r"degrees|euros?|dollars?|\$|£|€|people|troops|soldiers|votes|homes|children|members|workers|"
                       r"days|weeks|months|years|doses|million|billion)|[$£€]\s*\d")
_NAME = re.compile(r"(?<=[\s(“\"])[A-Z][\w’'-]+")
_QUOTE = re.compile(r"[“”\"]")
_HEDGE = re.compile(
    r"\b(?:could|might|may|would\s+be|perhaps|possibly|probably|likely|unlikely|seems?|appears?\s+to|"
    r"regarded\s+as|considered|believe[sd]?|think|thinks|opinion|arguably|should|must|hope[sd]?|feel|feels|"
    r"suggests?|speculat\w*|reportedly|allegedly|supposedly|whether|open\s+question|doubt)\b")
_OPINION = re.compile(r"\b(?:too\s+\w+|best|worst|great|terrible|disgrace\w*|shameful|wonderful|unfair|fair|"
                      r"should|must|ought)\b")
_EVENT = re.compile(r"\b(?:began|begun|started|launched|held|met|signed|joined|announced|arrived|killed|destroyed|"
                    r"approved|passed|voted|won|lost|attacked|struck|visited|opened|closed|reopened|elected)\b")


def score_claim(text: str, *, has_dates: bool, attributed: bool) -> tuple[float, str]:
    """Return (check-worthiness in [0, 1], kind) for a claim's text."""
    score = 0.3
    lower = text.lower()  # the word patterns are written in lower case: faster than IGNORECASE
    numbers = bool(_NUMBER.search(lower))
    quantity = bool(_QUANTITY.search(lower))
    names = len(_NAME.findall(" " + text))
    quoted = len(_QUOTE.findall(text)) >= 2
    hedged = len(_HEDGE.findall(lower))
    question = text.rstrip(" ”\"'’").endswith("?")
    if numbers:
        score += 0.15
    if quantity:
        score += 0.15
    if has_dates:
        score += 0.1
    score += min(names, 3) * 0.05
    if attributed:
        score += 0.1
    if quoted:
        score += 0.05
    if _EVENT.search(lower):
        score += 0.05
    score -= 0.12 * min(hedged, 2)
    if _OPINION.search(lower) and not numbers:
        score -= 0.1
    if question:
        score -= 0.3
    if len(text.split()) < 6:
        score -= 0.15
    score = max(0.0, min(1.0, score))

    if question:
        kind = "question"
    elif hedged and not quantity:
        kind = "opinion"
    elif quantity or numbers and not has_dates:
        kind = "quantity"
    elif quoted:
        kind = "quote"
    elif has_dates:
        kind = "event"
    else:
        kind = "statement"
    return round(score, 3), kind
