"""Learned roles and counts: rank the candidates an event's sentences offer, the rules' choice a feature.

Once mentions are merged into an event (and ACLED's defaults applied), `refine` reconsiders
four of its fields with trained models (`marsad.learn.model`), keeping the rules' values when
there is no model:

- location (first: the actors' features compare countries with it): every place the event could
  name in its sentences, three on either side and the article's first two, and the rules'
  choice; described by where it stands against the trigger, its level and gazetteer type, the
  word before it (locative, destination or origin, relation, subject of a verb), how often and
  where first the article names it, finer or coarser than the rules' place, its country against
  the rules' and the article's, and whether a neighbouring sentence reports another action.
  Arrests keep the rules' place; the stage keeps it too where the learned one would repeat an
  event already coded.
- actor1 / actor2: every actor mentioned in the event's evidence sentences and the sentence on
  either side, the rules' own choices, ACLED's defaults (an unidentified armed group, the event
  country's police, civilians) and "no actor". Each candidate is described by where it stands
  against the trigger (same sentence, before/after, token distance, in the trigger's clause), the
  word before it (a target word or ل after one, an agent marker من قبل/على يد, an attack noun whose
  possessor it is "غارة للتحالف", a speech verb whose subject it is), whether it is a quote's
  speaker or inside a quote, its ACLED type crossed with the event type, its country against the
  event's, how often the article names it, and whether the rules chose it.
- fatalities: every number (the `quantities` layer) in the event's sentences, two on either side
  and the article's first two, the sums of the counts one casualty word lists ("مقتل ضابط وثلاثة
  جنود" = 4), the rules' count and "no count" (a number the nearest other trigger before it owns
  is left out, the rules' convention); described by the figures stage's metric for it, the casualty word next to it,
  cumulative cues in its sentence ("منذ"، "حصيلة"، "ارتفع ... إلى"), a subset cue before it
  ("بينهم"), distance to the trigger, size and vagueness, and whether the rules chose it.

A model is a logistic regression over those sparse features (trained with scikit-learn in
`rank_train.py`): inference here is a dot product per candidate, the highest score wins (ties
go to the rules' choice). Counts take two decisions: which number (a ranking trained on the
events that have a count), then whether the event reports one at all (`CountModel`).
Tried (out-of-fold, see data/models/MODEL.md): a conditional logit per event instead of the
logistic regression (worse for actor1: 0.72 against 0.75–0.77 ranking accuracy); one ranking
with "no count" as a candidate (it chose "no count" too often, below the rules); windows of 0,
1 and 2 neighbouring sentences (the right actor is a candidate for 0.85 / 0.92 / 0.94 of the
paired events, the right count for 0.60 / 0.70 / 0.76): actors look one sentence away, counts
two and at the article's lead. Cue words are in `data/event_cues.json`.
"""
from __future__ import annotations

import bisect
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..article import ActorMention, Span
from ..text import norm
from . import context as cx
from . import location, roles
from .merge import Draft

CUES_PATH = Path(__file__).resolve().parents[1] / "data" / "event_cues.json"
NEIGHBOURS = 1               # sentences on either side of the event's own: actors
COUNT_NEIGHBOURS = 2         # counts
COUNT_LEAD = 2               # and the article's first sentences, where the toll is told
PLACE_NEIGHBOURS = 3         # places
PLACE_LEAD = 2
# an arrest's place is the arresting force's country when no sentence locates it (the rules' convention)
_RULES_PLACE = frozenset({"Arrests"})


@lru_cache(maxsize=1)
def cues() -> dict[str, frozenset[str]]:
    raw = json.loads(CUES_PATH.read_text(encoding="utf-8"))
    return {k: frozenset(norm(w) for w in v.split()) for k, v in raw.items() if not k.startswith("_")}


@dataclass(slots=True)
class Candidate:
    key: Any                              # actor id (None = no actor) or a count (None = no count)
    value: Any                            # the ActorMention or int to set
    feats: dict[str, float] = field(default_factory=dict)


class Linear:
    """A compiled logistic regression over named features."""

    def __init__(self, raw: dict):
        self.w = dict(raw.get("weights", {}))
        self.b = float(raw.get("bias", 0.0))

    def score(self, feats: dict[str, float]) -> float:
        w = self.w
        return self.b + math.fsum(w.get(f, 0.0) * v for f, v in feats.items())

    def best(self, cands: list[Candidate]) -> Candidate | None:
        best, top = None, -math.inf
        for c in cands:
            s = self.score(c.feats) + (1e-9 if c.feats.get("rule") else 0.0)
            if s > top:
                best, top = c, s
        return best


