"""The pair model: do two reports (from two articles) describe one incident?

A logistic regression over a handful of features of the pair, every one symmetric (the score
of (a, b) is the score of (b, a)) and computed with `math.fsum`, whose result does not depend
on the order of its terms, so a pair scores the same bit for bit in any run, process or
machine: the clustering built on the scores is then a function of the reports alone.

Features (names as in `model.json`):

| name | what |
|---|---|
| same_sub_type | the ACLED sub-event types agree |
| day_gap | days between the reports' dates (capped at 3) |
| log_km | log(1 + km between the places), 0 when either has no coordinates |
| no_km | either place has no coordinates |
| same_place | the same gazetteer place (or the same name where unresolved) |
| admin1_differs | both name a first-level division and they differ |
| words | overlap of the evidence's word stems, weighted by rarity (idf), over the smaller side |
| chars | overlap of the evidence's character trigrams over the smaller side (spelling variants) |
| title | idf-weighted overlap of the two titles' stems |
| actors_conflict | both name actors and share none |
| context | idf-weighted cosine of the stems around the two evidences |
| numbers_conflict | both evidences write numbers and share none |
| fatalities_agree | both reports give a death toll and it is the same |
| place_words | same_place times the mean of words, context and chars |

`place_words` says what a sum of features cannot: two reports of one place and day are one
incident when they also tell it alike, while a busy place (Aleppo, Hudaydah, Gaza) has several
incidents a day whose reports share the place, the day and little else.

Word rarity comes from document frequencies counted on the unlabeled ANT news corpora
(`idf.tsv.gz`, see MODEL.md). Inference is plain Python: the weights are in the data file,
scikit-learn is needed only to train them (`marsad.dedup.train`).
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import date as Date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..text.frequency import read_counts

FEATURES = ("same_sub_type", "day_gap", "log_km", "no_km", "same_place", "admin1_differs", "words", "chars",
            "title", "actors_conflict", "context", "numbers_conflict", "fatalities_agree", "place_words")
# Features bounded by [0, 1] that come from the text: the pruning bound in `Model.score` uses it.
TEXT_FEATURES = ("words", "chars", "title", "context")
MAX_GAP = 3


class Sig:
    """A report's match keys (one row of `match_keys`) with what the features need precomputed:
    each word's weight, the weight sums, the character trigrams."""

    __slots__ = ("event_id", "article_key", "block", "day", "sub_event_type", "place", "admin1", "lat", "lon",
                 "actors", "numbers", "fatalities", "words", "title", "text", "_grams", "w_words", "w_title",
                 "words_mass", "title_mass", "rad", "_context", "_w2_context", "_context_norm", "_weight")

    def __init__(self, row: dict[str, Any], model: "Model"):
        day = row.get("day")
        if isinstance(day, str):
            day = Date.fromisoformat(day[:10])
        self.event_id, self.article_key, self.block, self.day = row["event_id"], row["article_key"], row["block"], day
        self.sub_event_type, self.place, self.admin1 = row.get("sub_event_type"), row.get("place"), row.get("admin1")
        self.lat, self.lon = row.get("lat"), row.get("lon")
        self.rad = None if self.lat is None or self.lon is None else (math.radians(self.lat), math.radians(self.lon))
        self.actors = frozenset(row.get("actors") or ())
        self.numbers = frozenset(row.get("numbers") or ())
        self.fatalities = row.get("fatalities")
        get, unseen = model.idf.get, model.unseen
        self._weight = (get, unseen)
        self.w_words = {w: get(w, unseen) for w in row.get("words") or ()}
        self.w_title = {w: get(w, unseen) for w in row.get("title") or ()}
        self.words, self.title = self.w_words.keys(), self.w_title.keys()
        self.words_mass = math.fsum(self.w_words.values())
        self.title_mass = math.fsum(self.w_title.values())
        # The context's weights are computed when a pair first needs them (most pairs are
        # decided before: see `Model.score`).
        self._context = row.get("context") or ()
        self._w2_context = None
        self._context_norm = None
        self.text = row.get("text") or ""
        self._grams = None

    @property
    def w2_context(self) -> dict[str, float]:
        if self._w2_context is None:
            get, unseen = self._weight
            self._w2_context = {w: get(w, unseen) ** 2 for w in self._context}
        return self._w2_context

    @property
    def context(self):
        return self.w2_context.keys()

    @property
    def context_norm(self) -> float:
        if self._context_norm is None:
            self._context_norm = math.sqrt(math.fsum(self.w2_context.values()))
        return self._context_norm

    @property
    def grams(self) -> frozenset:
        """Character trigrams of the normalised evidence, each packed into one int (three code
        points of 16 bits: exact, and a third of a string's memory)."""
        if self._grams is None:
            t = " ".join(self.text.split())
            o = [ord(c) & 0xFFFF for c in t]
            self._grams = frozenset((o[i] << 32) | (o[i + 1] << 16) | o[i + 2] for i in range(len(o) - 2))
        return self._grams


