"""Command line for "checked before": `workbench similar` and `workbench import-claimreview`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .cli_admin import writes_audit_events
from .db import get_session
from .errors import InputError


def _read_queries(path: str) -> list[tuple[str, str]]:
    """Read `id<TAB>text` lines; a header line `id<TAB>…` or blank lines are skipped."""
    queries = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        query_id, tab, text = line.partition("\t")
        if not tab:
            raise click.ClickException(f"{path}, line {number}: expected `id<TAB>text`.")
        if number == 1 and not query_id.strip():
            continue  # a header row such as "\ttweet_content"
        queries.append((query_id.strip(), text.strip()))
    return queries


@click.command("similar")
@click.argument("text", required=False)
@click.option(
    "--queries",
    "queries_file",
    type=click.Path(dir_okay=False, exists=True),
    help="A TSV file of `id<TAB>text` lines to match in one run.",
)
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def similar_command(text, queries_file, limit, as_json):
    """Rank earlier final verdicts and imported fact-checks that may check the same thing as TEXT."""
    from .services.matching import find_similar

    if bool(text) == bool(queries_file):
        raise click.UsageError("Give either TEXT or --queries FILE.")
    session = get_session()
    try:
        if queries_file:
            output = [
                {
                    "id": query_id,
                    "results": [r.as_dict() for r in find_similar(session=session, text=query, limit=limit)]
                    if query
                    else [],
                }
                for query_id, query in _read_queries(queries_file)
            ]
            click.echo(json.dumps(output, ensure_ascii=False))
            return
        results = find_similar(session=session, text=text, limit=limit)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        return
    if not results:
        click.echo("Nothing checked before looks like this.")
    for r in results:
        where = r.url if r.kind == "review" else f"claim #{r.id}"
        click.echo(f"{r.score:6.2f}  {r.verdict or '?':<16} {r.text[:90]}  [{where}]")


@click.command("import-claimreview")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@with_appcontext
@writes_audit_events
def import_claimreview_command(file):
    """Load ClaimReview JSON-LD (an object, a list, a @graph, or JSON Lines); known URLs are skipped."""
    from .services.claimreview_import import import_claimreviews, parse_claimreview_text

    try:
        items = parse_claimreview_text(Path(file).read_text(encoding="utf-8"))
        summary = import_claimreviews(session=get_session(), items=items, actor=None)
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not UTF-8 text; nothing was imported.") from None
    except InputError as error:
        raise click.ClickException(f"{file}: {error} Nothing was imported.") from None
    click.echo(
        f"{file}: {summary.added:,} reviews imported, {summary.duplicates:,} already known, {summary.read:,} read.",
        err=False,
    )
    sys.stdout.flush()


COMMANDS = (similar_command, import_claimreview_command)
