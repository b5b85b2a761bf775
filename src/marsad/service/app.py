"""The FastAPI application: versioned JSON routes under /v1, the dashboard at /, docs at /docs.

Thin on purpose: `/v1/extract` calls `marsad.extract` and `marsad.output.to_record`
exactly as `marsad extract` does; the read routes call `queries` (SQL over the
store's tables), the export route calls the store's exporters and `/v1/ingest` the
store's ingest function, as the CLI does. Every error is the envelope of `envelope.py`.

Answers are plain JSON types already, so routes return a JSONResponse and skip FastAPI's
`jsonable_encoder` walk over every value (a third of the time of a page of events).

Threads and processes: DuckDB calls block, so read routes are plain `def` (FastAPI runs
them in its thread pool) and each opens its own cursor. Extraction is CPU-bound Python and
runs in `extract_workers` worker processes of its own (`batch.pool.DeadlinePool`), never
in the server's process: reads never wait behind it for the interpreter. At most that many
/v1/extract and /v1/ingest requests run at once; one more answers 503 with Retry-After.
An article still extracting after `article_timeout_s` answers 504 (in /v1/ingest: an
error of that article), and its worker stops: it interrupts itself, and is killed past a
short grace, so nothing is left running after the answer.
"""
import asyncio
import contextlib
import logging
import math
import threading
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
from ..store.countries import country_code
from . import envelope, queries
from .auth import require_token
from .cache import Answers, ReadCache
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
    country: Annotated[list[str] | None, Query(description="ISO 3166-1 alpha-2 code (SY) or English name (Syria), "
                                                       "as `marsad export --country` takes; repeat for several.")]
    = None,
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
        code = c.upper() if len(c) == 2 and c.isascii() and c.isalpha() else country_code(c) if len(c) <= 100 else None
        if code is None:
            raise invalid("country", f"{c!r} is neither an ISO 3166-1 alpha-2 code (e.g. SY, IQ) nor a country "
                          "name marsad knows (e.g. Syria, Iraq)")
        countries.append(code)
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


class Extraction:
    """The worker processes that extract for this app, and the requests using them (at most one
    article per request in flight, so a request never waits behind another's articles)."""

    def __init__(self, config: ServiceConfig):
        self.config = config
        self.lock = threading.Lock()
        self.pool = None
        self.running = 0

    def start(self):
        from ..batch.pool import GRACE_S, DeadlinePool
        with self.lock:
            if self.pool is None:
                t = self.config.article_timeout_s
                self.pool = DeadlinePool(self.config.extract_workers, t + GRACE_S if t else None,
                                         initializer=_init_worker)
            return self.pool

    @contextlib.asynccontextmanager
    async def slot(self):
        with self.lock:
            full = self.running >= self.config.extract_workers
            if not full:
                self.running += 1
        if full:
            wait = max(1, math.ceil(min(self.config.article_timeout_s or 5.0, 5.0)))
            raise ApiError(503, "busy", f"All {self.config.extract_workers} extraction workers are busy. Try "
                           f"again in {wait} s.", {"workers": self.config.extract_workers},
                           {"Retry-After": str(wait)})
        try:
            yield self.start()
        finally:
            with self.lock:
                self.running -= 1

    async def run(self, pool, fn, *args):
        from ..batch.pool import TaskTimeout, WorkerDied
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except TaskTimeout:
            raise self.timeout() from None
        except WorkerDied as e:
            raise ApiError(500, "worker_died", e.message) from None

    def timeout(self) -> ApiError:
        t = self.config.article_timeout_s
        return ApiError(504, "timeout", f"Extraction took longer than {t:g} s (this server's per-article "
                        "deadline) and was stopped. Send a shorter text, or split it into articles.",
                        {"limit_seconds": t})

    def close(self) -> None:
        with self.lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False)


