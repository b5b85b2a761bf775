"""The HTTP/1.1 protocol `marsad serve` runs: uvicorn's h11 one, except that a request it cannot
parse (`Content-Length: -1`, a broken request line) is answered with the API's error envelope
and security headers instead of uvicorn's plain-text 400. (Such a request never reaches the
application, so no middleware can answer it.) Module-level, so that `--workers N` can send it
to its server processes.
"""
from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import CSP, HEADERS


class EnvelopeH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"error": {"code": "bad_request", "message": f"{msg} The request could not be parsed "
                                     "as HTTP/1.1 (check its request line and headers, such as Content-Length).",
                                     "details": None}}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close"), (b"content-security-policy", CSP.encode()), *HEADERS]
        try:
            self.transport.write(self.conn.send(h11.Response(status_code=400, headers=headers)))
            self.transport.write(self.conn.send(h11.Data(data=body)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:       # h11 will not answer in the state it is in: uvicorn's own answer
            return super().send_400_response(msg)
        finally:
            self.transport.close()


HTTP_PROTOCOL = EnvelopeH11Protocol
