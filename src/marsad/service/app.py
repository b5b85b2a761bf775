"""The FastAPI application: versioned JSON routes under /v1, the dashboard at /, docs at /docs.

Thin on purpose: `/v1/extract` calls `marsad.extract` and `marsad.output.to_record`
exactly as `marsad extract` does; the read routes call `queries` (SQL over the
store's tables), the export route calls the store's exporters and `/v1/ingest` the
store's ingest function, as the CLI does. Every error is the envelope of `envelope.py`.

Answers are plain JSON types already, so routes return a JSONResponse and skip FastAPI's
`jsonable_encoder` walk over every value (a third of the time of a page of events).

Threads: DuckDB calls block, so read routes are plain `def` (FastAPI runs them in its
thread pool) and each opens its own cursor. Extraction is CPU-bound Python: it runs in
a small executor of its own, so a burst of /v1/extract queues there instead of taking
every thread the reads need; a request waiting longer than `extract_timeout_s` gets a
504 (the extraction itself cannot be killed and finishes in the background).
"""
import asyncio
import concurrent.futures
import contextlib
import logging
from dataclasses import dataclass
from datetime import date as Date, datetime, timezone
from importlib.resources import files
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .. import __version__
from ..readers import parse_date
from . import envelope, queries
from .auth import require_token
from .config import ServiceConfig
from .envelope import ApiError, invalid
from .limits import BodyLimit, SecurityHeaders, deadline

log = logging.getLogger("marsad.service")
STATIC = files("marsad.service") / "static"

EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
               "Strategic developments")
SORTS = ("date", "-date", "fatalities", "-fatalities", "country", "-country", "event_type", "-event_type")
EXPORT_FORMATS = ("acled-csv", "geojson", "parquet", "jsonl", "plover-jsonl")


class ExtractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="The article text (plain text, UTF-8).")
    date: str | None = Field(None, description="Publication date YYYY-MM-DD; relative dates resolve against it.")
    id: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=200)
    with_text: bool = Field(False, description="Include the article text in the answer.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is blank: send the article text")
        return v

    @field_validator("date")
    @classmethod
    def _iso_date(cls, v: str | None) -> str | None:
        try:
            return parse_date(v, "date")
        except Exception:
            raise ValueError(f"malformed date {v!r}: expected YYYY-MM-DD") from None


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ExtractRequest] = Field(min_length=1, max_length=1000)


@dataclass(frozen=True)
class EventFilters:
    date_from: Date | None = None
    date_to: Date | None = None
    country: tuple[str, ...] = ()
    admin1: str | None = None
    event_type: tuple[str, ...] = ()
    actor: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    q: str | None = None
    since: datetime | None = None      # articles stored after this moment (UTC)


