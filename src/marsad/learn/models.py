"""Finding, loading and overriding the trained models of the learners.

Where a model is looked for, first hit wins: an override set with `using()` (cross-validation
runs the pipeline with the models of one fold), `$MARSAD_MODELS/<name>.json`,
`<data dir>/models/<name>.json` (what `marsad train` writes by default) and the model shipped in
the package (`marsad/data/models/<name>.json`). Each is read and compiled once per process.
"""
from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import MarsadError
from ..paths import data_dir

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "models"

# The learners, in pipeline order ("module:attribute", imported on first use). A learner whose
# stage comes later may use the decisions of those before it: folds train them in this order.
LEARNERS: list[str] = [
    "marsad.numbers.learned:LEARNER",
    "marsad.events.learned:EVENT_MENTION",
    "marsad.events.learned:INCIDENT_MERGE",
    "marsad.events.rank_train:PLACES",
    "marsad.events.rank_train:ROLES",
    "marsad.events.rank_train:COUNTS",
]

_UNSET = object()
_override: dict[str, Any] | None = None


def learners(refs: list[str] | None = None) -> list:
    out = []
    for ref in refs if refs is not None else LEARNERS:
        module, _, attr = ref.partition(":")
        out.append(getattr(importlib.import_module(module), attr))
    return out


def _learner(name: str):
    return next((x for x in learners() if x.name == name), None)


def model_paths(name: str) -> list[Path]:
    paths = []
    if os.environ.get("MARSAD_MODELS"):
        paths.append(Path(os.environ["MARSAD_MODELS"]) / f"{name}.json")
    return paths + [data_dir() / "models" / f"{name}.json", PACKAGED / f"{name}.json"]


def model(name: str) -> Any:
    """The compiled model `name`, or None when there is none (the stage then uses its rules)."""
    if _override is not None:
        return _override.get(name)
    path = next((p for p in model_paths(name) if p.is_file()), None)
    return _load(str(path)) if path else None


@lru_cache(maxsize=16)
def _load(path: str) -> Any:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise MarsadError("E720", f"Cannot read the model {path}: {e}. Retrain it with `marsad train` "
                          "or remove the file to use the one shipped with marsad.") from e
    return compile_model(raw.get("learner") or Path(path).stem, raw)


def compile_model(name: str, raw: Mapping) -> Any:
    learner = _learner(name)
    if learner is not None and hasattr(learner, "compile"):
        return learner.compile(raw)
    return raw


@contextmanager
def using(models: Mapping[str, Any]) -> Iterator[None]:
    """Run with exactly these compiled models (a learner not named has none: its stage uses its
    rules). Cross-validation uses it so that no shipped model, trained on every fold, leaks in."""
    global _override
    before = _override
    _override = dict(models)
    try:
        yield
    finally:
        _override = before


def save(raw: Mapping, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    tmp.replace(path)
    return path