class CountModel:
    """Two decisions: which number is the count (a `Linear` over the numbers, trained on events
    that have one), then whether the event reports a count at all (a logistic regression over
    the event: the rules' choice, the best number's features and score; "no count" when its
    probability reaches `threshold`)."""

    def __init__(self, raw: dict):
        self.rank = Linear(raw["rank"])
        self.none = Linear(raw["none"])
        self.threshold = float(raw.get("threshold", 0.5))

    def best(self, cands: list[Candidate]) -> Candidate | None:
        nums = [c for c in cands if c.key is not None]
        none = next((c for c in cands if c.key is None), None)
        if not nums:
            return none
        feats, top = none_features(cands, self.rank)
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.none.score(feats)))))
        return none if (p >= self.threshold and none is not None) else top


def none_features(cands: list[Candidate], ranker: Linear) -> tuple[dict[str, float], Candidate | None]:
    """The event's features for "does it report a count?", and its best-ranked number."""
    nums = [c for c in cands if c.key is not None]
    rule = next((c for c in cands if c.feats.get("rule")), None)
    f: dict[str, float] = {"rule_none" if rule is None or rule.key is None else "rule_value": 1.0}
    none = next((c for c in cands if c.key is None), None)
    if none is not None:
        f.update({k: 1.0 for k in none.feats if k.startswith("none|")})
    top = ranker.best(nums) if nums else None
    if top is None:
        f["no_numbers"] = 1.0
        return f, None
    f["best_score"] = ranker.score(top.feats)
    f.update({"best:" + k: v for k, v in top.feats.items() if not k.startswith("sub|") and k != "log_v"})
    f["numbers"] = math.log1p(len(nums))
    return f, top


# --- recording (training only) ---------------------------------------------------------------

_recorder: list | None = None


@contextmanager
def recording():
    """Collect (event, candidate groups) for every event `refine` sees (the learners' examples)."""
    global _recorder
    before = _recorder
    _recorder = []
    try:
        yield _recorder
    finally:
        _recorder = before


def refine(ctx: cx.Context, d: Draft, triggers: list | None = None) -> None:
    """Reconsider the event's place, actors and fatalities with the trained models, if any (the stage hook;
    `triggers`: the article's, as the stage found them, else found again when needed)."""
    from ..learn import model
    rec: dict[str, list[Candidate]] | None = {} if _recorder is not None else None
    roles_model = model("event_roles")
    counts_model = model("event_counts")
    places_model = model("event_places")
    if roles_model is None and counts_model is None and places_model is None and rec is None:
        return
    _ArticleCache.of(ctx, triggers)
    w = _Window(ctx, d)
    cands = place_candidates(w, d)
    if rec is not None:
        rec["location"] = cands
    m = _linear(places_model, "location")
    if m is not None and len(cands) > 1 and d.sub_event_type not in _RULES_PLACE:
        pick = m.best(cands)
        if pick is not None and pick.value is not None:
            d.location = pick.value
    for role in ("actor1", "actor2"):
        cands = actor_candidates(w, d, role)
        if role == "actor1":           # ACLED never codes civilians as the side that acts
            cands = [c for c in cands if c.value is None or c.value.actor_type != 7]
        if rec is not None:
            rec[role] = cands
        m = _linear(roles_model, role)
        if m is not None and cands:
            pick = m.best(cands)
            if pick is not None:
                setattr(d, role, pick.value)
    if d.actor1 is not None and d.actor2 is not None and _key(d.actor1) == _key(d.actor2):
        d.actor2 = None
    cands = count_candidates(w, d)
    if rec is not None:
        rec["fatalities"] = cands
    m = _linear(counts_model, "fatalities")
    if m is not None and cands and d.sub_event_type != "Arrests":
        pick = m.best(cands)
        if pick is not None:
            d.fatalities = pick.value
    if rec is not None:
        _recorder.append(rec)


def _linear(m, name: str) -> Linear | None:
    got = m.get(name) if m else None
    if isinstance(got, dict):          # a model not compiled by its learner (not registered)
        got = CountModel(got) if "rank" in got else Linear(got) if got.get("weights") else None
    return got


