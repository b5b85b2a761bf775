"""The HTTP/1.1 protocol `marsad serve` runs: uvicorn's h11 one, with two changes.

- A request it cannot parse (`Content-Length: -1`, a broken request line) is answered with the
  API's error envelope and security headers instead of uvicorn's plain-text 400. (Such a
  request never reaches the application, so no middleware can answer it.)
- Every connection gets TCP_NODELAY. asyncio sets it only on sockets whose protocol number
  is TCP, and the listening socket uvicorn binds for `--workers N` has protocol 0: without
  it, each answer (headers and body are two writes) waited ~40 ms for the client's delayed
  ACK, which capped a connection at ~23 requests/s whatever the server's speed.

Module-level, so that `--workers N` can send it to its server processes.
"""
from __future__ import annotations

import json
import socket

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import CSP, HEADERS


class EnvelopeH11Protocol(H11Protocol):
    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)

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
