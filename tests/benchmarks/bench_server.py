"""The workbench under Waitress for the latency benchmark, plus a bare endpoint as the baseline."""

from __future__ import annotations

import argparse
import secrets

import waitress

from workbench import create_app


def main() -> None:
    """Serve the app on the given database and port until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database,
            "SECRET_KEY": secrets.token_hex(16),
            "SESSION_COOKIE_SECURE": False,
            "ALLOW_DEV_SECRET": True,
        }
    )  # a throw-away benchmark database

    @app.get("/_bench/bare")
    def bare():  # the same server, framework and login check, and no database work: the floor
        return "ok"

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
