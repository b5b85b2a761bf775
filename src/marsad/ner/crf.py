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

    def tag(self, tokens: list[str]) -> list[str]:
        if not tokens:
            return []
        return self.tagger.tag(self.featurizer.sentence(tokens))

    def tag_with_scores(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        """Tags and, per token, the model's marginal probability of its tag."""
        tags = self.tag(tokens)
        return tags, [self.tagger.marginal(t, i) for i, t in enumerate(tags)]


def save_resources(path: Path, resources: dict, config: dict) -> None:
    data = {**resources, "config": config}
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    with open(path / RESOURCES_FILE, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as z:
        z.write(raw)             # mtime=0: the same training run gives the same bytes
