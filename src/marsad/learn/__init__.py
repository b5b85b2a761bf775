"""Learned decisions: models trained on the gold articles, judged by cross-validation over articles.

A *learner* makes one stage's decisions from data instead of hand rules (is this clause an
event, which actor acted, which count is the toll ...). It is a small object with

    name   -- the model's name; the trained model is `data/models/<name>.json`
    stage  -- the pipeline stage whose decisions it makes
    examples(article, gold) -> list   the article has run through every stage *before* `stage`;
                                      `gold` is its gold record (FORMAT.md): labelled examples
    fit(examples) -> dict             a JSON-serialisable model (weights, thresholds, vocabulary)
    compile(model) -> object          optional: the model in the form the stage uses at run time

The stage asks `marsad.learn.model(name)` for its model at run time and falls back to its rules
when there is none. `marsad eval --folds K` trains every learner on K-1 folds of articles and runs
the pipeline with those models on the held-out fold (`folds.py`); `marsad train` trains them on all
gold articles and writes the models shipped in the package (`commands.py`). The gold is read only
by these two commands, never at run time.
"""
from __future__ import annotations

from .models import LEARNERS, learners, model, using

__all__ = ["LEARNERS", "learners", "model", "using"]
