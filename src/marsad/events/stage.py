"""The events stage: triggers → typed mentions → arguments → merged, described events.

Reads tokens, sentences and boilerplate (required) and, when earlier stages produced
them, actors, places, times, quantities, figures and quotes (`article.layer`, empty when
absent: every argument then degrades to unknown instead of failing). Events without
any place are dropped: ACLED cannot code an event it cannot locate, and the scorer
cannot match one either.
"""
from __future__ import annotations

from collections import defaultdict

from ..article import Article, Event, Span
from ..text import norm
from ..pipeline import stage
from . import context as cx
from . import counts, dating, location, rank, roles
from . import classify as cl
from . import incident as inc
from . import mention as mn
from .. import learn
from .describe import PLOVER, event_id, notes
from .detect import find_triggers, sentence_views
from .merge import Draft, merge
from .relevance import is_conflict_article

MIN_CONFIDENCE = 0.35
# "وفي واقعة منفصلة": the sentence opens another incident, even of the same kind on the same day
_SEPARATE = frozenset(norm(w) for w in ("منفصل", "منفصله", "منفصلا"))
_EVIDENCE_MAX = 320          # characters; longer sentences are cut to the trigger's clauses
_EVIDENCE_MIN = 40
_GOVERNMENT_TYPES = {1}
_GOVERNMENT_IDS = {"pmf"}    # acts on the government's behalf (ACLED codes its gains as the state's)


@stage("events", requires=["tokens", "sentences", "boilerplate"], assigns=["events"])
def extract_events(article: Article) -> list[Event]:
    """ACLED-typed events with actors, place, date and counts, each with its evidence span."""
    if not article.layer("tokens") or not is_conflict_article(article):
        return []
    model = learn.model(mn.MODEL)
    ctx = cx.Context(article, sentence_views(article))
    drafts = mentions(article, model, ctx)
    pairs = learn.model(inc.MODEL)
    events, coded = [], set()
    for d in merge(drafts, same=None if pairs is None else pairs.same):
        if d.location is None or (model is None and d.confidence < MIN_CONFIDENCE):
            continue
        _conventions(d)
        chosen = d.location
        rank.refine(ctx, d)          # learned place, actors and counts (rules' values without a model)
        if d.location is not chosen and _coded(d) in coded:
            d.location = chosen      # the learned place would repeat an event already coded
        coded.add(_coded(d))
        events.append(_event(article, d))
    return events


def _coded(d: Draft) -> tuple:
    return d.event_type, d.sub_event_type, d.date, rank.place_key(d.location)


def mentions(article: Article, model=None, ctx: cx.Context | None = None) -> list[Draft]:
    """The drafts that go to merging: those the event-mention model accepts (the rules' when
    there is no model), with the actors later mentions inherit."""
    drafts = candidates(article, generous=model is not None, ctx=ctx)
    if model is not None:
        drafts = _accepted(model, drafts)
    _inherit_actors(drafts)
    return drafts


def candidates(article: Article, generous: bool = False, ctx: cx.Context | None = None) -> list[Draft]:
    """The article's event drafts, one per typed mention (and place). With `generous`, the
    detector's filters become features (`Draft.feats`) and nothing is dropped for them: the
    event-mention model decides."""
    ctx = ctx or cx.Context(article, sentence_views(article))
    views = ctx.views
    triggers = find_triggers(article, views, generous=generous)
    rank.found_triggers(ctx, triggers)      # kept for the learned counts (no second search)
    by_sentence = defaultdict(list)
    for t in triggers:
        by_sentence[t.view.index].append(t)
    drafts = []
    for n in sorted(by_sentence):
        mentions = cl.classify_sentence(by_sentence[n])
        for mention in mentions:
            others = [k for m in mentions if m is not mention for k in [m.trigger.i, *m.also]]
            got = _drafts(ctx, mention, others, generous)
            if generous and got:
                got += mn.place_alternatives(ctx, mention, got, split=_split_by_place(got[0]))
                for d in got:
                    d.group = len(drafts)
            drafts.extend(got)
    if generous:
        mn.article_features(drafts, article)
    return drafts


