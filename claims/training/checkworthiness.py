"""Train the check-worthiness weights that claims/score.py applies, from CLEF-2019 CheckThat! task 1.

Run: python -m claims.training.checkworthiness --data ../shared/datasets/clef2019
The model is fitted on train/ only; dev/ only chooses the regularisation and the weight of the rule score.
Every dev figure is measured the way ../shared/tools/score_datasets.py does: each debate goes through
claims.extract as paragraphs, and a line scores the highest check-worthiness of the claims over it.
Same data, same file: the fit is deterministic and the weights are written rounded, with sorted keys.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from claims.model import Claim
from claims.pipeline import extract
from claims.score import MODEL_FILE, Scorer, claim_features, rule_score, score_claim

PACKAGE_FILE = Path(__file__).resolve().parents[1] / MODEL_FILE
C_GRID = (0.03, 0.1, 0.3, 1.0)  # inverse L2 regularisation strengths tried on dev
RULE_WEIGHTS = (0.0, 1.0, 2.0)  # log-odds added per unit of rule score, tried on dev
MIN_COUNT = 3  # a feature seen in fewer training claims gets no weight
DIGITS = 3  # weights are written with this many decimals


@dataclass
class Debate:
    """One CLEF-2019 file: its lines' text, their labels, and the claims the pipeline finds over each line."""

    name: str
    texts: list[str]
    labels: list[int]
    line_claims: list[list[Claim]]


def _published(name: str) -> dt.date:
    try:
        return dt.date(int(name[:4]), int(name[4:6]), int(name[6:8]))
    except ValueError:  # one file name has its month and day swapped
        return dt.date(int(name[:4]), int(name[6:8]), int(name[4:6]))


def read_debates(folder: Path) -> list[Debate]:
    """Read a split's `line speaker text label` files and run the extraction pipeline over each debate."""
    debates = []
    for path in sorted(folder.glob("*.tsv")):
        rows = [r.rstrip("\r").split("\t") for r in path.read_text(encoding="utf-8").split("\n") if r.strip()]
        text, spans = "", []
        for row in rows:
            spans.append((len(text), len(text) + len(row[2])))
            text += row[2] + "\n\n"
        found = extract(text, published=_published(path.name))
        line_claims = [[c for c in found if c.start < end and c.end > start] for start, end in spans]
        debates.append(Debate(path.name, [r[2] for r in rows], [int(r[3]) for r in rows], line_claims))
    return debates


def average_precision(labels: list[int], scores: list[float]) -> float:
    """Return the average precision of lines ranked by score (ties keep line order, as the official scorer)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits, total = 0, 0.0
    for rank, i in enumerate(order, 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / max(1, sum(labels))


class Example(NamedTuple):
    """A claim the pipeline found over a debate line, with the text of the lines before and after it."""

    claim: Claim
    before: str
    after: str


def line_examples(debate: Debate, index: int) -> list[Example]:
    """Return the claims over one line of a debate as examples."""
    before = debate.texts[index - 1] if index else ""
    after = debate.texts[index + 1] if index + 1 < len(debate.texts) else ""
    return [Example(claim, before, after) for claim in debate.line_claims[index]]


def mean_average_precision(debates: list[Debate], score: Callable[[Example], float]) -> float:
    """Return the MAP over debates when each line scores the best of its claims (0 without claims)."""
    aps = []
    for debate in debates:
        scores = [max(map(score, line_examples(debate, i)), default=0.0) for i in range(len(debate.texts))]
        aps.append(average_precision(debate.labels, scores))
    return sum(aps) / max(1, len(aps))


def _training_examples(debates: list[Debate]) -> tuple[list[Example], list[int]]:
    """Every claim the pipeline finds in the training debates, labelled with its line's label."""
    found, labels = [], []
    for debate in debates:
        for index, label in enumerate(debate.labels):
            for example in line_examples(debate, index):
                found.append(example)
                labels.append(label)
    return found, labels


