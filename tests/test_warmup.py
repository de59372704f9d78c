"""Warm-up before serving: every template compiled, the pool's connections open, malloc arenas capped."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from workbench.db import get_engine
from workbench.warmup import cap_malloc_arenas, compile_templates, open_connections, warm_up


def test_every_html_template_is_compiled_before_the_first_request(app):
    loaded: list[str] = []
    original = app.jinja_env.loader.get_source

    def counting(environment, name):
        loaded.append(name)
        return original(environment, name)

    app.jinja_env.cache.clear()
    app.jinja_env.loader.get_source = counting
    count = compile_templates(app)
    expected = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    assert count == len(expected) > 20 and sorted(set(loaded)) == sorted(expected)
    loaded.clear()
    with app.test_request_context():
        app.jinja_env.get_template("claims/queue.html")
    assert loaded == []  # served from the cache the warm-up filled


@pytest.mark.parametrize("threads, opened", [(4, 4), (64, 10)])
def test_as_many_connections_open_as_threads_up_to_the_pool_size(app, threads, opened):
    engine = get_engine(app)
    if not hasattr(engine.pool, "size"):
        pytest.skip("this database's pool keeps no fixed size")
    engine.dispose()
    connects: list[object] = []

    def connected(dbapi_connection, _record):
        connects.append(dbapi_connection)

    event.listen(engine, "connect", connected)
    try:
        assert open_connections(app, threads) == min(opened, engine.pool.size())
        assert len(connects) == min(opened, engine.pool.size()) == engine.pool.checkedin()  # back in the pool
    finally:
        event.remove(engine, "connect", connected)


def test_malloc_arenas_are_capped_on_glibc():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert cap_malloc_arenas() is True


def test_serve_warms_up_before_it_listens(app, monkeypatch):
    from workbench import cli, serving, warmup, worker

    steps: list[str] = []

    class Server:
        def run(self):
            steps.append("run")

        def close(self):
            steps.append("close")

    def fake_warm_up(application, *, threads):
        steps.append(f"warm up {threads} threads")
        warm_up(application, threads=threads)

    monkeypatch.setattr(warmup, "warm_up", fake_warm_up)
    monkeypatch.setattr(serving, "create_server", lambda *args, **kwargs: steps.append("listen") or Server())
    monkeypatch.setattr(worker, "start_background_worker", lambda application: None)
    with app.app_context():
        cli.run_server(app, host="127.0.0.1", port=8000, threads=3, quiet=True)
    assert steps == ["warm up 3 threads", "listen", "run", "close"]


def test_objects_alive_at_warm_up_are_left_out_of_later_collections(app):
    import gc

    from workbench.warmup import warm_up

    try:
        warm_up(app, threads=2)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the app, its modules and compiled templates, at least
        assert app.jinja_env.get_template("base.html") is not None
        gc.collect()
        assert gc.get_freeze_count() == frozen  # a full collection neither walks nor frees them
    finally:
        gc.unfreeze()
