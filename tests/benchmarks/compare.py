"""Side by side with Label Studio: list, search, one item and writes, p50/p95 ranges and the ratios.

Run: .venv/bin/python -m tests.benchmarks.compare --url WORKBENCH_DB_URL [--repeat 3] [--runs 40]
       [--label-studio-url http://127.0.0.1:8080] [--label-studio-token TOKEN] [--label-studio-project ID]
       [--seed 100000 [--seed-only]]
Label Studio is never installed into this project: run it from its own environment (for example
`/opt/ls/bin/label-studio start --port 8080`) and point this at it with the flags or LABEL_STUDIO_URL,
LABEL_STUDIO_TOKEN (an account's legacy API token, `Authorization: Token …`) and LABEL_STUDIO_PROJECT. `--seed N`
copies N claims of the workbench database into a new Label Studio project first (tasks with data.text), so both
hold the same claims. Without a reachable Label Studio the comparison is skipped with a message.

One client alternates the two servers request by request (which goes first swaps every request), so both see
the same machine load; each round times both bare endpoints first (the workbench's `/_bench/bare`, Label
Studio's `/health`: the framework with no database work). Ratios are worked out round by round (Label Studio's
p50 over the workbench's p50 of the same round), and printed as their min–max over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import make_url, text

from tests.benchmarks.harness import ROOT, Figure, existing_database, load_average, percentile_pair, served, signed_in
from tests.benchmarks.review_latency import _ROW
from workbench.db import make_engine

LABEL_CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="verdict" toName="text">'
    '<Choice value="verified"/><Choice value="false"/><Choice value="misleading"/></Choices></View>'
)
SEARCH_WORD = "grain"
PAGE = 50  # rows per page on both sides: the workbench queue's page
CHOICES = ["verified", "false"]
STATUSES = ["in_progress", "unverified"]
Request = Callable[[int], requests.Response]


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


def seed_project(ls: requests.Session, base: str, url: str, count: int, batch: int = 2000) -> int:
    """Create a Label Studio project holding the first `count` claims of the workbench database; return its id.

    The claims go in by its import API, `batch` tasks a request; the time it took is printed.
    """
    project = ls.post(base + "/api/projects", json={"title": "workbench comparison", "label_config": LABEL_CONFIG})
    project.raise_for_status()
    project_id = project.json()["id"]
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, text FROM claim ORDER BY id LIMIT :n"), {"n": count}).all()
    engine.dispose()
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        tasks = [{"text": claim_text, "claim_id": claim_id} for claim_id, claim_text in rows[start : start + batch]]
        ls.post(f"{base}/api/projects/{project_id}/import", json=tasks, timeout=3600).raise_for_status()
    elapsed = time.perf_counter() - started
    stored = ls.get(f"{base}/api/projects/{project_id}", timeout=60).json().get("task_number")
    print(
        f"compare: seeded Label Studio project {project_id} with {len(rows):,} claims ({stored} tasks stored) "
        f"in {elapsed:.0f} s ({len(rows) / max(elapsed, 1e-9):,.0f} tasks/s, {batch} a request)"
    )
    return project_id


def search_query(word: str) -> str:
    """Label Studio's data manager query (the `query` parameter of /api/tasks): tasks whose text contains word."""
    filters = {
        "conjunction": "and",
        "items": [{"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": word}],
    }
    return json.dumps({"filters": filters})


def task_params(project: int, page: int = 1, word: str = "") -> dict[str, str | int]:
    """The parameters of Label Studio's /api/tasks for a page of PAGE tasks, those containing word if given."""
    params: dict[str, str | int] = {"project": project, "page": page, "page_size": PAGE}
    if word:
        params["query"] = search_query(word)
    return params