def _fit_baseline(found: list[Example], labels: list[int]) -> Callable[[Example], float]:
    """The reference point: TF-IDF over word 1-2 grams and a logistic regression with scikit-learn's defaults."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LogisticRegression(max_iter=5000).fit(vectorizer.fit_transform([e.claim.text for e in found]), labels)
    return lambda example: float(model.decision_function(vectorizer.transform([example.claim.text]))[0])


def _shipped_features(example: Example) -> list[str]:
    return claim_features(example.claim.text)


def _fit(
    found: list[Example],
    labels: list[int],
    c_value: float,
    featurize: Callable[[Example], list[str]] = _shipped_features,
) -> dict[str, Any]:
    """Fit a logistic regression on binary features; return its bias and weights as written to the data file."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    feature_sets = [sorted(set(featurize(e))) for e in found]
    counts = Counter(f for features in feature_sets for f in features)
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    rows, cols = [], []
    for row, features in enumerate(feature_sets):
        for f in features:
            if f in vocabulary:
                rows.append(row)
                cols.append(vocabulary[f])
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(found), len(vocabulary)))
    model = LogisticRegression(C=c_value, max_iter=5000).fit(matrix, labels)
    positives = sum(labels)
    # Shift the intercept as if both classes were equally common: ranks stay the same, and the scores
    # spread around 0.5 instead of huddling near the 3 % of lines that fact-checkers picked.
    bias = float(model.intercept_[0]) + math.log((len(labels) - positives) / positives)
    weights = {f: round(float(w), DIGITS) for f, w in zip(vocabulary, model.coef_[0])}
    return {"bias": round(bias, DIGITS), "weights": {f: w for f, w in sorted(weights.items()) if w}}


# ------------------------------------------------------------------ richer features, measured but not shipped
_CLUES = {
    "number": re.compile(r"\d"),
    "percent": re.compile(r"\d\s*(?:%|percent)"),
    "money": re.compile(r"[$£€]\s*\d|\d\s*(?:dollars|million|billion|trillion)"),
    "year": re.compile(r"\b(?:1[89]|20)\d\d\b"),
    "comparison": re.compile(
        r"\b(?:more|less|fewer|than|most|least|highest|lowest|largest|biggest|record|ever|"
        r"doubled?|tripled?|increased?|decreased?|rose|fell)\b"
    ),
    "name": re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+"),
}


def _with_characters(example: Example) -> list[str]:
    text = " ".join(example.claim.text.lower().split())
    return claim_features(example.claim.text) + ["c:" + text[i : i + 4] for i in range(len(text) - 3)]


def _with_shapes(example: Example) -> list[str]:
    claim = example.claim
    rule, kind = rule_score(claim.text, has_dates=bool(claim.dates), attributed=bool(claim.source or claim.speaker))
    shapes = [f"s:{name}" for name, pattern in _CLUES.items() if pattern.search(claim.text)]
    shapes += [f"s:kind {kind}", f"s:rule {int(rule * 5)}", f"s:words {min(len(claim.text.split()) // 5, 8)}"]
    shapes += ["s:dates"] * bool(claim.dates) + ["s:attributed"] * bool(claim.source or claim.speaker)
    return claim_features(claim.text) + shapes


def _with_context(example: Example) -> list[str]:
    around = [f"p:{f}" for f in claim_features(example.before) if f.startswith("w:")]
    around += [f"n:{f}" for f in claim_features(example.after) if f.startswith("w:")]
    return claim_features(example.claim.text) + around


ABLATIONS = {
    "+ character 4-grams": _with_characters,
    "+ structural features (numbers, percentages, money, years, "
    "comparatives, capitalised names, dates, attribution, rule kind and score, length)": _with_shapes,
    "+ words of the lines before and after": _with_context,
}


def ablations(data: Path) -> dict[str, tuple[float, float]]:
    """Return each feature set's best dev MAP over C_GRID (raw log-odds, no rule score) and the C that gave it."""
    train_debates, dev_debates = read_debates(data / "train"), read_debates(data / "dev")
    found, labels = _training_examples(train_debates)
    figures: dict[str, tuple[float, float]] = {}
    for name, featurize in {"words and word pairs (shipped)": _shipped_features, **ABLATIONS}.items():
        for c_value in C_GRID:
            model = _fit(found, labels, c_value, featurize)
            bias, weights = model["bias"], model["weights"]
            figure = mean_average_precision(dev_debates, _raw_scorer(bias, weights, featurize))
            if name not in figures or figure > figures[name][0]:
                figures[name] = (figure, c_value)
    return figures


def _raw_scorer(
    bias: float, weights: dict[str, float], featurize: Callable[[Example], list[str]]
) -> Callable[[Example], float]:
    """A model's raw log-odds for an example (no rule score), bound to this model's weights."""
    return lambda e: bias + sum(weights.get(f, 0.0) for f in dict.fromkeys(featurize(e)))


def _logit_scorer(scorer: Scorer) -> Callable[[Example], float]:
    return lambda e: scorer.logit(e.claim.text)