def found_triggers(ctx: cx.Context, triggers: list) -> None:
    """The stage's triggers for this article, so that `refine` does not search for them again."""
    _ArticleCache.of(ctx, triggers)


# --- the event's window of sentences ---------------------------------------------------------

class _Window:
    def __init__(self, ctx: cx.Context, d: Draft):
        self.ctx = ctx
        self.s0 = self.sentence_of(d.trigger.start)
        own = {self.sentence_of(sp.start) for sp in (d.evidence_all or [d.evidence])} | {self.s0}
        self.own = own
        self.sents = self.around(NEIGHBOURS)
        v0 = ctx.views[self.s0]
        self.art = _ArticleCache.of(ctx)
        self.t0 = self.art.tok(self.s0, d.trigger)
        self.clause0 = v0.clause_of(self.t0)
        self.quote_spans, self.speaker_spans = self.art.quote_spans, self.art.speaker_spans

    def triggers(self) -> list:
        return self.art.triggers

    def around(self, nb: int, lead: int = 0) -> list[int]:
        """The event's sentences, `nb` on either side of each, and the article's first `lead`."""
        n = len(self.ctx.views)
        got = {k for o in self.own for k in range(max(0, o - nb), min(n, o + nb + 1))}
        return sorted(got | set(range(min(lead, n))))

    def sentence_of(self, at: int) -> int:
        return max(0, bisect.bisect_right(self.ctx.sent_starts, at) - 1)


