"""`marsad serve`: the HTTP API and dashboard over one store, on loopback unless told otherwise."""
from __future__ import annotations

import ipaddress
import sys

import click


@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="The DuckDB store written by `marsad ingest`. Without it only /v1/extract answers.")
@click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False), default=None,
              help="Instead of --db: serve the Parquet tables of `marsad spark run --out DIR` in place, read-only "
                   "(DuckDB reads the files; no copy).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default is loopback only; anything else exposes the API.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="File whose first line is the bearer token that enables POST /v1/ingest "
                   "(or set MARSAD_TOKEN). Without a token, writes are off.")
@click.option("--max-body", type=click.IntRange(1024), default=2 * 1024 * 1024, show_default=True,
              help="Largest request body accepted, in bytes (larger: 413).")
@click.option("--page-cap", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Largest page (?limit=) /v1/events answers (larger: 422).")
@click.option("--query-timeout", type=click.FloatRange(0.1), default=10.0, show_default=True,
              help="Seconds a store query may run before it is interrupted (503).")
@click.option("--article-timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds one article may take in /v1/extract and /v1/ingest; past it the answer is 504 "
                   "(in /v1/ingest: an error of that article) and its worker is stopped (0: no limit).")
@click.option("--extract-workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes that extract, per server process: that many extraction requests run at "
                   "once; one more answers 503 with Retry-After.")
@click.option("--read-cache", type=click.IntRange(0, 100_000), default=256, show_default=True,
              help="Answers of GET /v1/events and /v1/stats kept in memory per server process (0: none). The "
                   "store cannot change under a read-only server; a writable one drops them at each write.")
@click.option("--cors-origin", "cors_origins", multiple=True,
              help="Allow GET requests from this browser origin (repeatable). None by default.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes. More than one only without a write token: DuckDB lets one process "
                   "write a file, but many read it.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--watch", "watch_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A feeds file: follow its feeds into --db while serving, as `marsad watch` does (DuckDB "
                   "lets one process open the store, so the watcher runs inside the server).")
@click.option("--watch-interval", metavar="DURATION", default=None,
              help="With --watch: poll every feed this often (90s, 15m), instead of the feeds file's intervals.")
def serve(db_path, parquet_dir, host, port, token_file, max_body, page_cap, query_timeout, article_timeout, extract_workers,
          read_cache, cors_origins, workers, log_level, watch_file, watch_interval):
    """Serve the JSON API (/v1, docs at /docs) and the dashboard (/) over a store."""
    from pathlib import Path

    import uvicorn

    from ..errors import MarsadError
    from .app import create_app
    from .config import ServiceConfig, load_token

    try:
        token = load_token(token_file)
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    interval = None
    if parquet_dir:
        clash = "--db" if db_path else "a write token" if token else "--watch" if watch_file else None
        if clash:
            click.echo(f"marsad: error: --parquet serves a Spark output read-only: it does not go with {clash}.",
                       err=True)
            sys.exit(2)
    if watch_file:
        from ..feeds.config import parse_duration
        if not db_path:
            click.echo("marsad: error: --watch needs --db: the store the feeds are followed into.", err=True)
            sys.exit(2)
        if workers > 1:
            click.echo("marsad: error: --watch needs --workers 1: the watcher writes the store, and DuckDB lets "
                       "only one process open it for writing.", err=True)
            sys.exit(2)
        try:
            interval = parse_duration(watch_interval, "--watch-interval") if watch_interval else None
        except MarsadError as e:
            click.echo(f"marsad: error: {e.message}", err=True)
            sys.exit(2)
    if db_path and not Path(db_path).exists() and token is None and not watch_file:
        click.echo(f"marsad: error: {db_path}: no such store. Build one with `marsad ingest ... --db {db_path}`, "
                   "or start with a write token to fill it through POST /v1/ingest.", err=True)
        sys.exit(2)
    if workers > 1 and token is not None:
        click.echo("marsad: error: --workers above 1 needs writes off (no token): DuckDB lets only one process "
                   "open the store for writing.", err=True)
        sys.exit(2)
    if not _loopback(host):
        click.echo(f"marsad: warning: listening on {host}, not loopback: anyone who can reach this machine can "
                   "read the store" + (" and, with the token, write to it" if token else "") + ".", err=True)
    if watch_file:        # the watcher's lines (polls, errors) beside uvicorn's, at the same level
        import logging
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s marsad watch: %(message)s", "%Y-%m-%d %H:%M:%S"))
        watch_log = logging.getLogger("marsad.watch")
        watch_log.addHandler(handler)
        watch_log.setLevel(log_level.upper())
    config = ServiceConfig(db=Path(db_path) if db_path else None, parquet=Path(parquet_dir) if parquet_dir else None,
                           token=token, max_body_bytes=max_body,
                           max_page_size=page_cap, query_timeout_s=query_timeout, cors_origins=tuple(cors_origins),
                           article_timeout_s=article_timeout, extract_workers=extract_workers, read_cache=read_cache,
                           watch=Path(watch_file) if watch_file else None, watch_interval=interval)
    try:
        app = create_app(config)
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    served = db_path or (f"{parquet_dir} (Parquet, read-only)" if parquet_dir else "(no store: /v1/extract only)")
    click.echo(f"marsad: serving {served} on http://{host}:{port}/ "
               f"(API docs: /docs; writes {'on' if token else 'off'}; {workers} process"
               f"{'es' if workers > 1 else ''}" + (f"; watching the feeds of {watch_file}" if watch_file else "")
               + ")", err=True)
    from .protocol import HTTP_PROTOCOL
    options = dict(host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False,
                   http=HTTP_PROTOCOL)
    if workers == 1:
        uvicorn.run(app, **options)
        return
    # Each worker process builds its own app from the same settings (the parent's check above
    # already opened the store once, so errors surface here, before any worker starts).
    import json
    import os
    if app.state.db is not None:
        app.state.db.close()
    os.environ["MARSAD_SERVE_CONFIG"] = json.dumps(
        {"db": db_path, "parquet": parquet_dir, "max_body_bytes": max_body, "max_page_size": page_cap, "query_timeout_s": query_timeout,
         "cors_origins": list(cors_origins), "article_timeout_s": article_timeout,
         "extract_workers": extract_workers, "read_cache": read_cache})
    uvicorn.run("marsad.service.app:app_from_env", factory=True, workers=workers, **options)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
