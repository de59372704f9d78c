"""The pure parts of the Label Studio comparison: its requests' parameters, the alternation and the ratios."""

import json
import re
from itertools import count
from types import SimpleNamespace

import pytest

from tests.benchmarks.compare import (
    LABEL_CONFIG,
    PAGE,
    alternate,
    choice_result,
    round_ratios,
    search_query,
    task_params,
)
from tests.benchmarks.harness import Figure


def test_search_query_is_a_data_manager_contains_filter_on_the_text():
    query = json.loads(search_query("grain"))
    assert query == {
        "filters": {
            "conjunction": "and",
            "items": [{"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "grain"}],
        }
    }


def test_task_params_ask_for_one_page_of_the_workbench_size_and_filter_only_a_search():
    assert task_params(7) == {"project": 7, "page": 1, "page_size": PAGE}
    searched = task_params(7, page=2, word="grain")
    assert searched["page"] == 2 and searched["page_size"] == PAGE
    assert json.loads(str(searched["query"]))["filters"]["items"][0]["value"] == "grain"


def test_choice_result_names_the_choices_and_text_of_the_label_config():
    result = choice_result("false")[0]
    assert f'name="{result["from_name"]}"' in LABEL_CONFIG
    assert f'toName="{result["to_name"]}"' in LABEL_CONFIG
    assert result["value"] == {"choices": ["false"]}
    assert '<Choice value="false"/>' in LABEL_CONFIG


def test_alternate_swaps_which_server_goes_first_and_times_each_request():
    calls = []

    def server(name):
        def request(n):
            calls.append((name, n))
            return SimpleNamespace(status_code=200, url=name, text="")

        return request

    ours, theirs = alternate(server("ours"), server("theirs"), 4, count(10))
    assert len(ours) == len(theirs) == 4 and all(t >= 0 for t in ours + theirs)
    assert calls == [
        ("ours", 10),
        ("theirs", 10),
        ("theirs", 11),
        ("ours", 11),
        ("ours", 12),
        ("theirs", 12),
        ("theirs", 13),
        ("ours", 13),
    ]


def test_alternate_refuses_an_answer_that_is_not_accepted():
    def refused(n):
        return SimpleNamespace(status_code=409, url="/claims/1/status", text="conflict")

    def created(n):
        return SimpleNamespace(status_code=201, url="/api/tasks/1/annotations", text="")

    alternate(created, created, 2, count(), accepted=(200, 201))
    with pytest.raises(AssertionError, match=re.escape("409")):
        alternate(created, refused, 2, count(), accepted=(200, 201))


def test_round_ratios_pair_the_rounds_of_the_same_time():
    ours = Figure("list", rounds=[(10.0, 20.0), (20.0, 40.0)])
    theirs = Figure("list", rounds=[(200.0, 300.0), (220.0, 800.0)])
    assert round_ratios(theirs, ours, 0) == (11.0, 20.0)  # 220/20 and 200/10, not 200/20 = 10 or 220/10 = 22
    assert round_ratios(theirs, ours, 1) == (15.0, 20.0)
    assert round_ratios(theirs, Figure("list"), 0) is None


def test_alternate_leaves_the_gap_after_every_request_untimed(monkeypatch):
    import tests.benchmarks.compare as compare

    slept = []
    monkeypatch.setattr(compare.time, "sleep", slept.append)

    def answer(n):
        return SimpleNamespace(status_code=200, url="/", text="")

    ours, theirs = alternate(answer, answer, 3, count(), gap=0.05)
    assert slept == [0.05] * 6
    assert max(ours + theirs) < 0.05  # the pause is not part of any request's time


class _RequestsShaped:
    """The Flask test client with the calls of requests.Session that the comparison's write functions make."""

    def __init__(self, client):
        self.client = client

    def get(self, url, params=None, timeout=None):
        response = self.client.get(url, query_string=params)
        return SimpleNamespace(status_code=response.status_code, headers=response.headers, json=lambda: response.json)

    def post(self, url, json=None, headers=None, timeout=None):
        response = self.client.post(url, json=json, headers=headers)
        return SimpleNamespace(status_code=response.status_code, headers=response.headers, json=lambda: response.json)


def test_api_writes_change_each_claim_with_the_etag_of_the_last_answer(app, client, db):
    from sqlmodel import select

    from tests.benchmarks.compare import STATUSES, Side, workbench_api_writes
    from tests.conftest import csrf_token, login
    from tests.factories import make_article, make_user
    from workbench.models import AuditEvent, Claim

    checker = make_user(db, "checker")
    make_article(db, actor=checker)
    login(client, checker.email)
    token = csrf_token(client)
    claims = len(db.exec(select(Claim.id)).all())
    write = workbench_api_writes(Side("workbench", _RequestsShaped(client), "/_bench/bare"), "", token)
    answers = [write(n) for n in range(2 * claims + 1)]  # every claim twice, and the first a third time
    assert [answer.status_code for answer in answers] == [200] * len(answers)  # never a stale or missing If-Match
    db.expire_all()
    statuses = {claim.id: str(claim.status) for claim in db.exec(select(Claim))}
    changed = {answer.json()["id"] for answer in answers}
    assert len(changed) == claims  # each claim of the newest page, in turn
    # The first pass set one status, the second the other, and the third reached the first claim again.
    assert list(statuses.values()).count(STATUSES[1]) == claims - 1
    assert list(statuses.values()).count(STATUSES[0]) == 1
    events = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "claim", AuditEvent.action == "status")).all()
    assert len(events) == len(answers)
