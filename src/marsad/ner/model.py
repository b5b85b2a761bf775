"""Finding and loading the NER model: once per process, lazily, whichever kind it is.

Where the model is looked for, first hit wins: the path given, `MARSAD_NER_MODEL`,
`<data dir>/ner` (what `marsad ner train` writes by default), and the model shipped
inside the package. A folder with `config.json` is a transformer (see
`transformer.py`); one with `crf.crfsuite` is the CRF.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..errors import MarsadError
from ..paths import data_dir
from .crf import CRF_FILE, CRFTagger

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "ner"


def default_path() -> Path:
    env = os.environ.get("MARSAD_NER_MODEL")
    if env:
        return Path(env)
    for p in (data_dir() / "ner", PACKAGED):
        if (p / CRF_FILE).exists() or (p / "config.json").exists():
            return p
    return PACKAGED


def load(path: str | Path | None = None):
    """The tagger at `path` (default: see the module docstring), loaded once per process."""
    return _load(str(Path(path).resolve()) if path else str(default_path().resolve()))


@lru_cache(maxsize=4)
def _load(path: str):
    p = Path(path)
    if (p / "config.json").exists():
        from .transformer import TransformerTagger
        return TransformerTagger(p)
    if (p / CRF_FILE).exists():
        return CRFTagger(p)
    raise MarsadError("E400", f"No NER model at {p}: it holds neither {CRF_FILE} (a CRF trained by marsad) nor "
                      "config.json (a transformer token classifier). Run `marsad ner train`, or set "
                      "MARSAD_NER_MODEL to a model folder.")
