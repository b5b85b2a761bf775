"""Bearer-token check for the endpoints that write.

Writes are off unless the operator configured a token (403 `writes_disabled`); a
missing or wrong token is 401 with `WWW-Authenticate: Bearer` (RFC 6750). Tokens are
compared in constant time.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .envelope import ApiError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="marsad"'}


# Declared so /docs shows the scheme and an Authorize button; the checks below are ours,
# so that every failure comes out in the error envelope.
bearer = HTTPBearer(auto_error=False, description="The token the operator started the server with.")


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None) -> None:
    expected = request.app.state.config.token
    if expected is None:
        raise ApiError(403, "writes_disabled", "This server does not accept writes: the operator started it "
                       "without a token. Start `marsad serve` with MARSAD_TOKEN set or --token-file to enable "
                       "POST /v1/ingest.")
    given = credentials.credentials if credentials else ""
    if not given.strip():
        raise ApiError(401, "unauthorized", "This endpoint needs 'Authorization: Bearer <token>'.",
                       headers=CHALLENGE)
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "The bearer token is not the one this server was started with.",
                       headers={"WWW-Authenticate": 'Bearer realm="marsad", error="invalid_token"'})