def _accepted(model, drafts: list[Draft]) -> list[Draft]:
    """The drafts the event-mention model accepts: per mention, is it an event, and at which place
    (the rules' places, one or a list of several, unless another place of the sentence wins)."""
    groups: dict[int, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.location is not None:
            groups[d.group].append(d)
    kept = []
    for g in groups.values():
        for p, d in model.choose(g):
            d.confidence = round(p, 2)
            kept.append(d)
    kept.sort(key=lambda d: d.evidence.start)
    return kept


_SPLIT_BY_PLACE = {cl.REMOTE, cl.STRATEGIC}
_STOPPED = {"Disrupted weapons use"}     # coded where the weapon was stopped: its destination


def _split_by_place(d: Draft) -> bool:
    """Is the draft's event coded once per listed place? (Strikes and shelling are; an arrest
    operation across towns is one event.)"""
    return d.event_type in _SPLIT_BY_PLACE and d.sub_event_type != "Arrests"


def _drafts(ctx: cx.Context, m: cl.Mention, others: list[int], generous: bool = False) -> list[Draft]:
    """One draft per place when the sentence lists several ("الموصل ومخمور والفلوجة")."""
    d = _draft(ctx, m, others, generous)
    if d is None:
        return []
    if d.location is None or not _split_by_place(d):
        return [d]
    group = location.coordinated(ctx, m.view, d.location)
    if len(group) == 1:
        return [d]
    out = []
    for place in group:
        copy = Draft(**{f: getattr(d, f) for f in d.__dataclass_fields__})
        copy.location, copy.place_level = place, cx._level(place)
        copy.evidence_all = []
        if d.feats is not None:
            copy.feats = dict(d.feats, split_place=1.0)
        out.append(copy)
    return out


def _draft(ctx: cx.Context, m: cl.Mention, others: list[int], generous: bool = False) -> Draft | None:
    view, trig = m.view, m.trigger
    i = trig.i
    args = cx.Args()
    roles.assign_actors(ctx, view, i, trig.concept, trig.entry.pos, args)
    if args.actor1 is not None and args.actor1.actor_type == 7:
        # ACLED never codes civilians as the side that acts: "ثلاثة مدنيين قتلوا" names the victims
        if args.actor2 is None:
            args.actor2 = args.actor1
        args.actor1 = None
    kind = m.kind
    if kind == cl.TERRITORY_PENDING:
        a1 = args.actor1
        gov = a1 is not None and (a1.actor_type in _GOVERNMENT_TYPES or a1.id in _GOVERNMENT_IDS)
        kind = cl.GOV_TERRITORY if gov else cl.NSA_TERRITORY
    elif kind == cl.KILL_PENDING:
        civ = args.victims == "civilians" or (args.actor2 is not None and args.actor2.actor_type == 7)
        kind = cl.ATTACK if civ else cl.CLASH
        m.mode = "firearms"
    event_type, sub = kind
    if args.actor2 is None and args.victims == "civilians" and event_type in (cl.VAC, cl.REMOTE):
        args.actor2 = roles.civilians_actor()
    if args.actor1 is None and roles.unknown_attackers(view, i) is not None and event_type != cl.STRATEGIC:
        args.actor1 = roles.unidentified_actor()
    location.choose_place(ctx, view, i, args, prefer_country=sub == "Arrests", toward=sub in _STOPPED)
    if sub == "Arrests" and args.place_from not in ("sentence", "refined", "actor"):
        force = args.actor1 or args.actor2
        home = location.country_place(force.country if force is not None else None)
        if home is not None and (args.location is None or args.location.country != home.country):
            args.location, args.place_from = home, "actor"
    dating.choose_date(ctx, view, i, args)
    old = dating.too_old(ctx, args)
    if old and not generous:
        return None
    counts.fill_counts(ctx, view, i, args, others, m.also)
    args.location = cx.clean_place(args.location)
    if sub == "Arrests":
        args.fatalities = args.injured = None
    elif sub not in ("Abduction/forced disappearance",):
        args.detained = None
    confidence = _confidence(m, args)
    evidence = _evidence(ctx, view, i, several=len(others) > 0)
    tok = trig.token
    draft = Draft(event_type=event_type, sub_event_type=sub, evidence=evidence, trigger=tok.span, mode=m.mode,
                 actor1=args.actor1, actor2=args.actor2, location=args.location,
                 place_level=cx._level(args.location) if args.location else 9.0,
                 date=args.date, date_start=args.date_start, time_precision=args.time_precision,
                 place_weak=args.place_from in ("context", "article", "actor"),
                 paragraph=view.sentence.paragraph, sentence=view.index, pub_gap=_gap(ctx, args.date),
                 separate=view.has(_SEPARATE, 0, min(len(view.tokens), 8)) is not None,
                 date_explicit=args.date_from != "publication", fatalities=args.fatalities,
                 injured=args.injured, detained=args.detained, confidence=confidence)
    if generous:
        draft.feats = mn.features(ctx, m, args, draft)
        draft.lemma = trig.entry.lemma
        if old:
            draft.feats["too_old"] = 1.0
    return draft


def _conventions(d: Draft) -> None:
    """ACLED's defaults when the article names nobody, applied once mentions are merged (so that a
    later mention naming the actor is not kept apart by a default): bombs of unknown authorship are an
    unidentified armed group's, violence against civilians targets civilians, arrests by an unnamed
    authority are the police's."""
    sub = d.sub_event_type
    if d.actor1 is None and sub in ("Remote explosive/landmine/IED", "Suicide bomb", "Grenade"):
        d.actor1 = roles.unidentified_actor()
    if d.actor2 is None and d.event_type == cl.VAC:
        d.actor2 = roles.civilians_actor()
    if d.actor1 is None and sub == "Arrests" and d.location is not None and d.location.country:
        d.actor1 = roles.police_actor(d.location.country)


_INHERIT_SENTENCES = 3


def _inherit_actors(drafts: list[Draft]) -> None:
    """Reports that name no actor continue the story before them: "وفي العراق أصابت الغارات أهدافا"
    after "طائرات التحالف نفذت 27 غارة"، "وتدك هذه القوات الجيب" after the capture of the town."""
    done: list[Draft] = []
    for d in sorted(drafts, key=lambda x: x.evidence.start):
        if d.actor1 is None:
            same = next((p for p in reversed(done) if p.sub_event_type == d.sub_event_type
                         and p.actor1 is not None and d.sentence - p.sentence <= _INHERIT_SENTENCES), None)
            if same is not None:
                d.actor1 = same.actor1
                d.actor2 = d.actor2 or same.actor2
        if d.actor2 is None and d.actor1 is not None and d.event_type in (cl.BATTLES, cl.REMOTE):
            me = d.actor1.id or d.actor1.name
            foe = next((p.actor2 for p in reversed(done) if p.actor2 is not None and p.actor2.id != "civilians"
                        and p.actor1 is not None and (p.actor1.id or p.actor1.name) == me
                        and (p.actor2.id or p.actor2.name) != me), None)
            if foe is not None:
                d.actor2 = foe
        done.append(d)


def _gap(ctx: cx.Context, iso: str | None) -> int | None:
    d = cx._iso(iso)
    return abs((ctx.pub - d).days) if d and ctx.pub else None


def _confidence(m: cl.Mention, args: cx.Args) -> float:
    trig = m.trigger
    score = 0.55
    if trig.entry.pos == "past":
        score += 0.15
    elif trig.entry.pos == "noun" and trig.entry.strong:
        score += 0.1
    elif not trig.entry.strong:
        score -= 0.05
    if args.place_from in ("sentence", "refined"):
        score += 0.1
    elif args.place_from == "article":
        score -= 0.1
    if args.date_from == "sentence":
        score += 0.05
    if args.actor1 is not None:
        score += 0.05
    if any(v is not None for v in (args.fatalities, args.injured, args.detained)):
        score += 0.05
    if "accused" in trig.flags:
        score -= 0.3
    if args.time_precision is not None and args.time_precision >= 2 and args.date_from == "sentence":
        score -= 0.15
    if "generic" in trig.flags:
        score -= 0.2
    if trig.concept == "KILL":
        score -= 0.1
    return round(max(0.05, min(0.99, score)), 2)


def _evidence(ctx: cx.Context, view, i: int, several: bool = False) -> Span:
    """The sentence, without a dateline it opens with; its trigger's clause when the sentence is
    long or reports several events ("وتدك هذه القوات الجيب بالقذائف" | "بينما تستهدفه طائرات التحالف")."""
    text = ctx.article.text
    s = view.sentence.span
    first = s.start
    for b in ctx.article.layer("boilerplate"):
        if b.kind in ("dateline", "agency") and b.span.start <= first < b.span.end < s.end:
            first = b.span.end
    while first < s.end and text[first] in " -–—\u00a0":
        first += 1
    if s.end - first <= _EVIDENCE_MAX and not several:
        return Span(first, s.end)
    lo, hi = view.clause_of(i)
    start, end = max(first, view.tokens[lo].span.start), view.tokens[hi - 1].span.end
    while end - start < _EVIDENCE_MIN and (lo > 0 or hi < len(view.tokens)):
        lo, hi = max(0, lo - 3), min(len(view.tokens), hi + 3)
        start, end = max(first, view.tokens[lo].span.start), view.tokens[hi - 1].span.end
    return Span(start, end)


def _event(article: Article, d: Draft) -> Event:
    plover_type, plover_mode = PLOVER.get(d.sub_event_type, (None, None))
    mode = plover_mode if d.sub_event_type not in ("Attack", "Agreement") else d.mode
    if d.sub_event_type == "Air/drone strike" and d.mode == "drone":
        mode = "drone"
    return Event(
        event_type=d.event_type, sub_event_type=d.sub_event_type, evidence=d.evidence,
        date=d.date, date_start=d.date_start, time_precision=d.time_precision,
        actor1=d.actor1, actor2=d.actor2, location=cx.clean_place(d.location),
        fatalities=d.fatalities, injured=d.injured, detained=d.detained,
        id=event_id(article.id, d.event_type, d.sub_event_type, d.date, d.location, d.actor1, d.actor2),
        plover_type=plover_type, plover_mode=mode,
        notes=notes(d.sub_event_type, d.date, d.time_precision, d.actor1, d.actor2, d.location,
                    d.fatalities, d.injured, d.detained, d.date_start),
        confidence=d.confidence, trigger=d.trigger, mentions=_passages(d))


def _passages(d: Draft) -> list[Span]:
    """The spans of every mention merged into the event, its evidence first, each once, in text order."""
    rest = sorted({(s.start, s.end) for s in d.evidence_all or []} - {(d.evidence.start, d.evidence.end)})
    return [d.evidence] + [Span(a, b) for a, b in rest]