class _ArticleCache:
    """What does not depend on the event, computed once per article and sentence (kept on the context)."""

    def __init__(self, ctx: cx.Context, triggers: list | None):
        self.ctx = ctx
        self._triggers = triggers
        quotes = ctx.article.layer("quotes")
        self.quote_spans = [q.span for q in quotes if q.span is not None]
        self.speaker_spans = [q.speaker_span for q in quotes if q.speaker_span is not None]
        self.actor_counts: dict[str, int] = {}
        self.first_actor: str | None = None
        for a in ctx.actors:
            k = _key(a)
            self.actor_counts[k] = self.actor_counts.get(k, 0) + 1
            self.first_actor = self.first_actor or k
        self._actors: dict[int, list] = {}
        self._places: dict[int, list] = {}
        self._trigger_sents: set[int] | None = None
        self.place_counts: dict[str, int] = {}
        self.first_place: str | None = None
        countries: dict[str, int] = {}
        for p in ctx.places:
            c = ctx.clean(p)
            k = place_key(c)
            self.place_counts[k] = self.place_counts.get(k, 0) + 1
            self.first_place = self.first_place or k
            if c.country:
                countries[c.country] = countries.get(c.country, 0) + 1
        self.main_country = max(countries, key=countries.get) if countries else None
        self.title = " " + " ".join(norm(ctx.article.title or "").split()) + " "
        self._numbers: dict[int, tuple] = {}
        self._unnamed: dict[int, bool] = {}
        self._starts: dict[int, list[int]] = {}
        self.fig_at, self.fig_loose = {}, []
        for f in ctx.figures:
            if f.quantity is not None:
                self.fig_at[f.quantity.start] = f.metric
            elif f.evidence is not None:            # no number span: the number its evidence holds
                self.fig_loose.append((f.evidence, f.metric))

    @classmethod
    def of(cls, ctx: cx.Context, triggers: list | None = None) -> "_ArticleCache":
        got = getattr(ctx, "_rank_cache", None)
        if got is None:
            got = ctx._rank_cache = cls(ctx, triggers)
        elif triggers is not None and got._triggers is None:
            got._triggers = triggers
        return got

    def tok(self, k: int, span: Span) -> int:
        """Index of the token of sentence k where `span` starts (the sentence's starts kept)."""
        starts = self._starts.get(k)
        if starts is None:
            starts = self._starts[k] = [t.span.start for t in self.ctx.views[k].tokens]
        return max(bisect.bisect_right(starts, span.start) - 1, 0)

    @property
    def triggers(self) -> list:
        if self._triggers is None:
            from .detect import find_triggers
            self._triggers = find_triggers(self.ctx.article, self.ctx.views)
        return self._triggers

    def unnamed(self, k: int) -> bool:
        got = self._unnamed.get(k)
        if got is None:
            view = self.ctx.views[k]
            got = self._unnamed[k] = view.has(cues()["unnamed_attackers"], 0, len(view.tokens)) is not None
        return got

    def places_in(self, k: int) -> list:
        """(place as the event names it, key, features that do not depend on the event) per place."""
        got = self._places.get(k)
        if got is not None:
            return got
        ctx, view = self.ctx, self.ctx.views[k]
        got = []
        for p in ctx.in_sentence(ctx.places, view):
            c = ctx.clean(p)
            key = place_key(c)
            f: dict[str, float] = {"lv" + str(int(cx._level(c))): 1.0, "feat:" + str(c.feature): 1.0}
            if c.lat is None:
                f["no_coords"] = 1.0
            f.update(location.word_before(view, p))
            if c.name != p.name:
                f["head_noun"] = 1.0
            n = self.place_counts.get(key, 0)
            f["freq"] = math.log1p(n)
            if key == self.first_place:
                f["first_place"] = 1.0
            if c.country and c.country == self.main_country:
                f["main_country"] = 1.0
            if c.name and " " + " ".join(norm(c.name).split()) + " " in self.title:
                f["in_title"] = 1.0
            if _inside(p.span, self.quote_spans):
                f["in_quote"] = 1.0
            got.append((c, key, f))
        self._places[k] = got
        return got

    def other_event(self, k: int, own: set[int]) -> bool:
        """Sentence k reports an action of its own (a trigger), not one of the event's sentences."""
        if self._trigger_sents is None:
            self._trigger_sents = {t.view.index for t in self.triggers}
        return k in self._trigger_sents and k not in own

    def actors_in(self, k: int) -> list:
        """(mention, key, features that do not depend on the event, complementizer index) per actor."""
        got = self._actors.get(k)
        if got is not None:
            return got
        ctx, c = self.ctx, cues()
        view = ctx.views[k]
        n = len(view.tokens)
        slots = {id(s.mention): s for s in roles._slots(ctx, view)}
        got = []
        for a in ctx.in_sentence(ctx.actors, view):
            f: dict[str, float] = {}
            s = slots.get(id(a))
            j = self.tok(k, a.span)
            prev = view.forms[j - 1] if j > 0 else frozenset()
            prev2 = view.forms[j - 2] if j > 1 else frozenset()
            if s is not None:
                for name in ("target", "agent_marked", "speaker"):
                    if getattr(s, name):
                        f[name] = 1.0
            if prev & c["attack_nouns"] or (prev2 & c["attack_nouns"] and (
                    view.tokens[j].norm[:1] == "ل" or view.tokens[j - 1].norm in ("من", "ل"))):
                f["possessor"] = 1.0
            if prev & c["agent_preps"] or prev2 & c["agent_preps"]:
                f["agent_prep"] = 1.0
            if prev & c["target_preps"]:
                f["target_prep"] = 1.0
            lead = view.tokens[j].norm[:1] if view.tokens[j].stem != view.tokens[j].norm else ""
            if lead in ("ب", "ل"):
                f[f"pre_{lead}"] = 1.0
            if view.has(c["speech_verbs"], max(0, j - 3), j) is not None:
                f["speech_near"] = 1.0
            comp = n
            sp = view.has(c["speech_verbs"], max(0, j - 12), j)
            if sp is not None:
                found = view.has(c["complementizers"], j + 1, min(n, j + 8))
                if found is not None:       # "وقال ضابط في الشرطة ... إن الهجوم نفذه انتحاري"
                    f["speech_clause"] = 1.0
                    comp = found
            if view.has(c["claim_words"], j + 1, j + 5) is not None:
                f["claims"] = 1.0
            if _inside(a.span, self.speaker_spans):
                f["quote_speaker"] = 1.0
            elif _inside(a.span, self.quote_spans):
                f["in_quote"] = 1.0
            got.append((a, _key(a), f, comp))
        self._actors[k] = got
        return got

    def numbers_in(self, k: int) -> tuple[list, list, bool]:
        """(quantity, token index, event-free features) per number, the tallies, a cumulative cue."""
        got = self._numbers.get(k)
        if got is not None:
            return got
        ctx, c = self.ctx, cues()
        view = ctx.views[k]
        n = len(view.tokens)
        cum = view.has(c["cumulative"], 0, n) is not None
        quants = ctx.in_sentence(ctx.quantities, view)
        nums = []
        for q in quants:
            if q.ordinal or q.value is None or q.value <= 0:
                continue
            f: dict[str, float] = {"num": 1.0}
            j = self.tok(k, q.span)
            metric = self.fig_at.get(q.span.start) or next(
                (m for sp, m in self.fig_loose if sp.start <= q.span.start < sp.end), None)
            f["fig:" + _FIG.get(metric, "x" if metric else "none")] = 1.0
            for name, tag in (("killed", "k"), ("injured", "i"), ("detained", "d")):
                if view.has(c[name], max(0, j - 3), j) is not None:
                    f[f"{tag}_before"] = 1.0
                if view.has(c[name], j + 1, min(n, j + 4)) is not None:
                    f[f"{tag}_after"] = 1.0
            if view.has(c["subset"], max(0, j - 2), j) is not None:
                f["subset"] = 1.0
            if cum:
                f["cum_sent"] = 1.0
            if view.has(c["cumulative"], max(0, j - 4), j) is not None:
                f["cum_near"] = 1.0
            if view.has(c["person_after"], j + 1, min(n, j + 3)) is not None:
                f["person_after"] = 1.0
            if q.vague:
                f["vague"] = 1.0
            if q.qualifier != "exact":
                f["qual"] = 1.0
            f["log_v"] = math.log1p(q.value) / 5.0
            if q.value > 100:
                f["big"] = 1.0
            if _inside(q.span, self.quote_spans):
                f["in_quote"] = 1.0
            nums.append((q, j, f))
        got = self._numbers[k] = (nums, _tallies(view, quants, c), cum)
        return got


