"""The latency benchmarks' harness: which figures a run measures."""

from tests.benchmarks.harness import Bench


def test_only_measures_the_figures_named_and_leaves_the_rest_unrun():
    bench = Bench("http://unused", session=None, runs=3, repeat=1, only=["Status change"])  # type: ignore[arg-type]
    bench.floor = lambda: [0.001, 0.002, 0.003]  # type: ignore[method-assign]
    ran: list[str] = []
    for name in ("queue, first page", "status change (htmx row)"):
        bench.record(name, lambda name=name: ran.append(name) or [0.004, 0.005, 0.006])
    assert ran == ["status change (htmx row)"] and list(bench.figures) == ["status change (htmx row)"]
    everything = Bench("http://unused", session=None, runs=3, repeat=1)  # type: ignore[arg-type]
    assert everything.wanted("queue, first page") and everything.wanted("anything")