def _km(a: Sig, b: Sig) -> float | None:
    if a.rad is None or b.rad is None:
        return None
    (p1, l1), (p2, l2) = a.rad, b.rad
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _overlap(wa: dict, wb: dict, small: float) -> float:
    if small <= 0:
        return 0.0
    shared = wa.keys() & wb.keys()
    return math.fsum(map(wa.__getitem__, shared)) / small if shared else 0.0


class Model:
    """Weights, intercept, default threshold and date window, with the idf table they were trained with."""

    def __init__(self, path: str | Path | None = None, untrained: bool = False):
        """`untrained`: accept a model file written for other features (its weights then all 0),
        for `marsad.dedup.train` to start from: it needs only the file's word table and window."""
        path = Path(path) if path else Path(str(files("marsad") / "data" / "dedup" / "model.json"))
        raw = path.read_bytes()
        spec = json.loads(raw)
        if tuple(spec["features"]) != FEATURES:
            if not untrained:
                from ..errors import MarsadError
                raise MarsadError("E640", f"{path} was trained on features {spec['features']}, but this marsad "
                                  f"computes {list(FEATURES)}: retrain it (python -m marsad.dedup.train).")
            spec["weights"] = [0.0] * len(FEATURES)
        self.path = path
        self.weights = [float(w) for w in spec["weights"]]
        self.intercept = float(spec["intercept"])
        self.threshold = float(spec["threshold"])
        # Two reports of one article share an incident only if they score this much together.
        self.same_article = float(spec.get("same_article", self.threshold))
        self.window = int(spec["window_days"])
        # Reports placed farther apart than this are never one incident, whatever their words: ACLED
        # codes one place per event, and the project's scorer calls events within 50 km one place.
        # (80 judged pairs teach the distance weight little; a template-like wording of two strikes in
        # two towns must not outweigh 300 km.)
        self.max_km = float(spec.get("max_km", 50.0))
        self._max_log_km = math.log1p(self.max_km)
        self.id = hashlib.sha256(raw).hexdigest()[:16]
        self.idf, self.unseen = _idf(str(path.parent / spec["idf"]))
        self._w = dict(zip(FEATURES, self.weights))
        self._wv = tuple(self.weights)
        index = {name: i for i, name in enumerate(FEATURES)}
        self._text_steps = [(index[name], fn, max(0.0, self._w[name])) for name, fn in self.TEXT]
        self._text_room = math.fsum(best for _, _, best in self._text_steps)
        self._place_words_room = max(0.0, self._w["place_words"])

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.unseen)

    def sig(self, row: dict[str, Any]) -> Sig:
        return Sig(row, self)

    # -- features -------------------------------------------------------------------------

    def structure(self, a: Sig, b: Sig) -> dict[str, float]:
        km = _km(a, b)
        gap = abs((a.day - b.day).days) if a.day and b.day else MAX_GAP
        return {"same_sub_type": float(a.sub_event_type is not None and a.sub_event_type == b.sub_event_type),
                "day_gap": float(min(gap, MAX_GAP)),
                "log_km": 0.0 if km is None else math.log1p(km), "no_km": float(km is None),
                "same_place": float(a.place is not None and a.place == b.place),
                "admin1_differs": float(bool(a.admin1 and b.admin1 and a.admin1 != b.admin1)),
                "actors_conflict": float(bool(a.actors and b.actors and not a.actors & b.actors)),
                "numbers_conflict": float(bool(a.numbers and b.numbers and not a.numbers & b.numbers)),
                "fatalities_agree": float(a.fatalities is not None and a.fatalities == b.fatalities)}

    # The text features, cheapest first (the order `score` prunes in).
    def _words(self, a: Sig, b: Sig) -> float:
        return _overlap(a.w_words, b.w_words, min(a.words_mass, b.words_mass))

    def _title(self, a: Sig, b: Sig) -> float:
        return _overlap(a.w_title, b.w_title, min(a.title_mass, b.title_mass))

    def _context(self, a: Sig, b: Sig) -> float:
        den = a.context_norm * b.context_norm
        if den <= 0:
            return 0.0
        shared = a.context & b.context
        return math.fsum(map(a.w2_context.__getitem__, shared)) / den if shared else 0.0

    def _chars(self, a: Sig, b: Sig) -> float:
        ga, gb = a.grams, b.grams
        return len(ga & gb) / min(len(ga), len(gb)) if ga and gb else 0.0

    TEXT = (("words", _words), ("title", _title), ("context", _context), ("chars", _chars))

    def text(self, a: Sig, b: Sig) -> dict[str, float]:
        return {name: f(self, a, b) for name, f in self.TEXT}

    def features(self, a: Sig, b: Sig) -> list[float]:
        f = self.structure(a, b) | self.text(a, b)
        f["place_words"] = f["same_place"] * ((f["words"] + f["context"] + f["chars"]) / 3.0)
        return [f[name] for name in FEATURES]

    def _logit(self, f: dict[str, float]) -> float:
        return math.fsum([self.intercept, *(self._w[k] * v for k, v in f.items())])

    def score(self, a: Sig, b: Sig, at_least: float | None = None) -> float | None:
        """P(same incident). With `at_least`, None as soon as the pair cannot reach it: the text
        features (each between 0 and 1) are computed cheapest first, and the rest is skipped
        when even their best values would leave the score short. The score is always the
        exactly rounded sum (`math.fsum`) of every weighted feature, so pruning never changes
        a score it returns, and neither does the order of anything."""
        w = self._wv
        if a.rad is None or b.rad is None:
            log_km, no_km = 0.0, 1.0
        else:
            (p1, l1), (p2, l2) = a.rad, b.rad
            h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
            log_km, no_km = math.log1p(6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))), 0.0
            if log_km > self._max_log_km:
                return None if at_least is not None and at_least > 0.0 else 0.0
        gap = min(abs((a.day - b.day).days), MAX_GAP) if a.day and b.day else MAX_GAP
        terms = [self.intercept,
                 w[0] if a.sub_event_type is not None and a.sub_event_type == b.sub_event_type else 0.0,
                 w[1] * gap, w[2] * log_km, w[3] * no_km,
                 w[4] if a.place is not None and a.place == b.place else 0.0,
                 w[5] if a.admin1 and b.admin1 and a.admin1 != b.admin1 else 0.0,
                 w[9] if a.actors and b.actors and not a.actors & b.actors else 0.0,
                 w[11] if a.numbers and b.numbers and not a.numbers & b.numbers else 0.0,
                 w[12] if a.fatalities is not None and a.fatalities == b.fatalities else 0.0]
        same_place = a.place is not None and a.place == b.place
        text: dict[int, float] = {}
        limit = None
        if at_least is not None and at_least > 0.0:
            if at_least >= 1.0:
                return None
            limit = math.log(at_least / (1.0 - at_least)) - 1e-9
            partial = math.fsum(terms)
            # What the text terms could still add at best (each feature is between 0 and 1).
            room = self._text_room + (self._place_words_room if same_place else 0.0)
            for i, fn, best in self._text_steps:
                if partial + room < limit:
                    return None
                value = text[i] = fn(self, a, b)
                term = w[i] * value
                terms.append(term)
                partial += term
                room -= best
        else:
            for i, fn, _ in self._text_steps:
                value = text[i] = fn(self, a, b)
                terms.append(w[i] * value)
        if same_place:                  # place_words: (words + context + chars) / 3, as `features` has it
            terms.append(w[13] * ((text[6] + text[10] + text[7]) / 3.0))
        logit = math.fsum(terms)
        if limit is not None and logit < limit:
            return None
        return 1.0 / (1.0 + math.exp(-logit))


@lru_cache(maxsize=4)
def _idf(path: str) -> tuple[dict[str, float], float]:
    """Stem -> log((N + 1) / (df + 1)); unseen stems (names, rare words) get the largest weight."""
    counts, n = read_counts(path)
    return {word: math.log((n + 1) / (df + 1)) for word, df in counts.items()}, math.log(n + 1)


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Model:
    return Model(path)
