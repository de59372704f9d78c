"""Side by side with Label Studio: list, search, one item and a write, p50/p95 ranges and the ratios.

Run: .venv/bin/python -m tests.benchmarks.compare --url WORKBENCH_DB_URL [--repeat 3] [--runs 40]
       [--label-studio-url http://127.0.0.1:8080] [--label-studio-token TOKEN] [--label-studio-project ID]
       [--seed 100000]
Label Studio is never installed into this project: run it from its own environment (for example
`/opt/ls/bin/label-studio start --port 8080`) and point this at it with the flags or LABEL_STUDIO_URL,
LABEL_STUDIO_TOKEN (an account's API token) and LABEL_STUDIO_PROJECT. `--seed N` copies N claims of the workbench
database into a new Label Studio project first (tasks with data.text), so both hold the same claims. Without a
reachable Label Studio the comparison is skipped with a message, and the workbench side alone is not printed
(review_latency does that). One client alternates the two servers, so both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import requests
from sqlalchemy import make_url, text

from tests.benchmarks.harness import (
    Bench,
    Figure,
    add_common_arguments,
    existing_database,
    load_average,
    served,
    signed_in,
)
from workbench.db import make_engine

LABEL_CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="verdict" toName="text">'
    '<Choice value="verified"/><Choice value="false"/><Choice value="misleading"/></Choices></View>'
)
SEARCH_WORD = "grain"


def label_studio(args) -> requests.Session | None:
    """A session on the Label Studio server, or None (with the reason printed) when there is none to compare."""
    if not args.label_studio_url or not args.label_studio_token:
        print(
            "compare: skipped — Label Studio is not configured. Run it from its own environment and set "
            "LABEL_STUDIO_URL and LABEL_STUDIO_TOKEN (or --label-studio-url/--label-studio-token)."
        )
        return None
    session = requests.Session()
    session.headers["Authorization"] = f"Token {args.label_studio_token}"
    try:
        response = session.get(args.label_studio_url.rstrip("/") + "/api/projects", timeout=10)
    except requests.RequestException as error:
        print(f"compare: skipped — Label Studio at {args.label_studio_url} is not reachable ({error}).")
        return None
    if response.status_code != 200:
        print(f"compare: skipped — Label Studio answered {response.status_code} to /api/projects (token?).")
        return None
    return session


def seed_project(ls: requests.Session, base: str, url: str, count: int) -> int:
    """Create a Label Studio project holding the first `count` claims of the workbench database; return its id."""
    project = ls.post(base + "/api/projects", json={"title": "workbench comparison", "label_config": LABEL_CONFIG})
    project.raise_for_status()
    project_id = project.json()["id"]
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, text FROM claim ORDER BY id LIMIT :n"), {"n": count}).all()
    engine.dispose()
    for start in range(0, len(rows), 1000):
        batch = [
            {"data": {"text": claim_text, "claim_id": claim_id}} for claim_id, claim_text in rows[start : start + 1000]
        ]
        ls.post(f"{base}/api/projects/{project_id}/import", json=batch, timeout=600).raise_for_status()
    print(f"compare: seeded Label Studio project {project_id} with {len(rows):,} claims")
    return project_id


def _search_query() -> str:
    """Label Studio's data manager filter for tasks whose text contains the search word."""
    filters = {
        "conjunction": "and",
        "items": [{"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": SEARCH_WORD}],
    }
    return json.dumps({"filters": filters})


