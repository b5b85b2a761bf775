"""One error envelope for every error the HTTP API answers.

    {"error": {"code": "invalid_parameter", "message": "...", "details": {...}}}

`code` is a stable machine-readable string (the library's own `E1xx` codes pass
through for bad input); `message` says what happened and what to do; `details`
is null or an object (for 422: the offending parameters). Starlette's own 404/405,
FastAPI's validation errors, our `ApiError`s, the library's `MarsadError`s and
anything unexpected (500) all come out in this one shape; a test pins it.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, MarsadError

log = logging.getLogger("marsad.service")

STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "invalid_parameter", 429: "too_many_requests",
    500: "internal_error", 503: "unavailable", 504: "timeout",
}


class ApiError(StarletteHTTPException):
    """An error we answer on purpose. It is an HTTPException so that it also passes
    through FastAPI's body reading (which turns any other exception into a 400)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.status, self.code, self.message, self.details = status, code, message, details


def envelope(status: int, code: str, message: str, details: Any = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details}},
                        status_code=status, headers=headers)


def invalid(param: str, problem: str, where: str = "query") -> ApiError:
    """A 422 that names the parameter, the same shape as FastAPI's own validation errors."""
    return ApiError(422, "invalid_parameter", f"Invalid {where} parameter '{param}': {problem}",
                    {"parameters": [{"name": param, "in": where, "problem": problem}]})


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if isinstance(exc, ApiError):
            return envelope(exc.status, exc.code, exc.message, exc.details, exc.headers)
        code = STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        message = {404: f"No such resource: {request.url.path}. The API lives under /v1 (see /docs).",
                   405: f"Method {request.method} is not allowed on {request.url.path}."}.get(
            exc.status_code, str(exc.detail))
        return envelope(exc.status_code, code, message, None, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        params = [_problem(err) for err in exc.errors()] or [
            {"name": "body", "in": "body", "problem": "invalid"}]
        first = params[0]
        if first["name"] == "body":
            message = f"Invalid request body: {first['problem']}"
        else:
            where = "body field" if first["in"] == "body" else f"{first['in']} parameter"
            message = f"Invalid {where} '{first['name']}': {first['problem']}"
        return envelope(422, "invalid_parameter", message, {"parameters": params})

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError):
        return envelope(422, exc.code, exc.message, None)

    @app.exception_handler(MarsadError)
    async def _marsad_error(request: Request, exc: MarsadError):
        log.error("marsad error on %s: %s", request.url.path, exc)
        return envelope(500, exc.code, exc.message, None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # The traceback goes to the server log, never to the client.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return envelope(500, "internal_error", "The server failed to answer this request; the error is "
                        "in the server log.", None)


def _problem(err: dict) -> dict:
    """One FastAPI/pydantic validation error as {name, in, problem}, in words a client can act on."""
    loc = [str(x) for x in err.get("loc", ())]
    where = loc[0] if loc else "body"
    problem = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "json_invalid":
        detail = (err.get("ctx") or {}).get("error", "")
        return {"name": "body", "in": "body", "problem": f"not valid JSON ({detail}) at character {loc[-1]}"}
    name = ".".join(loc[1:]) or "body"
    if where == "body" and name == "body" and err.get("type") in ("model_attributes_type", "dict_type"):
        problem = "expected a JSON object (send Content-Type: application/json)"
    return {"name": name, "in": where, "problem": problem}
