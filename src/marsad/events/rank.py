"""Learned roles and counts: rank the candidates an event's sentences offer, the rules' choice a feature.

Once mentions are merged into an event (and ACLED's defaults applied), `refine` reconsiders
three of its fields with trained models (`marsad.learn.model`), keeping the rules' values when
there is no model:

- actor1 / actor2: every actor mentioned in the event's evidence sentences and the sentence on
  either side, the rules' own choices, ACLED's defaults (an unidentified armed group, the event
  country's police, civilians) and "no actor". Each candidate is described by where it stands
  against the trigger (same sentence, before/after, token distance, in the trigger's clause), the
  word before it (a target word or ل after one, an agent marker من قبل/على يد, an attack noun whose
  possessor it is "غارة للتحالف", a speech verb whose subject it is), whether it is a quote's
  speaker or inside a quote, its ACLED type crossed with the event type, its country against the
  event's, how often the article names it, and whether the rules chose it.
- fatalities: every number (the `quantities` layer) in the same sentences, the rules' count and
  "no count"; described by the figures stage's metric for it, the casualty word next to it,
  cumulative cues in its sentence ("منذ"، "حصيلة"، "ارتفع ... إلى"), a subset cue before it
  ("بينهم"), distance to the trigger, size and vagueness, and whether the rules chose it.

A model is a logistic regression over those sparse features (trained with scikit-learn in
`rank_train.py`): inference here is a dot product per candidate, the highest score wins (ties
go to the rules' choice). Tried: scoring with and without the neighbouring sentences (with wins
on the folds), see MODEL.md. Cue words are in `data/event_cues.json`.
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
from . import roles
from .merge import Draft

CUES_PATH = Path(__file__).resolve().parents[1] / "data" / "event_cues.json"
NEIGHBOURS = 1               # sentences on either side of the event's own: actors
COUNT_NEIGHBOURS = 2         # counts
COUNT_LEAD = 2               # and the article's first sentences, where the toll is told


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


def refine(ctx: cx.Context, d: Draft) -> None:
    """Reconsider the event's actors and fatalities with the trained models, if any (the stage hook)."""
    from ..learn import model
    rec: dict[str, list[Candidate]] | None = {} if _recorder is not None else None
    roles_model = model("event_roles")
    counts_model = model("event_counts")
    if roles_model is None and counts_model is None and rec is None:
        return
    w = _Window(ctx, d)
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
        got = Linear(got) if got.get("weights") else None
    return got


# --- the event's window of sentences ---------------------------------------------------------

class _Window:
    def __init__(self, ctx: cx.Context, d: Draft):
        self.ctx = ctx
        self.s0 = self.sentence_of(d.trigger.start)
        own = {self.sentence_of(sp.start) for sp in (d.evidence_all or [d.evidence])} | {self.s0}
        self.own = own
        self.sents = self.around(NEIGHBOURS)
        v0 = ctx.views[self.s0]
        self.t0 = cx.token_index(v0, d.trigger)
        self.clause0 = v0.clause_of(self.t0)
        quotes = ctx.article.layer("quotes")
        self.quote_spans = [q.span for q in quotes if q.span is not None]
        self.speaker_spans = [q.speaker_span for q in quotes if q.speaker_span is not None]
        self._slots: dict[int, dict[int, Any]] = {}

    def around(self, nb: int, lead: int = 0) -> list[int]:
        """The event's sentences, `nb` on either side of each, and the article's first `lead`."""
        n = len(self.ctx.views)
        got = {k for o in self.own for k in range(max(0, o - nb), min(n, o + nb + 1))}
        return sorted(got | set(range(min(lead, n))))

    def sentence_of(self, at: int) -> int:
        return max(0, bisect.bisect_right(self.ctx.sent_starts, at) - 1)

    def slots(self, k: int) -> dict[int, Any]:
        got = self._slots.get(k)
        if got is None:
            got = self._slots[k] = {id(s.mention): s for s in roles._slots(self.ctx, self.ctx.views[k])}
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
        view = w.ctx.views[k]
        j = cx.token_index(view, span)
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