def cross_validate(data: Path, c_value: float) -> dict[str, float]:
    """Return MAP over the train debates, each scored by a model fitted on the other train debates."""
    debates = read_debates(data / "train")
    sums = {"old rules": 0.0, "baseline TF-IDF 1-2 grams + LR": 0.0, f"shipped features (C {c_value})": 0.0}
    for held_out in debates:
        found, labels = _training_examples([d for d in debates if d is not held_out])
        scorer = Scorer(_fit(found, labels, c_value))
        for name, score in zip(sums, (_rules, _fit_baseline(found, labels), _logit_scorer(scorer))):
            sums[name] += mean_average_precision([held_out], score)
    return {name: total / len(debates) for name, total in sums.items()}


def _rules(example: Example) -> float:
    claim = example.claim
    return rule_score(claim.text, has_dates=bool(claim.dates), attributed=bool(claim.source or claim.speaker))[0]


def train(data: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit on data/train, choose on data/dev; return (the model to ship, a report of dev MAP figures)."""
    train_debates, dev_debates = read_debates(data / "train"), read_debates(data / "dev")
    found, labels = _training_examples(train_debates)
    if not 0 < sum(labels) < len(labels):
        raise ValueError(
            f"{data / 'train'}: need both check-worthy and other lines, got {sum(labels)} check-worthy of {len(labels)}"
        )

    def shipped(scorer: Scorer) -> Callable[[Example], float]:
        return lambda e: score_claim(
            e.claim.text,
            has_dates=bool(e.claim.dates),
            attributed=bool(e.claim.source or e.claim.speaker),
            scorer=scorer,
        )[0]

    grid: list[dict[str, float]] = []
    report: dict[str, Any] = {
        "train": f"{len(train_debates)} debates, {len(labels)} claims, {sum(labels)} check-worthy",
        "dev": f"{len(dev_debates)} debates, {sum(len(d.labels) for d in dev_debates)} lines",
        "rules": mean_average_precision(dev_debates, _rules),
        "baseline": mean_average_precision(dev_debates, _fit_baseline(found, labels)),
        "grid": grid,
    }
    best: tuple[float, float, dict[str, Any]] | None = None
    for c_value in C_GRID:
        model = _fit(found, labels, c_value)
        for rule_weight in RULE_WEIGHTS:
            candidate = dict(model, rule_weight=rule_weight)
            figure = mean_average_precision(dev_debates, shipped(Scorer(candidate)))
            grid.append({"C": c_value, "rule_weight": rule_weight, "dev_map": figure})
            if best is None or figure > best[0]:  # strictly better: ties keep the simpler, earlier choice
                best = (figure, c_value, candidate)
    assert best is not None, "C_GRID and RULE_WEIGHTS are not empty"
    figure, c_value, model = best
    report["shipped"] = figure
    model = {
        "about": "Check-worthiness weights learned from CLEF-2019 CheckThat! task 1 (train split); "
        "features are claims.score.claim_features. Rebuild: python -m claims.training.checkworthiness",
        "C": c_value,
        "min_count": MIN_COUNT,
        "dev_map": round(figure, 4),
        **model,
    }
    return model, report


def write_model(model: dict[str, Any], path: Path) -> None:
    """Write the model as compact, key-sorted JSON (the same model gives the same bytes)."""
    path.write_text(
        json.dumps(model, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> None:
    """Train, print the dev figures and write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with train/ and dev/ of CLEF-2019 task 1")
    parser.add_argument("--out", type=Path, default=PACKAGE_FILE, help="where to write the weights")
    parser.add_argument(
        "--ablations",
        action="store_true",
        help="also measure richer feature sets on dev (not shipped: none beat the words)",
    )
    parser.add_argument(
        "--cross-validate",
        action="store_true",
        help="also measure leave-one-debate-out MAP over train (a second, larger check than dev)",
    )
    args = parser.parse_args(argv)
    model, report = train(args.data)
    print(f"train: {report['train']}; dev: {report['dev']}")
    for row in report["grid"]:
        print(f"  C {row['C']:<5} rule weight {row['rule_weight']:<4} dev MAP {row['dev_map']:.4f}")
    print(
        f"dev MAP  old rules {report['rules']:.4f}  |  baseline TF-IDF 1-2 grams + LR {report['baseline']:.4f}  |  "
        f"shipped (C {model['C']}, rule weight {model['rule_weight']}) {report['shipped']:.4f}"
    )
    write_model(model, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(model['weights']):,} weights)")
    if args.ablations:
        print("richer features, each at its best C, scored by raw log-odds without the rule score:")
        for name, (figure, c_value) in ablations(args.data).items():
            print(f"  dev MAP {figure:.4f} (C {c_value})  {name}")
    if args.cross_validate:
        print("leave-one-debate-out over train:")
        for name, figure in cross_validate(args.data, model["C"]).items():
            print(f"  MAP {figure:.4f}  {name}")


if __name__ == "__main__":
    main()
