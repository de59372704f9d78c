"""The workbench under Waitress for the latency benchmark, plus a bare endpoint as the baseline."""

from __future__ import annotations

import argparse
import os
import secrets

import waitress

from workbench import create_app


def main() -> None:
    """Serve the app on the given database and port until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1, help="above 1: `workbench serve --processes`' Gunicorn")
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database,
            "SECRET_KEY": secrets.token_hex(16),
            "SESSION_COOKIE_SECURE": False,
            "ALLOW_DEV_SECRET": True,
            # several processes share sign-in throttling through Redis, as `serve --processes` demands
            "THROTTLE_STORAGE_URI": os.environ.get("WORKBENCH_BENCH_REDIS", "redis://127.0.0.1:6379/14")
            if args.processes > 1
            else "",
        }
    )  # a throw-away benchmark database

    @app.get("/_bench/bare")
    def bare():  # the same server, framework and login check, and no database work: the floor
        return "ok"

    if args.processes > 1:
        from workbench.processes import serve_processes

        serve_processes(app, host="127.0.0.1", port=args.port, processes=args.processes, threads=args.threads)
        return
    waitress.serve(
        app,
        host="127.0.0.1",
        port=args.port,
        threads=args.threads,
        ident="bench",
        connection_limit=200,
        channel_timeout=60,
    )


if __name__ == "__main__":
    main()