def run(args) -> int:
    """Measure both servers operation by operation and print the ratios."""
    ls = label_studio(args)
    if ls is None:
        return 0
    ls_base = args.label_studio_url.rstrip("/")
    url = args.url[0]
    existing_database(url)
    project = seed_project(ls, ls_base, url, args.seed) if args.seed else args.label_studio_project
    if not project:
        print("compare: skipped — name the Label Studio project (--label-studio-project) or seed one (--seed N).")
        return 0
    with served(url, args.server_root) as base:
        session, token = signed_in(base)
        ours = Bench(base, session, args.runs, args.repeat)
        theirs = Bench(ls_base, ls, args.runs, args.repeat)
        theirs.floor = ours.floor  # type: ignore[method-assign]  # one bare endpoint: the workbench's
        task = ls.get(f"{ls_base}/api/tasks", params={"project": project, "page_size": 1}, timeout=60).json()
        task_id = (task.get("tasks") or task.get("results") or [{}])[0].get("id")
        claim_id = session.get(base + "/api/v1/claims", timeout=60).json()["items"][0]["id"]
        pairs = [
            ("list, 50", lambda: ours.get("list, 50", "/claims"), f"/api/tasks?project={project}&page_size=50"),
            (
                "search",
                lambda: ours.get("search", f"/claims?q={SEARCH_WORD}"),
                f"/api/tasks?project={project}&page_size=50&query={requests.utils.quote(_search_query())}",
            ),
            ("one item", lambda: ours.get("one item", f"/claims/{claim_id}"), f"/api/tasks/{task_id}"),
        ]
        for name, measure_ours, path in pairs:
            measure_ours()
            theirs.get(name, path)
        write_figures(ours, theirs, token, claim_id, ls_base, task_id)
        print(f"compare at {load_average()}: workbench {base}, Label Studio {ls_base} (project {project})")
        for name, mine in ours.figures.items():
            other = theirs.figures.get(name)
            print(mine.line())
            if other is not None:
                print(other.line().replace(f"  {name:34}", f"  {'  Label Studio':34}"))
                print(
                    f"  {'  ratio (Label Studio / workbench)':34} p50 {_ratio(other, mine, 0)}  p95 {_ratio(other, mine, 1)}"
                )
    return 0


def _ratio(other: Figure, mine: Figure, index: int) -> str:
    theirs = [r[index] for r in other.rounds]
    ours = [r[index] for r in mine.rounds]
    if not theirs or not ours:
        return "n/a"
    return f"{min(theirs) / max(ours):.1f}–{max(theirs) / min(ours):.1f}×"


def write_figures(ours: Bench, theirs: Bench, token: str, claim_id: int, ls_base: str, task_id: int) -> None:
    """A status change through the queue row against an annotation posted to Label Studio."""
    import time

    def our_writes() -> list[float]:
        times = []
        for n in range(ours.runs):
            version = ours.session.get(f"{ours.base}/api/v1/claims/{claim_id}", timeout=60).headers["ETag"]
            number = int(version.strip('"').split(":")[0].rsplit("-v", 1)[1])
            start = time.perf_counter()
            response = ours.session.post(
                f"{ours.base}/claims/{claim_id}/status",
                data={"csrf_token": token, "status": ["in_progress", "unverified"][n % 2], "version": number},
                headers={"HX-Request": "true", "HX-Target": f"c{claim_id}"},
                timeout=60,
            )
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        return times

    def their_writes() -> list[float]:
        times = []
        for n in range(theirs.runs):
            result: list[dict[str, object]] = [
                {
                    "from_name": "verdict",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": [["verified", "false"][n % 2]]},
                }
            ]
            start = time.perf_counter()
            response = theirs.session.post(
                f"{ls_base}/api/tasks/{task_id}/annotations",
                data=json.dumps({"result": result}),
                headers={"Content-Type": "application/json"},
                timeout=60,
            )
            times.append(time.perf_counter() - start)
            assert response.status_code in (200, 201), response.status_code
        return times

    ours.record("write", our_writes)
    theirs.record("write", their_writes)


def main() -> None:
    """Parse arguments and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--label-studio-url", default=os.environ.get("LABEL_STUDIO_URL", ""))
    parser.add_argument("--label-studio-token", default=os.environ.get("LABEL_STUDIO_TOKEN", ""))
    parser.add_argument("--label-studio-project", default=os.environ.get("LABEL_STUDIO_PROJECT", ""))
    parser.add_argument("--seed", type=int, default=0, help="copy this many claims into a new Label Studio project")
    args = parser.parse_args()
    if not args.url:
        parser.error("--url: the workbench database to serve (filled by `workbench generate`)")
    make_url(args.url[0])
    sys.exit(run(args))


if __name__ == "__main__":
    main()
