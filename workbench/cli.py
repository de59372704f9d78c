"""The `workbench` command line: the same commands as `flask`, plus serve, demo, ingest, extract."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .cli_admin import audit_group, check_cli_values, recount_command, users_group, writes_audit_events
from .cli_tokens import tokens_group
from .config import describe, require_secrets
from .db import get_engine, get_session, refresh_statistics, upgrade_schema
from .errors import InputError
from .validation import MAX_ID


def _cli_app():
    from . import create_app

    return create_app()  # inside a command: the development keys are allowed until `serve` checks them


class WorkbenchGroup(FlaskGroup):
    """Flask's command group, with database failures reported as one clear line instead of a traceback."""

    def invoke(self, ctx):
        """Run the command; turn an unreachable or uninitialised database into a message."""
        from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

        from .validation import RejectedInput

        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise click.ClickException(
                f"The database could not be used ({reason}). Check WORKBENCH_DATABASE_URL "
                "and run `workbench init` to create or upgrade the schema."
            ) from None
        except DBAPIError as error:  # bad data that slipped past validation: one line, nothing saved
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise click.ClickException(f"The database refused the input ({reason[:200]}); nothing was saved.") from None
        except RejectedInput as error:
            raise click.ClickException(error.description) from None
        except OSError as error:
            raise click.ClickException(f"{error.filename or 'A file'}: {error.strerror or error}.") from None


@click.group(cls=WorkbenchGroup, create_app=_cli_app, add_version_option=False)
def main():
    """Fact-checking workbench: ingest articles, review claims, keep an audit trail."""


@click.command("config")
@with_appcontext
def config_command():
    """Print the effective settings (environment and defaults), secrets masked."""
    for variable, shown, help_text in describe(current_app.config):
        click.echo(f"{variable}={shown}")
        click.echo(f"    # {help_text}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(file):
    """Write a consistent backup of the database to FILE (SQLite backup API, or pg_dump for PostgreSQL)."""
    from .backup import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], Path(file))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {_safe_url(current_app.config['DATABASE_URL'])} to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(file, yes):
    """Replace the database with a backup, after checking the backup's audit chain under the audit key."""
    from .backup import BackupError, restore

    url = current_app.config["DATABASE_URL"]
    if not yes:
        click.confirm(f"Replace everything in {_safe_url(url)} with {file}?", abort=True)
    get_session().close()
    get_engine().dispose()  # no connection of ours may hold the tables being replaced
    try:
        report = restore(url, Path(file), current_app.config["AUDIT_KEY"])
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {file}: audit chain intact, {report.count} events; head {report.head}")


@click.command("init")
@with_appcontext
def init_command():
    """Create the database schema, or upgrade it to the newest migration."""
    revision = upgrade_schema(get_engine())
    click.echo(f"Database ready at migration {revision}: {_safe_url(current_app.config['DATABASE_URL'])}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, metavar="FILE|URL...")
@click.option("--published", help="Publication date, YYYY-MM-DD; relative dates are resolved against it.")
@click.option("--title", help="Title (default: taken from the text).")
@click.option("--outlet", help="Outlet that published the article.")
@click.option("--url", help="Address of the article.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per article.")
@with_appcontext
@writes_audit_events
def ingest_command(files, published, title, outlet, url, as_json):
    """Store articles from .txt or .html files (or fetched from URLs) and the claims extracted from them."""
    from .services.evidence_fetch import fetch_policy
    from .services.importing import import_file
    from .services.ingest import parse_published

    check_cli_values("articles.create", {"title": title, "outlet": outlet, "url": url, "published": published})
    try:
        published_date = parse_published(published)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    failures = 0
    with click.progressbar(files, label="Ingesting", file=sys.stderr, hidden=as_json or len(files) < 2) as bar:
        for name in bar:
            try:
                result = import_file(
                    session=get_session(),
                    path=name,
                    published=published_date,
                    title=title,
                    outlet=outlet,
                    url=url,
                    max_bytes=current_app.config["MAX_ARTICLE_BYTES"],
                    policy=fetch_policy(current_app.config),
                )
            except InputError as error:
                failures += 1
                click.echo(f"error: {name}: {error}", err=True)
                continue
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "file": name,
                            "article_id": result.article.id,
                            "claims": result.claims,
                            "duplicate": result.duplicate,
                        }
                    )
                )
            elif len(files) < 2:
                state = "already stored as" if result.duplicate else "stored as"
                click.echo(f"{name}: {state} article {result.article.id} with {result.claims} claims")
    if failures:
        sys.exit(1)


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--published", help="Publication date, YYYY-MM-DD.")
@click.option("--format", "output_format", type=click.Choice(["json", "table"]), default="json", show_default=True)
def extract_command(file, published, output_format):
    """Print the claims of an article file without storing anything."""
    from .extract_output import extract_file, format_table

    try:
        payload = extract_file(file, published=published)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    if output_format == "json":
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(payload))


