"""Export benchmark: 100,000 claims in each format, time and peak memory, next to 10,000 in the same run.

Run: .venv/bin/python -m tests.benchmarks.export_stream [--claims 100000]
Flat memory means the 100,000-claim peak is close to the 10,000-claim peak. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc

from sqlmodel import Session, select

from workbench import create_app
from workbench.db import get_engine, upgrade_schema
from workbench.models import Article, Claim
from workbench.services.exports import ExportScope, export_stream
from workbench.services.generate import generate
from workbench.views.exports import html_renderer


def _export_size(app, scope: ExportScope, fmt: str) -> int:
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        return sum(
            len(chunk)
            for chunk in export_stream(
                session=session, scope=scope, fmt=fmt, render_html=html_renderer(app), organisation="Bench"
            )
        )


def run_export(app, scope: ExportScope, fmt: str) -> tuple[float, int, float]:
    """Export to nowhere twice: timed, then under tracemalloc; return (seconds, bytes, peak MiB allocated)."""
    start = time.perf_counter()
    size = _export_size(app, scope, fmt)
    elapsed = time.perf_counter() - start
    tracemalloc.start()  # slows Python down several times over, so it is not on during the timed run
    _export_size(app, scope, fmt)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak / 1_048_576


def main() -> None:
    """Fill a fresh SQLite database and time each export format at two sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="wb-export-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/export.sqlite3", "SECRET_KEY": "bench", "TESTING": True})
    engine = get_engine(app)
    upgrade_schema(engine)
    per_article = 50
    generate(engine=engine, articles=args.claims // per_article, claims_per_article=per_article)
    with Session(engine) as session:
        articles = session.exec(select(Article.published).order_by(Article.published)).all()
        total = len(session.exec(select(Claim.id)).all())
    cutoff = articles[len(articles) - len(articles) // 10]  # the newest tenth: about a tenth of the claims
    small, large = ExportScope(since=cutoff), ExportScope(since=articles[0])
    print(f"{total:,} claims in {len(articles):,} articles (SQLite)")
    with Session(engine) as session:
        start = time.perf_counter()
        rows = sum(1 for _ in session.exec(select(Claim).execution_options(yield_per=1000)))
        print(f"  baseline: reading the {rows:,} claim rows alone takes {time.perf_counter() - start:.2f} s")
    for fmt in ("csv", "json", "claimreview", "html"):
        t_small, b_small, m_small = run_export(app, small, fmt)
        t_large, b_large, m_large = run_export(app, large, fmt)
        print(
            f"  {fmt:12} all: {t_large:6.2f} s, {b_large / 1_048_576:7.1f} MiB out, peak {m_large:5.1f} MiB   "
            f"| newest tenth: {t_small:5.2f} s, peak {m_small:5.1f} MiB"
        )


if __name__ == "__main__":
    main()