def _key(a: ActorMention | None) -> str | None:
    if a is None:
        return None
    k = a.id or a.name
    if isinstance(k, str) and k.startswith("other:"):
        return "other:" + " ".join(k[6:].lower().split())
    return k


def _inside(span: Span, spans: list[Span]) -> bool:
    return any(s.start <= span.start < s.end for s in spans)


def _dist_bucket(n: int) -> str:
    return "0" if n <= 1 else "2" if n <= 3 else "4" if n <= 6 else "7" if n <= 12 else "13"


def _position(w: _Window, span: Span) -> tuple[int, dict[str, float]]:
    """Where a span stands against the event's trigger; (sentence index, features)."""
    k = w.sentence_of(span.start)
    f: dict[str, float] = {}
    if k == w.s0:
        j = w.art.tok(k, span)
        side = "b" if j < w.t0 else "a"
        f["s0"] = 1.0
        f[f"s0{side}"] = 1.0
        f[f"d{side}{_dist_bucket(abs(j - w.t0))}"] = 1.0
        if w.clause0[0] <= j < w.clause0[1]:
            f["clause"] = 1.0
    elif k in w.own:
        f["own"] = 1.0
    else:
        gap = min(abs(k - o) for o in w.own)
        f[f"nb{'p' if k < w.s0 else 'n'}{min(gap, 3)}"] = 1.0
    if k < 2:
        f["lead"] = 1.0
    return k, f


_RN = ("s0", "s0b", "s0a", "own", "nbp1", "nbn1", "lead", "possessor", "agent_prep", "target", "speaker",
       "first", "t1", "t2", "t3", "t8", "clause")