def create_app(config: ServiceConfig) -> FastAPI:
    extraction = Extraction(config)

    # Opened here, not at start-up, so that a missing or locked store is an error `marsad serve`
    # reports in one line before it listens.
    database = queries.Database(config.db, writable=config.writable or config.watch is not None) \
        if config.db else queries.Database(config.parquet, parquet=True) if config.parquet else None
    answers = Answers(entries=config.read_cache)
    watcher = None
    if config.watch is not None and database is not None:
        # `marsad serve --watch`: the watcher writes through this server's store, so the API
        # answers with what it stores (DuckDB lets only one process open the file).
        from ..feeds.watch import Background
        try:
            watch_log = logging.getLogger("marsad.watch")
            watcher = Background(config.watch, database.writer, database.write_lock, config.watch_interval,
                                 log=watch_log.info, warn=watch_log.warning, on_write=answers.clear)
        except BaseException:
            database.close()
            raise

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        # The extraction workers start with the first extraction request: a read-only server (say,
        # `--workers 4` over a finished store) never spends their memory or their start-up.
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()
            extraction.close()
            if database is not None:
                database.close()

    app = FastAPI(title="marsad", version=__version__, lifespan=lifespan,
                  description="Arabic conflict news as structured, geocoded, evidence-linked events. Every "
                  "field carries a character span into the article text. Errors are one envelope: "
                  '`{"error": {"code", "message", "details"}}`.',
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.config = config
    app.state.db = database
    app.state.extraction = extraction
    envelope.install(app)
    app.state.answers = answers
    # Outermost first: headers on every answer (413s included), then the body limit, then the
    # kept answers of the read routes (see cache.py).
    if config.read_cache > 0:
        app.add_middleware(ReadCache, answers=answers)
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
        article = _article(body)
        async with extraction.slot() as pool:
            done = await extraction.run(pool, _extract, article, body.with_text, config.article_timeout_s)
        if "error" in done:
            if done["error"]["code"] == "E623":
                raise extraction.timeout()
            raise ApiError(500, done["error"]["code"], done["error"]["message"])
        return JSONResponse(done["record"])

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

    @app.get("/v1/events/map", tags=["events"], summary="Every located event of the filters, counted per place",
             description="One entry per distinct coordinates: count, fatalities, counts per event type, first "
             "and last day and the latest event ids. The dashboard's map draws every event from it.")
    def events_map(db: Db, filters: Filters):
        with db.cursor() as cur, deadline(cur, config.query_timeout_s):
            return JSONResponse(queries.map_places(cur, filters))

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
        from ..batch.extract import process
        articles = [_article(a) for a in body.articles]
        records = []
        async with extraction.slot() as pool:
            for article in articles:       # one at a time: a request holds one worker
                try:
                    records.append(await extraction.run(pool, process, article, None, config.article_timeout_s))
                except ApiError as e:       # past the deadline or a dead worker: that article's error
                    from ..batch.extract import error_record
                    records.append(error_record(article, _Failed(e)))
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, queries.ingest, db, articles, records)
        finally:
            answers.clear()          # the store changed: no kept answer holds any more

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


class _Failed(Exception):
    def __init__(self, error: ApiError):
        super().__init__(error.message)
        self.code = "E623" if error.status == 504 else "E622"


def _init_worker() -> None:
    """In each extraction worker, before it takes requests: load the models (first article)."""
    from ..batch import warm_up
    warm_up()


def _extract(article, with_text: bool, timeout: float | None) -> dict:
    """In a worker: the record `marsad extract` prints, or the error (plain data either way)."""
    import marsad
    from ..batch.pool import time_limit
    from ..errors import MarsadError
    from ..output import to_record
    try:
        with time_limit(timeout):
            return {"record": to_record(marsad.extract(article), with_text=with_text)}
    except MarsadError as e:
        return {"error": {"code": e.code, "message": e.message}}
    except Exception as e:
        return {"error": {"code": "internal_error", "message": f"extraction failed: {type(e).__name__}: {e}"}}


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes (`marsad serve --workers N`): the settings travel in
    MARSAD_SERVE_CONFIG as JSON, written by the parent."""
    import json
    import os
    from pathlib import Path

    settings = json.loads(os.environ.get("MARSAD_SERVE_CONFIG") or "{}")
    for key in ("db", "parquet"):
        if settings.get(key):
            settings[key] = Path(settings[key])
    settings["cors_origins"] = tuple(settings.get("cors_origins") or ())
    return create_app(ServiceConfig(**settings))


__all__ = ["create_app", "app_from_env", "EventFilters", "EVENT_TYPES"]
