"""The learned check-worthiness score: the shipped weights, pure-Python inference, and the training command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import claims
from claims.score import MODEL_FILE, Scorer, default_scorer, rule_score, score_claim

CHECKWORTHY = [
    "Unemployment fell to 3.9 percent last year, the lowest rate since 1969.",
    "We spent $6 trillion on wars in the Middle East over the past 17 years.",
    "The state cut its education budget by 12 percent in 2017.",
    "Crime in our largest cities has gone up 40 percent since the law was passed.",
    "The company moved 2,000 jobs to Mexico after it received a tax break.",
]
CHIT_CHAT = [
    "Thank you very much.",
    "Good evening, everyone, and welcome.",
    "What would you do about that?",
    "It is great to be here with all of you tonight.",
    "Let me finish, please.",
]


def _score(text: str) -> float:
    return score_claim(text, has_dates=False, attributed=False)[0]


def test_shipped_weights_rank_claims_of_fact_above_chit_chat():
    worst_fact = min(_score(t) for t in CHECKWORTHY)
    best_chat = max(_score(t) for t in CHIT_CHAT)
    assert worst_fact > best_chat, (worst_fact, best_chat)
    assert worst_fact > 0.5 > best_chat


def test_pipeline_scores_come_from_the_shipped_model_and_kind_from_the_rules():
    text = "\n\n".join(CHECKWORTHY[:1] + CHIT_CHAT[3:4]) + "\n"
    fact, chat = claims.extract(text)  # (a question would not be extracted at all: it claims nothing)
    rule, _ = rule_score(fact.text, has_dates=bool(fact.dates), attributed=bool(fact.source or fact.speaker))
    assert fact.checkworthiness == round(default_scorer().score(fact.text, rule), 4) != rule
    assert fact.checkworthiness > chat.checkworthiness
    assert (fact.kind, chat.kind) == ("quantity", "event")


@pytest.mark.parametrize("text", ["", "?", "0" * 5000, "the " * 3000, "Ünïcödé “quotes” — 100 % £5 €7 ’tis"])
def test_scores_stay_between_zero_and_one(text):
    score, kind = score_claim(text, has_dates=True, attributed=True)
    assert 0.0 <= score <= 1.0 and kind


def test_extreme_weights_still_give_a_score_in_range():
    loud = Scorer({"bias": 500.0, "weights": {"w:war": 1e6}})
    quiet = Scorer({"bias": -500.0, "weights": {}})
    assert loud.score("war war war") == 1.0 and 0.0 <= quiet.score("peace") < 1e-100
    assert score_claim("war", has_dates=False, attributed=False, scorer=quiet)[0] == 0.0


def test_shipped_file_is_learned_weights_not_text_and_small():
    handle = resources.files("claims").joinpath(MODEL_FILE)
    model = json.loads(handle.read_text(encoding="utf-8"))
    assert set(model) >= {"bias", "weights", "rule_weight", "about"}
    assert len(model["weights"]) > 1000 and all(isinstance(w, float) for w in model["weights"].values())
    assert all(k.startswith(("w:", "b:")) for k in model["weights"])
    assert len(handle.read_bytes()) < 400_000


def test_inference_imports_no_training_library():
    code = (
        "import sys, claims; claims.extract('The army sent 4,000 troops to Brest on Monday.'); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'sklearn', 'scipy', 'numpy'} "
        "or m.startswith('claims.training')); print(bad); assert not bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scores_do_not_depend_on_the_process_hash_seed():
    code = (
        "import claims.score as s; texts = "
        + repr(CHECKWORTHY + CHIT_CHAT)
        + "; print([s.default_scorer().logit(t) for t in texts])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1 and outputs.pop().startswith("[")


# ------------------------------------------------------------------ the training command on a tiny synthetic set
FACTS = [
    "Exports rose {n} percent in {y}.",
    "The city hired {n} new teachers in {y}.",
    "Taxes went up by ${n} billion since {y}.",
    "We lost {n},000 factory jobs in {y}.",
]
CHATTER = [
    "Thank you all for coming tonight.",
    "Good evening and welcome to everyone here.",
    "Let me answer that question for you now.",
    "What do you think about it, Senator?",
]


def _write_debate(path: Path, seed: int) -> None:
    rows = []
    for i in range(24):
        if i % 3 == 0:
            text, label = FACTS[(i + seed) % len(FACTS)].format(n=11 + i + seed, y=1990 + i), 1
        else:
            text, label = CHATTER[(i + seed) % len(CHATTER)], 0
        rows.append(f"{i + 1}\tSPEAKER\t{text}\t{label}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture()
def tiny_data(tmp_path):
    for split, names in {
        "train": ["20160101_a.tsv", "20160202_b.tsv", "20160303_c.tsv"],
        "dev": ["20170101_d.tsv"],
    }.items():
        (tmp_path / split).mkdir()
        for seed, name in enumerate(names):
            _write_debate(tmp_path / split / name, seed + (10 if split == "dev" else 0))
    return tmp_path


def test_training_learns_from_data_and_is_deterministic(tiny_data, tmp_path):
    pytest.importorskip("sklearn")
    from claims.training.checkworthiness import train, write_model

    model, report = train(tiny_data)
    scorer = Scorer(model)
    assert scorer.score("Imports rose 30 percent in 2001.") > 0.5 > scorer.score("Thank you all for coming tonight.")
    assert report["shipped"] == max(row["dev_map"] for row in report["grid"]) > 0.9
    assert {"rules", "baseline"} <= set(report) and 0 <= report["baseline"] <= 1
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    write_model(model, first)
    write_model(train(tiny_data)[0], second)
    assert first.read_bytes() == second.read_bytes()


def test_training_refuses_data_without_both_labels(tiny_data):
    pytest.importorskip("sklearn")
    from claims.training.checkworthiness import train

    for path in (tiny_data / "train").glob("*.tsv"):
        path.write_text(path.read_text(encoding="utf-8").replace("\t1\n", "\t0\n"), encoding="utf-8")
    with pytest.raises(ValueError, match="both check-worthy and other lines"):
        train(tiny_data)


def test_kind_alone_matches_the_rules_kind():
    """The pipeline asks only for the kind when no rule score is blended in; it must be the same kind."""
    from claims.score import rule_kind

    texts = (
        CHECKWORTHY
        + CHIT_CHAT
        + [
            "It may rise 5% next year.",
            "He said “no” and “never” to the plan.",
            "We had 3 of them on Monday.",
            "Prices could fall.",
            "“Stop,” she said.",
            "The vote was held on May 3.",
            "Is it 40 miles?",
        ]
    )
    for has_dates in (False, True):
        for text in texts:
            assert rule_kind(text, has_dates=has_dates) == rule_score(text, has_dates=has_dates, attributed=False)[1]
