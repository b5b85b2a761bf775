"""`marsad serve`: starts on loopback over a store, refuses what it cannot serve safely, and
every option is in the README."""
from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.service.commands import serve

from .conftest import ROOT_README, TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("options, writes", [(["--token-file", "TOKEN"], True), (["--workers", "2"], False)])
def test_service_cli_serves_a_store_on_loopback(store_path, tmp_path, options, writes):
    port = free_port()
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    options = [str(token_file) if o == "TOKEN" else o for o in options]
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", str(store_path), "--port",
                             str(port), "--log-level", "warning", *options],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90          # start-up on a loaded machine: imports, store, workers
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    pytest.fail(f"marsad serve exited {proc.returncode}: {proc.stderr.read()}")
                assert time.monotonic() < deadline, "marsad serve did not answer within 90 s"
                time.sleep(0.1)
        assert health.json()["writes"] is writes and health.json()["store"] is True
        for _ in range(4):
            assert httpx.get(f"http://127.0.0.1:{port}/v1/events").json()["total"] == 6
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert f"http://127.0.0.1:{port}/" in err and ("writes on" if writes else "writes off") in err


def test_service_cli_refusals(tmp_path, monkeypatch):
    runner = CliRunner()
    missing = runner.invoke(main, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "marsad ingest" in missing.output
    monkeypatch.setenv("MARSAD_TOKEN", "short")
    weak = runner.invoke(main, ["serve"])
    assert weak.exit_code == 2 and "at least 16" in weak.output
    monkeypatch.setenv("MARSAD_TOKEN", TOKEN)
    two_writers = runner.invoke(main, ["serve", "--workers", "2"])
    assert two_writers.exit_code == 2 and "one process" in two_writers.output


def test_service_cli_options_are_documented():
    readme = ROOT_README.read_text(encoding="utf-8")
    options = [opt for p in serve.params for opt in p.opts if opt.startswith("--")]
    assert options and [o for o in options if o not in readme] == []
    assert re.search(r"marsad serve --db", readme)
