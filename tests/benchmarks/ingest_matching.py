"""Ingest with and without matching: the same articles into two databases holding the same fact-checks.

Both databases get the 10,375 CLEF-2020 verified claims as ClaimReview records (read from ../shared at run
time) and 200 earlier claims with final verdicts; then the project's sample articles are ingested (each
one --rounds times, a line added so no two texts are equal). The second database runs with matching
switched off (the ingest service's matching steps, the search of both indexes, proposals and grouping with open
claims, replaced by no-ops).
The two take turns article by article (which goes first alternates). Prints mean ms per article, wall-clock
and this process's CPU time.

    .venv/bin/python -m tests.benchmarks.ingest_matching [--rounds 20]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from sqlmodel import Session, select

from tests.benchmarks.claim_retrieval import DATA, read_tsv
from workbench import create_app
from workbench.db import get_engine, upgrade_schema
from workbench.models import Claim, Status
from workbench.services import ingest as ingest_service
from workbench.services.claimreview_import import import_claimreviews
from workbench.services.matching import forget_matchers

SAMPLES = Path(__file__).resolve().parents[2] / "workbench" / "samples"


def _engine(url: str, folder: str):
    app = create_app(
        {"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "benchmark", "WORKBENCH_INSTANCE_PATH": folder}
    )
    return get_engine(app)


def _prepare(engine) -> None:
    upgrade_schema(engine)
    items = [
        {
            "@type": "ClaimReview",
            "url": f"https://verified-claims.test/{doc_id}",
            "claimReviewed": claim,
            "name": title,
            "author": "Snopes",
        }
        for doc_id, claim, title in read_tsv(DATA / "verified_claims.docs.tsv")
    ]
    with Session(engine, expire_on_commit=False) as session:
        import_claimreviews(session=session, items=items, actor=None)
        for number, path in enumerate(sorted(SAMPLES.glob("*.txt")) * 4):
            ingest_service.ingest_article(
                session=session, text=path.read_text() + f"\n\nEarlier copy {number}.", actor=None
            )
        for claim in session.exec(select(Claim).limit(200)):
            claim.status, claim.rationale = Status.false, "Checked earlier."
            session.add(claim)
        session.commit()


def _ingest_both(with_db, without_db, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall-clock and CPU ms per article (this process's CPU time: less moved by other work on the machine).

    The two databases take turns article by article, so a change in the machine's load weighs on both alike.
    """
    texts = [p.read_text() for p in sorted(SAMPLES.glob("*.txt"))]
    timings: dict[str, tuple[list[float], list[float]]] = {"with": ([], []), "without": ([], [])}
    no_matching = [
        mock.patch.object(ingest_service, "search_new_claims", lambda **_: None),
        mock.patch.object(ingest_service, "propose_matches", lambda **_: 0),
        mock.patch.object(ingest_service, "find_leads", lambda *, session, texts, found=None: [None] * len(texts)),
    ]
    with Session(with_db, expire_on_commit=False) as matched, Session(without_db, expire_on_commit=False) as plain:
        ingest_service.ingest_article(session=matched, text="Warm-up. The index loads here.", actor=None)
        with contextlib.ExitStack() as stack:  # warmed up as it is measured: with no index built for it
            for patch in no_matching:
                stack.enter_context(patch)
            ingest_service.ingest_article(session=plain, text="Warm-up. The index loads here.", actor=None)
        for round_number in range(rounds):
            for number, text in enumerate(texts):
                text = f"{text}\n\nRound {round_number}."
                turns = [("with", matched), ("without", plain)]
                for name, session in turns if (round_number + number) % 2 else turns[::-1]:
                    with contextlib.ExitStack() as stack:
                        if name == "without":
                            for patch in no_matching:
                                stack.enter_context(patch)
                        started, cpu_started = time.perf_counter(), time.process_time()
                        ingest_service.ingest_article(session=session, text=text, actor=None)
                        timings[name][0].append((time.perf_counter() - started) * 1000)
                        timings[name][1].append((time.process_time() - cpu_started) * 1000)
    return timings


def main() -> None:
    """Print ms per article with and without matching."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        with_db, without_db = (
            _engine(f"sqlite:///{Path(folder) / name}", folder) for name in ("with.sqlite3", "without.sqlite3")
        )
        _prepare(with_db)
        _prepare(without_db)
        forget_matchers()
        timings = _ingest_both(with_db, without_db, args.rounds)
    (with_matching, with_cpu), (without_matching, without_cpu) = timings["with"], timings["without"]
    a, b = statistics.mean(with_matching), statistics.mean(without_matching)
    print(
        f"{len(with_matching)} articles: with matching {a:.1f} ms each (p95 "
        f"{sorted(with_matching)[int(len(with_matching) * 0.95)]:.1f}), without {b:.1f} ms "
        f"(p95 {sorted(without_matching)[int(len(without_matching) * 0.95)]:.1f}); ratio {a / b:.2f}"
    )
    c, d = statistics.mean(with_cpu), statistics.mean(without_cpu)
    print(f"CPU time of this process: with matching {c:.1f} ms each, without {d:.1f} ms; ratio {c / d:.2f}")


if __name__ == "__main__":
    main()
