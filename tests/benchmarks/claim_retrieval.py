"""Score "checked before" on CLEF-2020 CheckThat! claim retrieval: MAP@5 and time per query, through the CLI.

Reads ../shared/datasets/clef2020-claim-retrieval at run time (nothing of it is copied into the project):
the verified claims are written out as ClaimReview JSON Lines in a temporary folder, imported with
`workbench import-claimreview` into a fresh SQLite database, and the split's tweets are run through
`workbench similar --queries FILE --json`.

    .venv/bin/python tests/benchmarks/claim_retrieval.py [--split dev|train]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from claims.matching import analyse
from claims.training.matching_rerank import average_precision_at, collection_order, read_tsv

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "datasets" / "clef2020-claim-retrieval"
REVIEW_URL = "https://verified-claims.test/{}"


def run(split: str, shuffle: int | None = None) -> dict:
    """Import the collection, match the split's queries through the CLI, return MAP@5 and timings.

    shuffle: import the verified claims in an order shuffled with this seed, not the file's (see main).
    """
    workbench = [str(ROOT / ".venv" / "bin" / "workbench")]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        env = {
            **os.environ,
            "WORKBENCH_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "WORKBENCH_AUDIT_KEY": os.environ.get("WORKBENCH_AUDIT_KEY", "claim-retrieval-bench-" + "k" * 32),
        }
        reviews = folder / "reviews.jsonl"
        with reviews.open("w", encoding="utf-8") as out:
            for doc_id, claim, title in collection_order(read_tsv(DATA / "verified_claims.docs.tsv"), shuffle):
                out.write(
                    json.dumps(
                        {
                            "@context": "https://schema.org",
                            "@type": "ClaimReview",
                            "url": REVIEW_URL.format(doc_id),
                            "claimReviewed": claim,
                            "name": title,
                            "author": {"@type": "Organization", "name": "Snopes"},
                        }
                    )
                    + "\n"
                )
        queries = folder / "queries.tsv"
        rows = read_tsv(DATA / split / "tweets.queries.tsv")
        queries.write_text("".join(f"{qid}\t{' '.join(text.split())}\n" for qid, text in rows), encoding="utf-8")
        subprocess.run(workbench + ["init"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(workbench + ["import-claimreview", str(reviews)], env=env, check=True, capture_output=True)
        import_seconds = time.perf_counter() - started
        # Startup (interpreter, app, index load) is timed apart from the queries: one empty-ish run first.
        one = folder / "one.tsv"
        one.write_text("x\tnothing\n", encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(
            workbench + ["similar", "--queries", str(one), "--json"], env=env, check=True, capture_output=True
        )
        startup = time.perf_counter() - started
        started = time.perf_counter()
        done = subprocess.run(
            workbench + ["similar", "--queries", str(queries), "--json"], env=env, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"workbench similar failed: {done.stderr[-2000:]}")
        elapsed = time.perf_counter() - started
    relevant: dict[str, set[str]] = {}
    for line in (DATA / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        query_id, _, doc_id, _ = line.split("\t")
        relevant.setdefault(query_id, set()).add(REVIEW_URL.format(doc_id))
    answers = json.loads(done.stdout)
    scores = [
        average_precision_at([r["url"] for r in answer["results"]], relevant.get(answer["id"], set()))
        for answer in answers
    ]
    copy_of = identical_copies()
    scores_with_copies = [
        average_precision_at(
            counting_copies([r["url"] for r in answer["results"]], relevant.get(answer["id"], set()), copy_of),
            relevant.get(answer["id"], set()),
        )
        for answer in answers
    ]
    return {
        "split": split,
        "queries": len(answers),
        "map_at_5": sum(scores) / len(scores),
        "map_at_5_copies": sum(scores_with_copies) / len(scores_with_copies),
        "ms_per_query": max(elapsed - startup, 0) / len(answers) * 1000,
        "startup_s": startup,
        "import_s": import_seconds,
    }


def identical_copies() -> dict[str, str]:
    """Each verified claim's URL → a name for its text's terms: claims with the same terms are copies of each other."""
    return {
        REVIEW_URL.format(doc_id): " ".join(analyse(f"{claim} {title}").terms)
        for doc_id, claim, title in read_tsv(DATA / "verified_claims.docs.tsv")
    }


def counting_copies(ranked: list[str], relevant: set[str], copy_of: dict[str, str]) -> list[str]:
    """The ranking with an identical copy of a right answer counted as that answer (its first copy only).

    The collection holds claims with the same terms, which no matcher can tell apart; the split's pairs name one.
    """
    right = {copy_of.get(url): url for url in relevant}
    out, seen = [], set()
    for url in ranked:
        answer = url if url in relevant else right.get(copy_of.get(url))
        if answer is None:
            out.append(url)
        elif answer not in seen:
            seen.add(answer)
            out.append(answer)
        else:
            out.append(url + "#copy")  # a second copy of an answer already found counts for nothing
    return out


def main() -> None:
    """Print the figures for one split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "train"], default="dev")
    parser.add_argument(
        "--shuffle",
        type=int,
        metavar="SEED",
        help="Import the verified claims in a shuffled order: the file lists every claim a tweet is paired with "
        "first, and the engine's scores and ties depend on the order records were added.",
    )
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is missing")
    result = run(args.split, args.shuffle)
    order = "file order" if args.shuffle is None else f"shuffled order, seed {args.shuffle}"
    print(
        f"{result['split']} ({order}): {result['queries']} queries, MAP@5 {result['map_at_5']:.4f} "
        f"({result['map_at_5_copies']:.4f} counting an identical copy of a right answer as right), "
        f"{result['ms_per_query']:.2f} ms per query (plus {result['startup_s']:.2f} s startup and index load; "
        f"import {result['import_s']:.2f} s)"
    )


if __name__ == "__main__":
    main()