def actor_candidates(w: _Window, d: Draft, role: str) -> list[Candidate]:
    ctx, c = w.ctx, cues()
    etype = d.event_type[:12]
    sub = d.sub_event_type[:14]
    country = d.location.country if d.location is not None else None
    counts, first = w.art.actor_counts, w.art.first_actor
    rule = {"actor1": _key(d.actor1), "actor2": _key(d.actor2)}
    other = rule["actor2" if role == "actor1" else "actor1"]
    out: dict[Any, Candidate] = {}

    def add(key, value, feats):
        have = out.get(key)
        if have is None:
            out[key] = Candidate(key, value, feats)
            return
        for f, v in feats.items():          # the best-placed mention's features, together
            have.feats[f] = max(have.feats.get(f, 0.0), v)
        if have.value is not None and have.value.span is None and value is not None and value.span is not None:
            have.value = value

    def common(key, a: ActorMention | None) -> dict[str, float]:
        f: dict[str, float] = {}
        if key == rule[role]:
            f["rule"] = 1.0
        if key is not None and key == other:
            f["rule_other"] = 1.0
        if a is None:
            f["none"] = 1.0
            f[f"none|{etype}"] = 1.0
            f[f"none|{sub}"] = 1.0
            return f
        t = a.actor_type or 0
        f[f"t{t}"] = 1.0
        f[f"t{t}|{etype}"] = 1.0
        f[f"t{t}|{sub}"] = 1.0
        f[f"via:{a.via}"] = 1.0
        if a.span is None:
            f[f"default:{a.id}"[:40]] = 1.0
            f[f"default|{sub}"] = 1.0
        if country and a.country:
            f["cty_same" if a.country == country else "cty_diff"] = 1.0
            f[("cty_same|t" if a.country == country else "cty_diff|t") + str(t)] = 1.0
        n = counts.get(key, 0)
        f["freq"] = math.log1p(n)
        if key == first:
            f["first"] = 1.0
        return f

    for k in w.sents:
        for a, key, static, comp in w.art.actors_in(k):
            f = common(key, a)
            _, pos = _position(w, a.span)
            f.update(pos)
            f.update(static)
            for name in ("target", "agent_marked", "speaker", "speech_clause"):
                if name in static:
                    f[f"{name}|{etype}"] = 1.0
                    if k == w.s0 and (name != "speech_clause" or comp < w.t0):
                        f[f"{name}|s0"] = 1.0
            if rule[role] is None:           # what names the actor where the rules found none
                f.update({"rn|" + x: 1.0 for x in _RN if f.get(x)})
            add(key, a, f)
    defaults: list[ActorMention | None] = [None, d.actor1, d.actor2, roles.unidentified_actor()]
    if role == "actor2":
        defaults.append(roles.civilians_actor())
    elif country and d.sub_event_type == "Arrests":
        defaults.append(roles.police_actor(country))
    unnamed = any(w.art.unnamed(k) for k in sorted(w.own))
    for a in defaults:
        key = _key(a)
        if key not in out:
            out[key] = Candidate(key, a, common(key, a))
            if unnamed and key == "unidentified_armed_group":
                out[key].feats["unnamed_attacker"] = 1.0   # "نفذه انتحاري"، "مسلحون مجهولون"
        elif key is not None and key == rule[role]:
            out[key].feats["rule"] = 1.0
    return list(out.values())


# --- counts ----------------------------------------------------------------------------------

_FIG = {"killed": "k", "injured": "i", "detained": "d", "conflict_deaths": "c", "abducted": "a"}


_RN_COUNT = ("s0", "own", "nbp1", "nbn1", "nbp2", "nbn2", "lead", "fig:k", "k_before", "k_after", "person_after",
             "cum_sent", "in_quote")


def count_candidates(w: _Window, d: Draft) -> list[Candidate]:
    ctx = w.ctx
    sub = d.sub_event_type[:14]
    out: dict[Any, Candidate] = {}

    def add(value, feats):
        _gather(out, value, value, feats)

    rule = d.fatalities
    me = ctx.views[w.s0].tokens[w.t0].span.start
    in_s0 = [t for t in w.triggers() if t.view.index == w.s0]
    mine = next((t.concept for t in in_s0 if t.i == w.t0), None)
    # other events' triggers: another kind of action (a casualty noun reports this event's toll)
    others = [t.token.span.start for t in in_s0 if t.i != w.t0 and t.concept not in (mine, "KILL")]

    def elsewhere(at: int) -> bool:
        """The rules' convention: a count is the nearest trigger's before it (in the trigger's sentence)."""
        owner = max([o for o in others + [me] if o <= at], default=None)
        return owner is not None and owner != me

    for k in w.around(COUNT_NEIGHBOURS, COUNT_LEAD):
        view = ctx.views[k]
        nums, tallies, cum = w.art.numbers_in(k)
        for q, j, static in nums:
            f = dict(static)
            _, pos = _position(w, q.span)
            f.update(pos)
            if q.value == rule:
                f["rule"] = 1.0
            elif rule is None:               # what tells the count where the rules found none
                f.update({"rn|" + x: 1.0 for x in _RN_COUNT if f.get(x)})
            if k == w.s0 and others:
                at = q.span.start
                if any(min(me, at) < o < max(me, at) for o in others):
                    f["trigger_between"] = 1.0      # another event's trigger stands between
                if elsewhere(at) and q.value != rule:
                    continue
            add(q.value, f)
        for value, size, j in tallies:
            if k == w.s0 and others and value != rule and elsewhere(view.tokens[j].span.start):
                continue
            f = {"tally": 1.0, f"tally{min(size, 3)}": 1.0, "log_v": math.log1p(value) / 5.0}
            _, pos = _position(w, view.tokens[j].span)
            f.update(pos)
            if cum:
                f["cum_sent"] = 1.0
            if value == rule:
                f["rule"] = 1.0
            add(value, f)
    for value in (None, rule):
        if value not in out:
            f = {"rule": 1.0} if value == rule else {}
            if value is None:
                f.update({"none": 1.0, f"none|{sub}": 1.0})
            else:
                f["rule_only"] = 1.0
            out[value] = Candidate(value, value, f)
        elif value == rule:
            out[value].feats["rule"] = 1.0
    for cand in out.values():
        if cand.key is not None:
            cand.feats[f"sub|{sub}"] = 1.0
    return list(out.values())


