"""Serving from several processes on one port (`workbench serve --processes N`), through Gunicorn's pre-fork master.

One Python process serves one request at a time per core at most (the interpreter lock): on a machine with more
cores, a second process lets a short request (a status change) run beside a long one (a queue page) instead of
waiting for it. Gunicorn forks the processes from the app loaded here, restarts one that dies and stops them all
on SIGTERM or Ctrl+C. Each process is an instance like another `workbench serve`: its own database connections
and embedded worker; what instances share (jobs, sign-in throttling) must live in the database or Redis.
"""

from __future__ import annotations

import logging

from flask import Flask

from .db import get_engine

log = logging.getLogger(__name__)


class SharedStateMissing(Exception):
    """Several processes were asked for, but something they must share would live in one process's memory."""


def check_shared_state(app: Flask) -> None:
    """Refuse several processes when failed sign-ins would be counted per process (N processes, N times the tries)."""
    storage = app.config.get("THROTTLE_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    if storage.startswith("memory://"):
        raise SharedStateMissing(
            "Several processes need a shared store for sign-in throttling: set WORKBENCH_REDIS_URL "
            "(or WORKBENCH_THROTTLE_STORAGE_URI), or serve with --processes 1"
        )


def bind_address(host: str, port: int) -> str:
    """The address as Gunicorn's --bind takes it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve_processes(app: Flask, *, host: str, port: int, processes: int, threads: int) -> None:
    """Serve app from `processes` forked processes of `threads` threads each until SIGTERM or Ctrl+C."""
    from gunicorn.app.base import BaseApplication

    from .warmup import warm_up
    from .worker import start_background_worker

    def post_fork(_server, _worker) -> None:
        # The connections the master opened (migrations) belong to it: a child starts with a pool of its own.
        get_engine(app).dispose(close=False)

    def post_worker_init(_worker) -> None:
        warm_up(app, threads=threads)
        start_background_worker(app)

    options = {
        "bind": [bind_address(host, port)],
        "workers": processes,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,  # forked from the app loaded here: a broken configuration fails once, before forking
        "accesslog": None,  # each request is logged by the app itself (workbench.logs), as under Waitress
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "workbench",
        "post_fork": post_fork,
        "post_worker_init": post_worker_init,
    }

    class _Master(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    get_engine(app).dispose()  # nothing the master opened is inherited by the children
    _Master().run()