@click.command("export")
@click.option("--article", "article_id", type=click.IntRange(1, MAX_ID), help="Export one article's claims.")
@click.option("--source", help="Export the claims of one source (its canonical name).")
@click.option("--since", help="Export claims of articles published on or after YYYY-MM-DD.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json", "html", "claimreview"]), default="csv", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@with_appcontext
@writes_audit_events
def export_command(article_id, source, since, fmt, output):
    """Export claims with verdicts, evidence and history, ending with an integrity trailer."""
    from .services.exports import ExportScope, check_export, count_claims, export_stream
    from .services.ingest import parse_published
    from .views.exports import html_renderer

    if sum(x is not None for x in (article_id, source, since)) != 1:
        raise click.UsageError("Give exactly one of --article, --source or --since.")
    check_cli_values("exports.download", {"source": source, "since": since})
    session = get_session()
    try:
        scope = ExportScope(article_id=article_id, source=source, since=parse_published(since))
        check_export(session=session, scope=scope, fmt=fmt, public_url=current_app.config["PUBLIC_URL"])
    except InputError as error:
        raise click.ClickException(str(error)) from None
    total = count_claims(session=session, scope=scope)
    app = current_app._get_current_object()
    try:
        target = open(output, "wb") if output else sys.stdout.buffer
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror or error}.") from None
    try:
        with click.progressbar(
            length=total, label=f"Exporting {total:,} claims", file=sys.stderr, hidden=total < 5000 or not output
        ) as bar:
            for chunk in export_stream(
                session=session,
                scope=scope,
                fmt=fmt,
                render_html=html_renderer(app),
                organisation=app.config["ORGANISATION"],
                public_url=app.config["PUBLIC_URL"],
                require_approval=app.config["REQUIRE_APPROVAL"],
                progress=bar.update,
            ):
                target.write(chunk)
    finally:
        if output:
            target.close()
    if output:
        click.echo(f"Wrote {total:,} claims to {output}", err=True)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run what is pending, then exit.")
@with_appcontext
@writes_audit_events
def worker_command(burst):
    """Fetch and archive evidence: RQ over Redis with WORKBENCH_REDIS_URL, else poll the database."""
    import threading

    from .worker import QUEUE_NAME, reclaim_abandoned, run_embedded, run_reclaimer, run_webhook_sender, send_webhooks

    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Worker

        click.echo(f"Worker on Redis queue “{QUEUE_NAME}”")
        reclaim_abandoned(app)  # what a killed worker left "fetching" is queued again (RQ itself forgets it)
        stop = threading.Event()
        if not burst:
            threading.Thread(target=run_reclaimer, args=(app, stop), name="workbench-reclaimer", daemon=True).start()
            threading.Thread(
                target=run_webhook_sender, args=(app, stop), name="workbench-webhooks", daemon=True
            ).start()  # webhooks go from the database's outbox, in each endpoint's order, not through RQ
        else:
            send_webhooks(app)
        try:
            Worker([QUEUE_NAME], connection=Redis.from_url(app.config["REDIS_URL"])).work(burst=burst)
        finally:
            stop.set()
        return
    click.echo("Worker polling the database for pending fetches" + (" (burst)" if burst else "; Ctrl+C to stop"))
    try:
        done = run_embedded(app, threading.Event(), burst=burst)
    except KeyboardInterrupt:
        return
    click.echo(f"Ran {done} fetch{'es' if done != 1 else ''}.")


