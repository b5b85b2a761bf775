"""Where marsad keeps what it builds (the gazetteer index, downloaded dumps).

`MARSAD_DATA` overrides the platform's user data folder (~/.local/share/marsad on
Linux), so tests and CI can point it at a temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    env = os.environ.get("MARSAD_DATA")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "marsad"