def actor_candidates(w: _Window, d: Draft, role: str) -> list[Candidate]:
    ctx, c = w.ctx, cues()
    etype = d.event_type[:12]
    sub = d.sub_event_type[:14]
    country = d.location.country if d.location is not None else None
    counts: dict[str, int] = {}
    first: str | None = None
    for a in ctx.actors:
        k = _key(a)
        counts[k] = counts.get(k, 0) + 1
        first = first or k
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
        n = counts.get(key, 0)
        f["freq"] = math.log1p(n)
        if key == first:
            f["first"] = 1.0
        return f

    for k in w.sents:
        view = ctx.views[k]
        slots = w.slots(k)
        for a in ctx.in_sentence(ctx.actors, view):
            key = _key(a)
            f = common(key, a)
            _, pos = _position(w, a.span)
            f.update(pos)
            s = slots.get(id(a))
            j = cx.token_index(view, a.span)
            prev = view.forms[j - 1] if j > 0 else frozenset()
            prev2 = view.forms[j - 2] if j > 1 else frozenset()
            if s is not None:
                for name in ("target", "agent_marked", "speaker"):
                    if getattr(s, name):
                        f[name] = 1.0
                        f[f"{name}|{etype}"] = 1.0
                        if k == w.s0:
                            f[f"{name}|s0"] = 1.0
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
            sp = view.has(c["speech_verbs"], 0, j)
            if sp is not None and j - sp <= 12:
                comp = view.has(c["complementizers"], j + 1, min(len(view.tokens), j + 8))
                if comp is not None:       # "وقال ضابط في الشرطة ... إن الهجوم نفذه انتحاري"
                    f["speech_clause"] = 1.0
                    f[f"speech_clause|{etype}"] = 1.0
                    if k == w.s0 and comp < w.t0:
                        f["speech_clause|s0"] = 1.0
            if view.has(c["claim_words"], j + 1, j + 5) is not None:
                f["claims"] = 1.0
            if _inside(a.span, w.speaker_spans):
                f["quote_speaker"] = 1.0
            elif _inside(a.span, w.quote_spans):
                f["in_quote"] = 1.0
            add(key, a, f)
    defaults: list[ActorMention | None] = [None, d.actor1, d.actor2, roles.unidentified_actor()]
    if role == "actor2":
        defaults.append(roles.civilians_actor())
    elif country and d.sub_event_type == "Arrests":
        defaults.append(roles.police_actor(country))
    unnamed = any(ctx.views[k].has(c["unnamed_attackers"], 0, len(ctx.views[k].tokens)) is not None
                  for k in sorted(w.own))
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


def count_candidates(w: _Window, d: Draft) -> list[Candidate]:
    ctx, c = w.ctx, cues()
    sub = d.sub_event_type[:14]
    fig_at = {}
    for f in ctx.figures:
        sp = f.quantity or f.evidence
        if sp is not None:
            fig_at[sp.start] = f.metric
    out: dict[Any, Candidate] = {}

    def add(value, feats):
        have = out.get(value)
        if have is None:
            out[value] = Candidate(value, value, feats)
        else:
            for f, v in feats.items():
                have.feats[f] = max(have.feats.get(f, 0.0), v)

    rule = d.fatalities
    for k in w.around(COUNT_NEIGHBOURS, COUNT_LEAD):
        view = ctx.views[k]
        n = len(view.tokens)
        cum = view.has(c["cumulative"], 0, n) is not None
        for q in ctx.in_sentence(ctx.quantities, view):
            if q.ordinal or q.value is None or q.value <= 0:
                continue
            f: dict[str, float] = {"num": 1.0}
            _, pos = _position(w, q.span)
            f.update(pos)
            j = cx.token_index(view, q.span)
            metric = fig_at.get(q.span.start)
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
            if _inside(q.span, w.quote_spans):
                f["in_quote"] = 1.0
            if q.value == rule:
                f["rule"] = 1.0
            add(q.value, f)
        for value, size, j in _tallies(view, ctx.in_sentence(ctx.quantities, view), c):
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