def event_filters(
    date_from: Annotated[Date | None, Query(description="Events on or after this day (YYYY-MM-DD).")] = None,
    date_to: Annotated[Date | None, Query(description="Events on or before this day (YYYY-MM-DD).")] = None,
    country: Annotated[list[str] | None, Query(description="ISO 3166-1 alpha-2 code; repeat for several.")] = None,
    admin1: Annotated[str | None, Query(max_length=200, description="First-level division, as stored.")] = None,
    event_type: Annotated[list[str] | None, Query(description="ACLED event type; repeat for several.")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Actor id or name (either side).")] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat (WGS84).")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the evidence, title or place.")] = None,
    since: Annotated[datetime | None, Query(description="Only events of articles stored after this moment "
                                            "(ISO 8601; UTC unless it says otherwise): the `updated` of an "
                                            "earlier /v1/feeds or /v1/stats answer.")] = None,
) -> EventFilters:
    if date_from and date_to and date_from > date_to:
        raise invalid("date_from", f"{date_from} is after date_to {date_to}")
    countries = []
    for c in country or ():
        if len(c) != 2 or not c.isascii() or not c.isalpha():
            raise invalid("country", f"{c!r} is not an ISO 3166-1 alpha-2 code (e.g. SY, IQ)")
        countries.append(c.upper())
    for t in event_type or ():
        if t not in EVENT_TYPES:
            raise invalid("event_type", f"unknown event type {t!r}; one of: {', '.join(EVENT_TYPES)}")
    box = None
    if bbox is not None:
        try:
            box = tuple(float(x) for x in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4 or not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
            raise invalid("bbox", f"{bbox!r} is not min_lon,min_lat,max_lon,max_lat with min <= max in range")
    if since is not None and since.tzinfo is not None:
        since = since.astimezone(timezone.utc).replace(tzinfo=None)
    return EventFilters(date_from, date_to, tuple(countries), admin1 or None, tuple(event_type or ()),
                        actor or None, box, (q or "").strip() or None, since)


Filters = Annotated[EventFilters, Depends(event_filters)]


def store(request: Request) -> queries.Database:
    if request.app.state.db is None:
        raise ApiError(503, "no_database", "This server was started without a store (--db), so it only "
                       "answers /v1/extract.")
    return request.app.state.db


Db = Annotated[queries.Database, Depends(store)]


def create_app(config: ServiceConfig) -> FastAPI:
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=config.extract_workers,
                                                     thread_name_prefix="marsad-extract")

    # Opened here, not at start-up, so that a missing or locked store is an error `marsad serve`
    # reports in one line before it listens.
    database = queries.Database(config.db, writable=config.writable or config.watch is not None) \
        if config.db else None
    watcher = None
    if config.watch is not None and database is not None:
        # `marsad serve --watch`: the watcher writes through this server's store, so the API
        # answers with what it stores (DuckDB lets only one process open the file).
        from ..feeds.watch import Background
        try:
            watch_log = logging.getLogger("marsad.watch")
            watcher = Background(config.watch, database.writer, database.write_lock, config.watch_interval,
                                 log=watch_log.info, warn=watch_log.warning)
        except BaseException:
            database.close()
            raise

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()
            executor.shutdown(wait=False, cancel_futures=True)
            if database is not None:
                database.close()

    app = FastAPI(title="marsad", version=__version__, lifespan=lifespan,
                  description="Arabic conflict news as structured, geocoded, evidence-linked events. Every "
                  "field carries a character span into the article text. Errors are one envelope: "
                  '`{"error": {"code", "message", "details"}}`.',
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.config = config
    app.state.db = database
    envelope.install(app)
    # Outermost first: headers on every answer (413s included), then the body limit.
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET"])
    app.add_middleware(SecurityHeaders)

    def page(limit: int | None, offset: int) -> int:
        if limit is None:
            return config.default_page_size
        if not 1 <= limit <= config.max_page_size:
            raise invalid("limit", f"{limit} is outside 1..{config.max_page_size} (the page size cap); "
                          "page with offset")
        return limit

    @app.get("/healthz", tags=["service"], summary="Liveness and store check")
    def healthz(request: Request):
        db = request.app.state.db
        if db is not None:
            with db.cursor() as cur, deadline(cur, 2.0):
                cur.execute("SELECT 1").fetchone()
        return {"status": "ok", "version": __version__, "store": db is not None,
                "writes": config.writable}

    @app.post("/v1/extract", tags=["extract"], summary="Extract events, figures and quotes from one article",
              description="The same JSON `marsad extract` prints for one article.")
    async def extract(body: ExtractRequest):
        from ..output import to_record
        article = _article(body)
        loop = asyncio.get_running_loop()
        try:
            done = await asyncio.wait_for(loop.run_in_executor(executor, _extract, article),
                                          config.extract_timeout_s)
        except asyncio.TimeoutError:
            raise ApiError(504, "timeout", f"Extraction took longer than {config.extract_timeout_s:g} s. "
                           "Send a shorter text, or try again when the server is less busy.",
                           {"limit_seconds": config.extract_timeout_s}) from None
        return JSONResponse(to_record(done, with_text=body.with_text))

    @app.get("/v1/events", tags=["events"], summary="Events, filtered, sorted and paged")
    def list_events(db: Db, filters: Filters,
                    sort: Annotated[Literal[SORTS], Query(description="Field to sort on; '-' for descending.")]
                    = "-date",
                    limit: Annotated[int | None, Query(description="Page size (default 50, at most the cap).")]
                    = None,
                    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
        limit = page(limit, offset)
        with db.cursor() as cur, deadline(cur, config.query_timeout_s):
            total, items = queries.list_events(cur, filters, sort, limit, offset)
        return JSONResponse({"total": total, "limit": limit, "offset": offset, "items": items})

    def one(db, fetch, key: str, what: str) -> JSONResponse:
        """One stored record by id, under the query time limit; 404 when there is none."""
        with db.cursor() as cur, deadline(cur, config.query_timeout_s):
            found = fetch(cur, key)
        if found is None:
            raise ApiError(404, "not_found", f"No {what} with id {key!r}.")
        return JSONResponse(found)

    @app.get("/v1/events/{event_id}", tags=["events"],
             summary="One event with every source article and its evidence spans")
    def get_event(db: Db, event_id: Annotated[str, Path(max_length=200)]):
        return one(db, queries.get_event, event_id, "event")

    @app.get("/v1/articles/{article_id}", tags=["articles"], summary="One article: its text and every span")
    def get_article(db: Db, article_id: Annotated[str, Path(max_length=200)]):
        return one(db, queries.get_article, article_id, "article")

    @app.get("/v1/stats", tags=["events"], summary="Event counts by type, country, week and day")
    def stats(db: Db, filters: Filters):
        with db.cursor() as cur, deadline(cur, config.query_timeout_s):
            return JSONResponse(queries.stats(cur, filters))

    @app.get("/v1/feeds", tags=["feeds"], summary="The feeds `marsad watch` follows: health, counts, errors",
             description="`updated` is when an article was last stored: pass it as `since` to /v1/events "
             "to get only the events stored after it.")
    def list_feeds(db: Db):
        with db.cursor() as cur, deadline(cur, config.query_timeout_s):
            found = queries.feeds(cur)
        return JSONResponse({"watching": config.watch is not None, **found})

    @app.get("/v1/export", tags=["export"], summary="The (filtered) events in an analyst's format",
             response_class=Response)
    def export(db: Db, request: Request,
               format: Annotated[Literal[EXPORT_FORMATS], Query(description="Output format.")],
               filters: Filters):
        path, media_type, filename = queries.export(db, format, filters)
        from starlette.background import BackgroundTask
        return FileResponse(path, media_type=media_type, filename=filename,
                            background=BackgroundTask(path.unlink, missing_ok=True))

    @app.post("/v1/ingest", tags=["ingest"], dependencies=[Depends(require_token)],
              summary="Extract and store articles (needs the operator's bearer token)",
              description="Off unless the server was started with a token (MARSAD_TOKEN or --token-file).")
    async def ingest(db: Db, body: IngestRequest):
        articles = [_article(a) for a in body.articles]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, queries.ingest, db, articles)

    @app.get("/docs", include_in_schema=False)
    def docs():
        return FileResponse(str(STATIC / "docs.html"), media_type="text/html")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def _article(body: ExtractRequest):
    from ..readers import from_record
    return from_record(body.model_dump(exclude={"with_text"}), "request body")


def _extract(article):
    import marsad
    return marsad.extract(article)


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes (`marsad serve --workers N`): the settings travel in
    MARSAD_SERVE_CONFIG as JSON, written by the parent."""
    import json
    import os
    from pathlib import Path

    settings = json.loads(os.environ.get("MARSAD_SERVE_CONFIG") or "{}")
    if settings.get("db"):
        settings["db"] = Path(settings["db"])
    settings["cors_origins"] = tuple(settings.get("cors_origins") or ())
    return create_app(ServiceConfig(**settings))


__all__ = ["create_app", "app_from_env", "EventFilters", "EVENT_TYPES"]