def _tallies(view, quants, c) -> list[tuple[int, int, int]]:
    """Counts a casualty word lists one after another, added up: "مقتل ضابط وثلاثة جنود" (1 + 3),
    "مقتل عنصرين من حزب الله وثلاثة من اللجان" (2 + 3): (sum, number of parts, token of the word)."""
    n = len(view.tokens)
    q_at = {cx.token_index(view, q.span): q for q in quants if not q.ordinal and q.value}
    out = []
    for j in range(n):
        if not view.forms[j] & c["killed"]:
            continue
        parts, k = [], j + 1
        while k < min(n, j + 14):
            forms = view.forms[k]
            if forms & (c["injured"] | c["detained"]) or view.tokens[k].kind == "punct":
                break
            if k in q_at:
                parts.append(q_at[k].value)
                k += 2              # the noun counted
                continue
            if forms & cx.DUAL_PERSON:
                parts.append(2)
            elif forms & cx.SINGULAR_PERSON and not (k > 0 and (k - 1) in q_at):
                parts.append(1)
            k += 1
        if parts:
            out.append((sum(parts), len(parts), j))
    return out


# --- places ----------------------------------------------------------------------------------

def place_key(p) -> str | None:
    if p is None:
        return None
    return " ".join(norm(p.name or "").split()) + "|" + (p.country or "")


def place_candidates(w: _Window, d: Draft) -> list[Candidate]:
    """The places of the event's sentences, `PLACE_NEIGHBOURS` on either side and the article's lead
    (as the event would name them: `clean_place`), and the rules' choice."""
    ctx = w.ctx
    etype = d.event_type[:12]
    rule = d.location
    rule_key = place_key(rule)
    art = w.art
    out: dict[Any, Candidate] = {}
    for k in w.around(PLACE_NEIGHBOURS, PLACE_LEAD):
        for p, key, static in art.places_in(k):
            f = dict(static)
            _, pos = _position(w, p.span)
            f.update(pos)
            lv = int(cx._level(p))
            f[f"lv{lv}|{etype}"] = 1.0
            if key == rule_key:
                f["rule"] = 1.0
            if rule is not None and rule.country and p.country:
                f["cty_rule" if p.country == rule.country else "cty_other"] = 1.0
            if rule is not None and key != rule_key:
                rlv = int(cx._level(rule))
                f["finer" if lv < rlv else "coarser" if lv > rlv else "as_fine"] = 1.0
                if lv < rlv and _within(rule, p):
                    f["in_rule"] = 1.0        # a town of the province or country the rules chose
            if "s0" in pos:
                f[f"lv{lv}|s0"] = 1.0
            if k not in w.own and art.other_event(k, w.own):
                f["other_event"] = 1.0        # a sentence about another incident
            _gather(out, key, p, f)
    if rule_key not in out and rule is not None:
        out[rule_key] = Candidate(rule_key, rule, {"rule": 1.0, "rule_only": 1.0,
                                                   f"lv{int(cx._level(rule))}|{etype}": 1.0})
    return list(out.values())


def _gather(out: dict, key, value, feats: dict[str, float]) -> None:
    """One candidate per key: a key seen again keeps the strongest of each feature."""
    have = out.get(key)
    if have is None:
        out[key] = Candidate(key, value, feats)
    else:
        for f, v in feats.items():
            have.feats[f] = max(have.feats.get(f, 0.0), v)


def _within(coarse, fine) -> bool:
    if coarse.country and fine.country and coarse.country != fine.country:
        return False
    if cx._level(coarse) >= 4:
        return bool(coarse.country) and fine.country == coarse.country
    return bool(coarse.admin1) and coarse.admin1 == fine.admin1
