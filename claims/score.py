"""Check-worthiness: how much a claim is worth a checker's time, in [0, 1], and what kind it is.

The score comes from a linear model learned from CLEF-2019 CheckThat! task 1 (see claims/training/):
its weights ship as claims/data/checkworthiness.json and are applied here in plain Python.
The kind comes from the hand-written rules below, which can also be blended into the score.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any

MODEL_FILE = "data/checkworthiness.json"

_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|trillion|dozens?|half|third|quarter|double|twice|triple)\b"
)
_QUANTITY = re.compile(
    r"\d[\d,.]*\s*(?:%|percent|per cent|km|kilomet|mile|metre|meter|tonne|ton|megawatt|gigawatt|"
    r"degrees|euros?|dollars?|\$|£|€|people|troops|soldiers|votes|homes|children|members|workers|"
    r"days|weeks|months|years|doses|million|billion)|[$£€]\s*\d"
)
_NAME = re.compile(r"(?<=[\s(“\"])[A-Z][\w’'-]+")
_QUOTE = re.compile(r"[“”\"]")
_HEDGE = re.compile(
    r"\b(?:could|might|may|would\s+be|perhaps|possibly|probably|likely|unlikely|seems?|appears?\s+to|"
    r"regarded\s+as|considered|believe[sd]?|think|thinks|opinion|arguably|should|must|hope[sd]?|feel|feels|"
    r"suggests?|speculat\w*|reportedly|allegedly|supposedly|whether|open\s+question|doubt)\b"
)
_OPINION = re.compile(
    r"\b(?:too\s+\w+|best|worst|great|terrible|disgrace\w*|shameful|wonderful|unfair|fair|"
    r"should|must|ought)\b"
)
_EVENT = re.compile(
    r"\b(?:began|begun|started|launched|held|met|signed|joined|announced|arrived|killed|destroyed|"
    r"approved|passed|voted|won|lost|attacked|struck|visited|opened|closed|reopened|elected)\b"
)

# The learned model's words: lower-cased words (with their apostrophe part), numbers as one token "0",
# and the signs that matter on their own ($ % ?).
_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d[\d,.]*|[$%?£€]")


def rule_score(text: str, *, has_dates: bool, attributed: bool) -> tuple[float, str]:
    """Return the hand-written rules' (score in [0, 1], kind) for a claim's text."""
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

    return round(score, 3), _kind(
        question=question, hedged=hedged, quantity=quantity, numbers=numbers, quoted=quoted, has_dates=has_dates
    )


def rule_kind(text: str, *, has_dates: bool) -> str:
    """Return the rules' kind of a claim alone (what the pipeline needs when no rule score is blended in)."""
    lower = text.lower()
    question = text.rstrip(" ”\"'’").endswith("?")
    quantity = bool(_QUANTITY.search(lower))
    hedged = not question and not quantity and bool(_HEDGE.search(lower))
    numbers = not question and not hedged and not quantity and bool(_NUMBER.search(lower))
    quoted = not (question or hedged or quantity or numbers and not has_dates) and len(_QUOTE.findall(text)) >= 2
    return _kind(
        question=question, hedged=hedged, quantity=quantity, numbers=numbers, quoted=quoted, has_dates=has_dates
    )


def _kind(*, question: bool, hedged: int | bool, quantity: bool, numbers: bool, quoted: bool, has_dates: bool) -> str:
    if question:
        return "question"
    if hedged and not quantity:
        return "opinion"
    if quantity or numbers and not has_dates:
        return "quantity"
    if quoted:
        return "quote"
    return "event" if has_dates else "statement"


def claim_features(text: str) -> list[str]:
    """Return the learned model's features of a claim's text: its words and word pairs."""
    words = ["0" if token[0].isdigit() else token for token in _TOKEN.findall(text.lower())]
    features = ["w:" + word for word in words]
    previous = "<s>"
    for word in words:
        features.append(f"b:{previous} {word}")
        previous = word
    features.append(f"b:{previous} </s>")
    return features


class Scorer:
    """A learned check-worthiness model: a bias, feature weights and the weight given to the rule score."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.bias = float(model["bias"])
        self.weights: dict[str, float] = model["weights"]
        self.rule_weight = float(model.get("rule_weight", 0.0))
        # the same weights keyed the way logit looks them up, so no feature string is built per claim
        self._words = {k[2:]: w for k, w in self.weights.items() if k.startswith("w:")}
        self._pairs = {tuple(k[2:].split(" ", 1)): w for k, w in self.weights.items() if k.startswith("b:")}

    def logit(self, text: str, rule: float = 0.5) -> float:
        """Return the model's log-odds that a claim is check-worthy (claim_features' weights, each once)."""
        words = ["0" if token[0].isdigit() else token for token in _TOKEN.findall(text.lower())]
        word, pair = self._words.get, self._pairs.get
        total = self.bias + self.rule_weight * (rule - 0.5)
        for feature in dict.fromkeys(words):  # each once, in text order: the same sum every run
            total += word(feature, 0.0)
        for feature in dict.fromkeys(zip(["<s>", *words], [*words, "</s>"])):
            total += pair(feature, 0.0)
        return total

    def score(self, text: str, rule: float = 0.5) -> float:
        """Return the check-worthiness of a claim's text in [0, 1]."""
        logit = self.logit(text, rule)
        if logit >= 0:  # the logistic function in the form that cannot overflow
            return 1.0 / (1.0 + math.exp(-logit))
        odds = math.exp(logit)
        return odds / (1.0 + odds)


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """Return the scorer built from the weights shipped with the package (read once)."""
    with resources.files("claims").joinpath(MODEL_FILE).open(encoding="utf-8") as handle:
        return Scorer(json.load(handle))


def score_claim(text: str, *, has_dates: bool, attributed: bool, scorer: Scorer | None = None) -> tuple[float, str]:
    """Return (check-worthiness in [0, 1], kind) for a claim's text; scorer defaults to the shipped model."""
    scorer = scorer or default_scorer()
    if scorer.rule_weight == 0.0:  # the shipped model blends no rules in: only their kind is needed
        return round(scorer.score(text), 4), rule_kind(text, has_dates=has_dates)
    rule, kind = rule_score(text, has_dates=has_dates, attributed=attributed)
    return round(scorer.score(text, rule), 4), kind