def choice_result(choice: str) -> list[dict[str, Any]]:
    """An annotation's result that picks one choice of LABEL_CONFIG's verdict."""
    return [{"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]


def round_ratios(other: Figure, mine: Figure, index: int) -> tuple[float, float] | None:
    """Min and max over the rounds of other's figure over mine (index 0: p50, 1: p95), round by round."""
    ratios = [
        theirs[index] / ours[index] for theirs, ours in zip(other.rounds, mine.rounds, strict=False) if ours[index]
    ]
    return (min(ratios), max(ratios)) if ratios else None


def ratio_text(other: Figure, mine: Figure, index: int) -> str:
    """The round-by-round ratio range as text, e.g. `12.1–14.0×`."""
    found = round_ratios(other, mine, index)
    return "n/a" if found is None else f"{found[0]:.1f}–{found[1]:.1f}×"


@dataclass
class Side:
    """One server: its name, session and bare endpoint, and the figures measured on it."""

    name: str
    session: requests.Session
    bare: str

    def __post_init__(self) -> None:
        self.figures: dict[str, Figure] = {}

    def get(self, url: str, **kwargs) -> Request:
        """A GET of url, as a request function."""
        return lambda n: self.session.get(url, timeout=60, **kwargs)


def _timed(call: Request, n: int, accepted: tuple[int, ...]) -> float:
    start = time.perf_counter()
    response = call(n)
    elapsed = time.perf_counter() - start
    assert response.status_code in accepted, (response.url, response.status_code, response.text[:200])
    return elapsed


def alternate(
    first: Request, second: Request, runs: int, numbers, accepted=(200,), gap: float = 0.0
) -> tuple[list[float], list[float]]:
    """Time runs requests of each, alternating one by one and swapping which goes first every time.

    `gap` seconds pass after each request, so work a server does after its answer (closing the connection,
    logging) is not timed as part of the other server's next request on a machine with few cores.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(runs):
        n = next(numbers)
        order = [(0, first), (1, second)] if i % 2 == 0 else [(1, second), (0, first)]
        for side, call in order:
            times[side].append(_timed(call, n, accepted))
            time.sleep(gap)
    return times


class Comparison:
    """Paired measurements of named operations on the workbench and Label Studio, with both bare endpoints."""

    def __init__(self, ours: Side, theirs: Side, runs: int, repeat: int, gap: float = 0.0):
        self.ours, self.theirs, self.runs, self.repeat, self.gap = ours, theirs, runs, repeat, gap
        self.names: list[str] = []

    def measure(self, name: str, mine: Request, other: Request, accepted=(200,)) -> None:
        """Measure one operation repeat times; each round after a round of both bare endpoints."""
        self.names.append(name)
        figures = [side.figures.setdefault(name, Figure(name)) for side in (self.ours, self.theirs)]
        numbers = count()
        for _ in range(self.repeat):
            floors = alternate(
                self.ours.get(self.ours.bare), self.theirs.get(self.theirs.bare), self.runs, count(), gap=self.gap
            )
            for _ in range(2):  # warm both
                mine(next(numbers))
                other(next(numbers))
            try:
                times = alternate(mine, other, self.runs, numbers, accepted, self.gap)
            except (AssertionError, requests.RequestException) as error:  # report it, go on to the next operation
                for figure in figures:
                    figure.error = f"{type(error).__name__}: {error}"[:300]
                return
            for figure, floor, timing in zip(figures, floors, times, strict=True):
                figure.floors.append(percentile_pair(floor))
                figure.loads.append(os.getloadavg()[0])
                figure.rounds.append(percentile_pair(timing))

    def report(self, title: str) -> None:
        """Print each operation: both sides' p50/p95 ranges with their bare endpoints, and the ratios."""
        print(
            f"{title}\n  ({self.repeat} rounds of {self.runs} timed requests per side, {self.gap * 1000:g} ms between "
            f"requests; now {load_average()})"
        )
        for name in self.names:
            mine, other = self.ours.figures[name], self.theirs.figures[name]
            print(mine.line().replace(f"  {name:34}", f"  {name + ': workbench':34}", 1))
            print(other.line().replace(f"  {name:34}", f"  {name + ': Label Studio':34}", 1))
            if mine.rounds and other.rounds:
                print(
                    f"  {'  ratio LS/workbench per round':34} p50 {ratio_text(other, mine, 0)}  p95 {ratio_text(other, mine, 1)}"
                )


def workbench_writes(side: Side, base: str, token: str) -> Request:
    """Status changes through the queue row (htmx), cycling over the newest page's claims, each with its version."""
    page = side.session.get(base + "/claims?sort=newest", timeout=60).text
    versions = {int(i): int(v) for i, v in _ROW.findall(page)}
    assert versions, "no queue rows with their version on the page"
    order = list(versions)
    steps = count()  # its own count, so each pass over the page flips every status (never a change to the same)

    def write(_: int) -> requests.Response:
        n = next(steps)
        claim_id = order[n % len(order)]
        response = side.session.post(
            f"{base}/claims/{claim_id}/status",
            data={"csrf_token": token, "status": STATUSES[(n // len(order)) % 2], "version": versions[claim_id]},
            headers={"HX-Request": "true", "HX-Target": f"c{claim_id}"},
            timeout=60,
        )
        found = _ROW.search(response.text)
        if found:
            versions[claim_id] = int(found.group(2))
        return response

    return write


def workbench_api_writes(side: Side, base: str, token: str) -> Request:
    """Status changes through the JSON API (what Label Studio's annotation calls are), on the newest page's claims,
    each with If-Match from the ETag the last answer gave; the session's CSRF token in X-CSRFToken."""
    newest: dict[str, str | int] = {"sort": "newest", "limit": PAGE}
    listed = side.session.get(base + "/api/v1/claims", params=newest, timeout=60).json()
    etags = {item["id"]: f'"claim-{item["id"]}-v{item["version"]}"' for item in listed["items"]}
    assert etags, "no claims in the API's list"
    order = list(etags)
    steps = count()

    def write(_: int) -> requests.Response:
        n = next(steps)
        claim_id = order[n % len(order)]
        response = side.session.post(
            f"{base}/api/v1/claims/{claim_id}/status",
            json={"status": STATUSES[(n // len(order)) % 2]},
            headers={"If-Match": etags[claim_id], "X-CSRFToken": token},
            timeout=60,
        )
        if response.status_code == 200:
            etags[claim_id] = response.headers["ETag"]
        return response

    return write


def label_studio_writes(side: Side, base: str, task_ids: list[int]) -> tuple[Request, Request]:
    """Annotations with a verdict choice: created on the given tasks in turn, and updated (the ones created)."""
    created: list[int] = []

    def create(n: int) -> requests.Response:
        response = side.session.post(
            f"{base}/api/tasks/{task_ids[n % len(task_ids)]}/annotations",
            json={"result": choice_result(CHOICES[n % 2])},
            timeout=60,
        )
        if response.status_code == 201:
            created.append(response.json()["id"])
        return response

    def update(n: int) -> requests.Response:
        annotation = created[n % len(created)]
        choice = CHOICES[(n // len(created)) % 2]
        return side.session.patch(
            f"{base}/api/annotations/{annotation}", json={"result": choice_result(choice)}, timeout=60
        )

    return create, update


def check_pages(ours: Side, theirs: Side, base: str, ls_base: str, project: int) -> dict[str, object]:
    """Both sides' first pages hold PAGE rows; return the ids the operations use and what each search finds."""
    queue = ours.session.get(base + "/claims", timeout=60).text
    rows = _ROW.findall(queue)
    assert len(rows) == PAGE, f"the workbench queue shows {len(rows)} rows, not {PAGE}"
    tasks = theirs.session.get(f"{ls_base}/api/tasks", params=task_params(project), timeout=60)
    listed = tasks.json()
    assert len(listed["tasks"]) == PAGE, f"Label Studio listed {len(listed['tasks'])} tasks, not {PAGE}"
    later = theirs.session.get(f"{ls_base}/api/tasks", params=task_params(project, page=2), timeout=60).json()
    found = theirs.session.get(
        f"{ls_base}/api/tasks",
        params=task_params(project, word=SEARCH_WORD),
        timeout=60,
    ).json()
    ours_found = len(_ROW.findall(ours.session.get(base + "/claims", params={"q": SEARCH_WORD}, timeout=60).text))
    print(
        f"compare: Label Studio project {project} holds {listed['total']:,} tasks; '{SEARCH_WORD}' finds "
        f"{found['total']:,} there ({len(found['tasks'])} on its first page), {ours_found} rows on the workbench's"
    )
    return {
        "claim": int(rows[0][0]),
        "task": listed["tasks"][0]["id"],
        "write_tasks": [task["id"] for task in later["tasks"]],
    }


def run(args) -> int:
    """Measure both servers operation by operation, alternating request by request, and print the ratios."""
    ls = label_studio(args)
    if ls is None:
        return 0
    ls_base = args.label_studio_url.rstrip("/")
    url = args.url[0]
    existing_database(url)
    project = seed_project(ls, ls_base, url, args.seed) if args.seed else int(args.label_studio_project or 0)
    if args.seed_only:
        return 0
    if not project:
        print("compare: skipped — name the Label Studio project (--label-studio-project) or seed one (--seed N).")
        return 0
    print(f"start: {load_average()}")
    with served(url, args.server_root) as base:
        session, token = signed_in(base)
        ours = Side("workbench", session, base + "/_bench/bare")
        theirs = Side("Label Studio", ls, ls_base + "/health")
        ids = check_pages(ours, theirs, base, ls_base, project)
        tasks = f"{ls_base}/api/tasks"
        compare = Comparison(ours, theirs, args.runs, args.repeat, args.gap)
        compare.measure(
            f"list, {PAGE}",
            ours.get(base + "/claims"),
            theirs.get(tasks, params=task_params(project)),
        )
        compare.measure(
            f"search '{SEARCH_WORD}'",
            ours.get(base + "/claims", params={"q": SEARCH_WORD}),
            theirs.get(tasks, params=task_params(project, word=SEARCH_WORD)),
        )
        compare.measure("one item", ours.get(f"{base}/claims/{ids['claim']}"), theirs.get(f"{tasks}/{ids['task']}"))
        if args.json_api:  # the workbench's JSON API beside Label Studio's: JSON on both sides
            api = base + "/api/v1/claims"
            compare.measure(
                f"list, {PAGE} (JSON API)",
                ours.get(api, params={"limit": PAGE}),
                theirs.get(tasks, params=task_params(project)),
            )
            compare.measure(
                f"search '{SEARCH_WORD}' (JSON API)",
                ours.get(api, params={"limit": PAGE, "q": SEARCH_WORD}),
                theirs.get(tasks, params=task_params(project, word=SEARCH_WORD)),
            )
            compare.measure(
                "one item (JSON API)", ours.get(f"{api}/{ids['claim']}"), theirs.get(f"{tasks}/{ids['task']}")
            )
        status_change = workbench_writes(ours, base, token)
        create, update = label_studio_writes(theirs, ls_base, ids["write_tasks"])  # type: ignore[arg-type]
        compare.measure("write: status / new annotation", status_change, create, accepted=(200, 201))
        compare.measure("write: status / annotation update", status_change, update)
        if args.json_api:
            api_change = workbench_api_writes(ours, base, token)
            compare.measure("write: status (JSON API) / new annotation", api_change, create, accepted=(200, 201))
            compare.measure("write: status (JSON API) / annotation update", api_change, update)
        compare.report(
            f"compare: workbench {base} ({make_url(url).get_backend_name()}), Label Studio {ls_base} "
            f"(project {project})"
        )
    return 0


def main() -> None:
    """Parse arguments and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", default=[], help="the workbench database (filled by `generate`)")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per side per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per operation; the range over them is printed")
    parser.add_argument("--server-root", type=Path, default=ROOT, help="serve the code of another checkout")
    parser.add_argument("--label-studio-url", default=os.environ.get("LABEL_STUDIO_URL", ""))
    parser.add_argument("--label-studio-token", default=os.environ.get("LABEL_STUDIO_TOKEN", ""))
    parser.add_argument("--label-studio-project", default=os.environ.get("LABEL_STUDIO_PROJECT", ""))
    parser.add_argument("--seed", type=int, default=0, help="copy this many claims into a new Label Studio project")
    parser.add_argument(
        "--gap", type=float, default=0.05, help="seconds between requests (each server's after-work stays untimed)"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed the project and stop")
    parser.add_argument("--json-api", action="store_true", help="also compare the workbench's JSON API")
    args = parser.parse_args()
    if not args.url:
        parser.error("--url: the workbench database to serve (filled by `workbench generate`)")
    make_url(args.url[0])
    sys.exit(run(args))


if __name__ == "__main__":
    main()
