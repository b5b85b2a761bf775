"""The CRF tagger: python-crfsuite over the features in `features.py`.

A model is a folder: `crf.crfsuite` (the weights), `resources.json.gz` (the
gazetteers, clusters and corpus statistics the features read, plus the feature
configuration), and `MODEL.md` (its card). Loading takes well under a second.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from .features import Featurizer
from .linear import LinearCRF

CRF_FILE = "crf.crfsuite"
RESOURCES_FILE = "resources.json.gz"
DEFAULT_PARAMS = {"c1": 0.02, "c2": 0.003, "max_iterations": 200, "feature.possible_transitions": True}


def train_crf(sentences, featurizer: Featurizer, path: Path, params: dict | None = None) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    for tokens, tags in sentences:
        trainer.append(featurizer.sentence(tokens), tags)
    trainer.train(str(path))


class CRFTagger:
    """Tags sentences of surface tokens with BIO tags (ANERcorp's tag set)."""

    kind = "crf"

    def __init__(self, path: str | Path):
        import pycrfsuite

        path = Path(path)
        with gzip.open(path / RESOURCES_FILE, "rt", encoding="utf-8") as f:
            res = json.load(f)
        self.path = path
        self.featurizer = Featurizer(res, res.get("config"))
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path / CRF_FILE))

        self.linear = LinearCRF(self.tagger, self.featurizer)

    def tag(self, tokens: list[str]) -> list[str]:
        return self.tag_with_scores(tokens)[0]

    def tag_with_scores(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        """Tags and, per token, the model's marginal probability of its tag."""
        return self.tag_many([tokens])[0]

    def tag_many(self, sentences: list[list[str]]) -> list[tuple[list[str], list[float]]]:
        """`tag_with_scores` for many sentences in one batch (see `linear.py`)."""
        return self.linear.tag_many(sentences)


def save_resources(path: Path, resources: dict, config: dict) -> None:
    data = {**resources, "config": config}
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    with open(path / RESOURCES_FILE, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as z:
        z.write(raw)             # mtime=0: the same training run gives the same bytes