@click.command("generate")
@click.option("--articles", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--claims-per-article", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
@writes_audit_events
def generate_command(articles, claims_per_article, seed):
    """Fill the database with synthetic articles, claims, checkers and history (for load tests)."""
    from .services.generate import generate

    with click.progressbar(length=articles, label="Generating articles", file=sys.stderr) as bar:
        summary = generate(
            engine=get_engine(),
            articles=articles,
            claims_per_article=claims_per_article,
            seed=seed,
            progress=bar.update,
        )
    refresh_statistics(get_engine())
    click.echo(
        f"Generated {summary['articles']:,} articles with {summary['claims']:,} claims "
        f"({summary['checkers']} checkers, {summary['sources']} sources)."
    )


PORT = click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
QUIET = click.option("--quiet", is_flag=True, help="Do not log each request (the Common Log Format lines).")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@PORT
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Serve from this many processes on the one port (Gunicorn's pre-fork master); more than 1 needs Redis.",
)
@QUIET
@with_appcontext
def serve_command(host, port, threads, processes, quiet):
    """Serve the app (Waitress; Gunicorn with --processes above 1), logging each request (Common Log Format)."""
    app = current_app._get_current_object()
    if not app.debug:
        require_secrets(app.config)
    if processes > 1:
        from .processes import SharedStateMissing, check_shared_state

        try:
            check_shared_state(app)
        except SharedStateMissing as missing:
            raise click.ClickException(str(missing)) from None
    check_port(host, port)
    run_server(app, host=host, port=port, threads=threads, processes=processes, quiet=quiet)


def check_port(host: str, port: int) -> None:
    """Refuse, in one line that names the fix, an address the server could not listen on."""
    from .serving import PortUnavailable, probe_port

    try:
        probe_port(host, port)
    except PortUnavailable as problem:
        raise click.ClickException(str(problem)) from None


def run_server(app, *, host: str, port: int, threads: int = 8, processes: int = 1, quiet: bool = False) -> None:
    """Run Waitress on the app (or Gunicorn's processes) until interrupted; requests are logged unless quiet."""
    from .serving import PortUnavailable, create_server
    from .warmup import warm_up
    from .worker import start_background_worker

    if quiet:
        logging.getLogger("workbench.request").setLevel(logging.WARNING)
    upgrade_schema(get_engine(app))
    if processes > 1:
        from .processes import serve_processes

        click.echo(
            f"Serving on http://{host}:{port}/ from {processes} processes of {threads} threads (Ctrl+C to stop)"
            + ("; requests are not logged" if quiet else "")
        )
        serve_processes(app, host=host, port=port, processes=processes, threads=threads)
        return
    warm_up(app, threads=threads)
    try:
        server = create_server(app, host=host, port=port, threads=threads)  # binds now: a busy port fails here
    except PortUnavailable as problem:
        raise click.ClickException(str(problem)) from None
    if start_background_worker(app) is not None:
        click.echo("Evidence fetching runs in this process (embedded worker).")
    else:
        click.echo("Evidence fetching goes through Redis: run `workbench worker` alongside.")
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)" + ("; requests are not logged" if quiet else ""))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@PORT
@click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default="workbench-demo",
    show_default=True,
    help="Folder for the demo database.",
)
@click.option("--no-serve", is_flag=True, help="Set up the demo database and exit.")
@QUIET
def demo_command(host, port, instance, no_serve, quiet):
    """Create a demo database with our sample articles and demo accounts, then serve it."""
    from .demo import build_demo_app, load_demo

    if not no_serve:
        check_port(host, port)  # before any work: a busy port is one line, not a banner and then a traceback
    app = build_demo_app(Path(instance))
    with app.app_context():
        summary = load_demo(session=get_session())
    counts = summary["counts"]
    click.echo(f"Demo database: {Path(instance).resolve() / 'demo.sqlite3'}")
    added = summary["added"]
    click.echo(
        f"Sample articles: {added} added" if added else f"Sample articles: all {summary['samples']} already loaded"
    )
    click.echo(
        f"In the database: {counts['articles']} article{'s' if counts['articles'] != 1 else ''}, "
        f"{counts['claims']} claim{'s' if counts['claims'] != 1 else ''} "
        f"({counts['open']} open, {counts['verdicts']} with a verdict), "
        f"{counts['fact_checks']} published fact-check{'s' if counts['fact_checks'] != 1 else ''} to match against"
    )
    click.echo("Sign in with one of:")
    for email, password, role in summary["accounts"]:
        click.echo(f"  {role:8} {email}  password: {password}")
    if not no_serve:
        run_server(app, host=host, port=port, quiet=quiet)


from .cli_matching import COMMANDS as MATCHING_COMMANDS  # noqa: E402

# The commands `workbench` and `flask --app workbench` share; `demo` makes its own app, so only `workbench` has it.
SHARED_COMMANDS = (
    config_command,
    backup_command,
    restore_command,
    init_command,
    users_group,
    tokens_group,
    audit_group,
    ingest_command,
    extract_command,
    export_command,
    generate_command,
    recount_command,
    worker_command,
    serve_command,
    *MATCHING_COMMANDS,
)
for command in (*SHARED_COMMANDS, demo_command):
    main.add_command(command)


def init_app(app) -> None:
    """Make the same commands available as `flask …` for this app."""
    for command in SHARED_COMMANDS:
        app.cli.add_command(command)


if __name__ == "__main__":
    main()
