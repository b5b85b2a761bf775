"""The server's settings: one frozen object, built by `marsad serve` or by a test.

The write token comes from the operator only: `--token-file` (first line of the file)
or the MARSAD_TOKEN environment variable. Without one, the write endpoints answer 403.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import MarsadError

MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class ServiceConfig:
    db: Path | None = None                 # the DuckDB store; None serves /v1/extract only
    parquet: Path | None = None            # instead of db: the Parquet tables of `marsad spark run`, read-only
    token: str | None = None               # bearer token for POST /v1/ingest; None: writes are off
    max_body_bytes: int = 2 * 1024 * 1024  # a news article is KBs; a batch of them a few MB
    max_page_size: int = 500
    default_page_size: int = 50
    query_timeout_s: float = 10.0
    article_timeout_s: float = 30.0        # per article, in /v1/extract and /v1/ingest (0: no limit)
    read_cache: int = 256                  # answers of GET /v1/events and /v1/stats kept (0: none; cache.py)
    extract_workers: int = 2               # worker processes; extraction requests at once (the next: 503)
    cors_origins: tuple[str, ...] = ()     # none by default: the dashboard is same-origin
    watch: Path | None = None              # a feeds file: follow its feeds into the store (marsad.feeds)
    watch_interval: float | None = None    # seconds between polls, instead of the feeds file's intervals

    @property
    def writable(self) -> bool:
        return self.token is not None


def load_token(token_file: str | os.PathLike | None = None, env: dict | None = None) -> str | None:
    """The operator's token from a file (first line) or MARSAD_TOKEN; None when neither is set."""
    env = os.environ if env is None else env
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError, UnicodeDecodeError) as e:
            raise MarsadError("E400", f"Cannot read the token file {token_file}: {e or 'it is empty'}. "
                              "Put the token on its first line.") from None
    else:
        token = (env.get("MARSAD_TOKEN") or "").strip()
        if not token:
            return None
    if len(token) < MIN_TOKEN_CHARS:
        raise MarsadError("E401", f"The write token is {len(token)} characters long; use at least "
                          f"{MIN_TOKEN_CHARS} random ones (e.g. `python3 -c 'import secrets; "
                          "print(secrets.token_urlsafe(32))'`).")
    return token
