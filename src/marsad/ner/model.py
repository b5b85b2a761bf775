"""Finding and loading the NER model: once per process, lazily, whichever kind it is.

Where the model is looked for, first hit wins: the path given, `MARSAD_NER_MODEL`,
`<data dir>/ner` (what `marsad ner train` writes by default), and the model shipped
inside the package. A folder with `config.json` is a transformer (see
`transformer.py`); one with `neural.npz` is the neural tagger (`neural.py`); one with
`crf.crfsuite` is the CRF. The names `crf` and `neural` (as a path or in
`MARSAD_NER_MODEL`) pick the packaged models of those kinds.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..errors import MarsadError
from ..paths import data_dir
from .crf import CRF_FILE, CRFTagger

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "ner"
PACKAGED_NEURAL = Path(__file__).resolve().parents[1] / "data" / "ner_neural"
NAMED = {"crf": PACKAGED, "neural": PACKAGED_NEURAL}
NEURAL_FILE = "neural.npz"


def default_path() -> Path:
    env = os.environ.get("MARSAD_NER_MODEL")
    if env:
        return NAMED.get(env, Path(env))
    for p in (data_dir() / "ner", PACKAGED):
        if (p / CRF_FILE).exists() or (p / "config.json").exists() or (p / NEURAL_FILE).exists():
            return p
    return PACKAGED


def load(path: str | Path | None = None):
    """The tagger at `path` (default: see the module docstring), loaded once per process."""
    if path is not None and str(path) in NAMED:
        path = NAMED[str(path)]
    return _load(str(Path(path).resolve()) if path else str(default_path().resolve()))


@lru_cache(maxsize=4)
def _load(path: str):
    p = Path(path)
    if (p / "config.json").exists():
        from .transformer import TransformerTagger
        return TransformerTagger(p)
    if (p / NEURAL_FILE).exists():
        from .neural import NeuralTagger
        return NeuralTagger(p)
    if (p / CRF_FILE).exists():
        return CRFTagger(p)
    raise MarsadError("E400", f"No NER model at {p}: it holds neither {CRF_FILE} (a CRF trained by marsad), {NEURAL_FILE} "
                      "(marsad's neural tagger) nor config.json (a transformer token classifier). Run `marsad ner train`, or set "
                      "MARSAD_NER_MODEL to a model folder.")
