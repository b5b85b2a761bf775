"""Cross-validation over articles: train on K-1 folds, run the pipeline on the held-out one.

Articles (never sentences) are split into folds by a hash of their id, so the split is the same
on every machine and does not move when a file is reordered; an article in two files counts once.
For each fold every learner is trained, in pipeline order, on the other folds' articles run
through the stages before its own (with the models already trained for this fold), then the whole
pipeline runs on the held-out articles with exactly those models (`models.using`): no model that
saw a held-out article is ever used to predict it. The project's scorer scores each fold; the
out-of-fold predictions of all folds together are scored too, and per input file (so the dev
articles are one more part of the data, reported on their own line, not the target).
"""
from __future__ import annotations

import hashlib
import statistics
from pathlib import Path
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..article import Article
from ..pipeline import Pipeline
from . import models as md

# (label, part, key): what the table shows of the scorer's summary, in this order.
COLUMNS = (("ev.P", "events", "precision"), ("ev.R", "events", "recall"), ("ev.F1", "events", "f1"),
           ("sub", "events", "sub_event_type"), ("actor1", "events", "actor1"), ("actor2", "events", "actor2"),
           ("fatal", "events", "fatalities"), ("date", "events", "date_exact"),
           ("fig.F1", "figures", "f1"), ("quo.F1", "quotes", "f1"), ("speaker", "quotes", "speaker"),
           ("kind", "quotes", "kind"))


def assign(ids: Sequence[str], k: int) -> dict[str, int]:
    """Article id -> fold (0..k-1): ids ordered by their SHA-256, dealt round-robin (sizes differ by ≤ 1)."""
    order = sorted(set(ids), key=lambda i: hashlib.sha256(str(i).encode("utf-8")).hexdigest())
    return {a: n % k for n, a in enumerate(order)}


def article_of(record: dict) -> Article:
    date = str(record["date"])[:10] if record.get("date") else None
    return Article(text=record["text"], id=str(record["id"]), title=record.get("title"), date=date,
                   date_source="input" if date else None, url=record.get("url"), source=record.get("source"))


def prefix(pipeline: Pipeline, stage: str) -> Pipeline:
    """The stages of `pipeline` before `stage` (all of them when it has no such stage)."""
    names = pipeline.names
    return Pipeline(pipeline.stages[:names.index(stage)] if stage in names else pipeline.stages)


def train(learners: Sequence, records: Sequence[dict], pipeline: Pipeline | None = None,
          progress: Callable[[str], None] | None = None) -> tuple[dict[str, dict], dict[str, Any]]:
    """Train `learners` in order on `records` (gold articles): (raw models by name, compiled models by name)."""
    pipeline = pipeline or Pipeline.default()
    raw, compiled = {}, {}
    for learner in learners:
        head = prefix(pipeline, learner.stage)
        examples = []
        with md.using(compiled):
            for r in records:
                examples.extend(learner.examples(head(article_of(r)), r))
        if progress:
            progress(f"{learner.name}: {len(examples)} examples from {len(records)} articles")
        model = dict(learner.fit(examples))
        model["learner"] = learner.name
        raw[learner.name] = model
        compiled[learner.name] = md.compile_model(learner.name, model)
    return raw, compiled


def predict(records: Sequence[dict], pipeline: Pipeline | None = None) -> list[dict]:
    """The pipeline's output for each gold article, as `marsad extract` prints it."""
    from ..output import to_record
    pipeline = pipeline or Pipeline.default()
    return [to_record(pipeline(article_of(r))) for r in records]


@dataclass
class CrossValidation:
    k: int
    folds: list[dict] = field(default_factory=list)       # the scorer's summary of each fold
    sizes: list[int] = field(default_factory=list)
    pooled: dict | None = None                            # all out-of-fold predictions together
    by_file: dict[str, dict] = field(default_factory=dict)
    system: list[dict] = field(default_factory=list)      # out-of-fold predictions, in input order

    def values(self, label: str) -> list[float | None]:
        part, key = next((p, k) for lab, p, k in COLUMNS if lab == label)
        return [value(f, part, key) for f in self.folds]

    def spread(self, label: str) -> dict[str, float | None]:
        xs = [x for x in self.values(label) if x is not None]
        if not xs:
            return {"mean": None, "std": None, "min": None, "max": None}
        return {"mean": statistics.fmean(xs), "std": statistics.pstdev(xs), "min": min(xs), "max": max(xs)}

    def to_dict(self) -> dict:
        return {"k": self.k, "fold_sizes": self.sizes, "folds": self.folds, "pooled": self.pooled,
                "by_file": self.by_file, "summary": {lab: self.spread(lab) for lab, _, _ in COLUMNS}}


def value(summary: dict, part: str, key: str) -> float | None:
    v = summary[part].get(key)
    if isinstance(v, dict):
        return v.get("accuracy")
    return v


def cross_validate(files: dict[str, list[dict]], k: int, scorer, learners: Sequence | None = None,
                   progress: Callable[[str], None] | None = None,
                   pipeline: Pipeline | None = None) -> CrossValidation:
    """K-fold cross-validation over the articles of `files` (name -> gold records)."""
    learners = md.learners() if learners is None else learners
    records, seen = [], set()
    for recs in files.values():
        for r in recs:
            if str(r["id"]) not in seen:
                seen.add(str(r["id"]))
                records.append(r)
    folds = assign([str(r["id"]) for r in records], k)
    pipeline = pipeline or Pipeline.default()
    out = CrossValidation(k=k)
    by_id: dict[str, dict] = {}
    for f in range(k):
        test = [r for r in records if folds[str(r["id"])] == f]
        rest = [r for r in records if folds[str(r["id"])] != f]
        _, compiled = train(learners, rest, pipeline)
        with md.using(compiled):
            system = predict(test, pipeline)
        by_id.update({s["id"]: s for s in system})
        out.folds.append(scorer.score(test, system))
        out.sizes.append(len(test))
        if progress:
            progress(f"fold {f + 1}/{k}: {len(test)} articles, event F1 {out.folds[-1]['events']['f1']:.3f}")
    out.system = [by_id[str(r["id"])] for r in records]
    out.pooled = scorer.score(records, out.system)
    if len(files) > 1:
        for name, recs in files.items():
            out.by_file[name] = scorer.score(recs, [by_id[str(r["id"])] for r in recs])
    return out


def table(cv: CrossValidation) -> str:
    labels = [lab for lab, _, _ in COLUMNS]
    head = f"{'':<16}{'articles':>8}" + "".join(f"{lab:>8}" for lab in labels)

    def row(name: str, n: int | str, vals: Sequence[float | None]) -> str:
        return f"{name:<16}{n:>8}" + "".join(f"{'-' if v is None else f'{v:.3f}':>8}" for v in vals)

    lines = [head]
    for i, (f, n) in enumerate(zip(cv.folds, cv.sizes)):
        lines.append(row(f"fold {i + 1}", n, [value(f, p, key) for _, p, key in COLUMNS]))
    for stat in ("mean", "std", "min", "max"):
        lines.append(row(stat, "", [cv.spread(lab)[stat] for lab in labels]))
    lines.append(row("all (pooled)", cv.pooled["articles"], [value(cv.pooled, p, key) for _, p, key in COLUMNS]))
    for name, s in cv.by_file.items():
        lines.append(row(Path(name).name[:15], s["articles"], [value(s, p, key) for _, p, key in COLUMNS]))
    return "\n".join(lines)
