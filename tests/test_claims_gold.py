"""The claims library against hand-made reference annotations: the example article and our own samples."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import claims
from tests.conftest import SHARED
from tests.gold import check_against_gold

SAMPLES = Path(__file__).parent / "samples"
FRAGMENT = re.compile(r"^(?:[a-z]|(?:And|But|Or|So|Yet|While|Whereas|That|Which|Who|Where|Whom)\b)")
PACKAGE_SAMPLES = Path(claims.__file__).resolve().parent.parent / "workbench" / "samples"


def _cases():
    cases = []
    corpus = SHARED / "corpus"
    for gold_file in sorted(corpus.glob("*.gold.json")) if corpus.is_dir() else []:
        cases.append(pytest.param(corpus, gold_file, id=f"shared:{gold_file.stem}"))
    if not cases:
        cases.append(
            pytest.param(
                None,
                None,
                id="shared-corpus",
                marks=pytest.mark.skip(reason="../shared/corpus is not present on this machine"),
            )
        )
    for gold_file in sorted(SAMPLES.glob("*.gold.json")):
        article = json.loads(gold_file.read_text(encoding="utf-8"))["article"]
        folder = SAMPLES if (SAMPLES / article).exists() else PACKAGE_SAMPLES  # test-only samples sit beside their gold
        cases.append(pytest.param(folder, gold_file, id=f"sample:{gold_file.stem}"))
    return cases


def _extract(folder: Path, gold: dict):
    path = folder / gold["article"]
    published = dt.date.fromisoformat(gold["published"])
    if path.suffix == ".html":
        meta, found = claims.extract_html(path.read_text(encoding="utf-8"), published=published)
        return meta.text, found
    text = path.read_text(encoding="utf-8")
    return text, claims.extract(text, published=published, title=claims.guess_title(text))


@pytest.mark.parametrize(("folder", "gold_file"), _cases())
def test_extraction_meets_reference_annotation(folder, gold_file):
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    text, found = _extract(folder, gold)
    assert all(text[c.start : c.end] == c.quote for c in found), "every quote must be the exact span of the text"
    assert all(c.sentence_start <= c.start and c.end <= c.sentence_end for c in found)
    for claim in found:  # what a checker reads in the queue stands on its own
        assert not FRAGMENT.match(claim.text), f"claim text reads as a fragment: {claim.text!r}"
        assert not claim.text.rstrip('”"’) ').endswith("?"), f"a question is not a claim: {claim.text!r}"
    report = check_against_gold(text, found, gold)
    assert report.checked == len(gold["claims"])
    assert not report.problems, "\n".join(report.problems)


def test_gold_checker_catches_wrong_source_and_missing_anchor():
    text = "Alpha said the river rose 3 metres on Monday.\n\nMenu\n"
    gold = {
        "claims": [
            {"id": "a", "anchor": "river rose 3 metres", "source": "Bravo"},
            {"id": "b", "anchor": "on Monday", "source": None, "dates": ["2024-07-08"]},
        ],
        "not_claims": ["Menu"],
    }
    found = claims.extract(text, published=dt.date(2024, 7, 9))
    problems = check_against_gold(text, found, gold).problems
    assert any(p.startswith("a: want source='Bravo'") for p in problems)
    assert not any(p.startswith("b:") for p in problems)
