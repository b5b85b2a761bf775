"""Where it happened: the event's place from the `places` layer.

Never the dateline, never a destination or origin ("إلى قاعدة ديار بكر"، "من بغداد"), never
a capital standing for its government ("شنت القاهرة غارات"), never a country named without
a locative word ("وتقوم روسيا بدور الوساطة"). The trigger's clause first, then the clauses
before it, then the sentences before (the paragraph first), then the clauses after; the
most specific place wins, ties go to the nearest. A country or province is refined to a
town of it named in the sentences around; an arrest no sentence locates goes to the
country of the force (the nationality adjective: "الداخلية الكويتية"). A list of places
("قرب الموصل ومخمور والفلوجة") gives one event each, as ACLED codes them.
"""
from __future__ import annotations

from ..article import Place
from ..text import norm
from .context import _S, Args, Context, _level, token_index
from .detect import SentenceView
from .roles import SPEAKERS

_MAX_LOOKBACK_SENTENCES = 8

COUNTRY_AR = {"SY": "سوريا", "IQ": "العراق", "YE": "اليمن", "LY": "ليبيا", "EG": "مصر", "SA": "السعودية",
              "TR": "تركيا", "LB": "لبنان", "PS": "فلسطين", "IL": "إسرائيل", "JO": "الأردن", "IR": "إيران",
              "AF": "أفغانستان", "PK": "باكستان", "SD": "السودان", "SO": "الصومال", "NG": "نيجيريا",
              "ML": "مالي", "DZ": "الجزائر", "TN": "تونس", "MA": "المغرب", "KW": "الكويت", "BH": "البحرين",
              "QA": "قطر", "AE": "الإمارات", "OM": "عمان", "NE": "النيجر", "TD": "تشاد", "MR": "موريتانيا"}


def country_place(iso2: str | None) -> Place | None:
    if not iso2 or iso2 not in COUNTRY_AR:
        return None
    from .describe import COUNTRIES
    return Place(span=None, name=COUNTRY_AR[iso2], country=iso2, name_en=COUNTRIES.get(iso2), geo_precision=3,
                 feature="country")

_TOWARD = _S("الي نحو باتجاه صوب")               # the destination: where an intercepted weapon was stopped
_AWAY = _TOWARD | _S("من لدي")                  # destination or origin, not where it happened
_RELATION = _S("جنوب شمال شرق غرب وسط قرب ريف بجنوب بشمال بشرق بغرب بوسط بريف محيط اطراف ضواحي غربي شرقي "
               "شمالي جنوبي جنوبي بمحافظه محافظه بمدينه مدينه قضاء مديريه بمديريه ولايه بولايه")
_LIST_JOIN = {"و", "،", ","}
_LIST_LEVELS = 1         # places of a list differ by at most one level (context._level)


_SUBJECT_VERBS = _S("شن شنت نفذ نفذت اطلق اطلقت تبنت تبني ردت رد هددت هدد توعدت طالبت دعت نفت اعترفت")
_LOCATIVE = _S("في ب علي داخل قرب شمال جنوب شرق غرب وسط انحاء ارجاء ارض اراضي عموم مختلف حدود")


def _away(view: SentenceView, p: Place, toward: bool = False) -> bool:
    """Not where it happened: a destination or origin ("إلى قاعدة ديار بكر"، "من بغداد"), a generic
    word ("الريف"), or a country named as an actor ("وتقوم روسيا بدور الوساطة"). With `toward`
    (a missile or drone intercepted), the destination is where it happened: ACLED codes the
    interception where the weapon was stopped ("صاروخا أطلق من الأراضي اليمنية باتجاه نجران")."""
    j = token_index(view, p.span)
    prev = view.forms[j - 1] if j > 0 else frozenset()
    if toward and prev & _TOWARD:
        return False
    if prev & (_SUBJECT_VERBS | SPEAKERS):
        return True           # "شنت القاهرة غارات"، "قالت دمشق": a capital standing for its government
    if _level(p) >= 4:
        tok = view.tokens[j]
        attached = tok.norm[:1] == "ب" and tok.stem != tok.norm
        if not (prev & _LOCATIVE or attached or view.has(_LOCATIVE, max(0, j - 3), j) is not None):
            return True
    return bool(prev & _AWAY) and not prev & _S("في علي")


def word_before(view: SentenceView, p: Place) -> dict[str, float]:
    """What the words before a place say of it, as features for the learned choice (`rank.py`):
    a locative (في، or ب attached), a destination or origin, a relation (جنوب، قرب), the subject
    of a verb or a speaker (a capital standing for its government), and the rules' own verdict."""
    j = token_index(view, p.span)
    prev = view.forms[j - 1] if j > 0 else frozenset()
    tok = view.tokens[j]
    f: dict[str, float] = {}
    for name, words in (("locative", _LOCATIVE), ("away", _AWAY), ("relation", _RELATION),
                        ("subject", _SUBJECT_VERBS | SPEAKERS)):
        if prev & words:
            f[name] = 1.0
    if tok.norm[:1] == "ب" and tok.stem != tok.norm:
        f["attached_b"] = 1.0
    if _away(view, p):
        f["rules_away"] = 1.0
    return f


def _rank(view: SentenceView, places: list[Place], i: int | None):
    """Sort key: places named as a destination or origin last, then the most specific, then the nearest."""
    spans = [(token_index(view, p.span), p) for p in places]

    def key(item):
        j, p = item
        prev = view.forms[j - 1] if j > 0 else frozenset()
        away = 1 if prev & _AWAY and not (prev & _S("في علي")) else 0
        level = _level(p)
        # "في مناطق الجورة والجرادات بجنوب الشيخ زويد": a place right before "south of X" lies in X
        if prev & _RELATION and any(0 < j - k <= 4 for k, q in spans if q is not p):
            level += 0.5
        dist = 0.0
        if i is not None:
            dist = (j - i) if j >= i else (i - j) * 1.5 + 2
        return (away, level, dist)
    return [p for _, p in sorted(spans, key=key)]


def choose_place(ctx: Context, view: SentenceView, i: int, args: Args, prefer_country: bool = False,
                 toward: bool = False) -> None:
    """The trigger's clause first, then the clauses before it, then the sentences before, then the
    clauses after it (these mostly describe something else: "... تلقت تدريبات من الولايات المتحدة").
    `toward`: a destination is where it happened (`_away`)."""
    here = [p for p in ctx.in_sentence(ctx.places, view) if not _away(view, p, toward)]
    a, b = view.clause_of(i)
    same = [p for p in here if a <= token_index(view, p.span) < b]
    before = [p for p in here if token_index(view, p.span) < a]
    later = [p for p in here if token_index(view, p.span) >= b]
    for group in (same, before):
        if group:
            _take(ctx, view, _rank(view, group, i)[0], args)
            return
    if prefer_country:            # an arrest no sentence locates: the arresting force's country
        country = nationality(view, i)
        if country is not None:
            args.location, args.place_from = country_place(country), "actor"
            return
    if _from_context(ctx, view, args):
        return
    if later:
        _take(ctx, view, _rank(view, later, i)[0], args)
        return
    country = nationality(view, i)
    if country is not None:
        args.location, args.place_from = country_place(country), "actor"


def _take(ctx: Context, view: SentenceView, best: Place, args: Args) -> None:
    args.location, args.place_from = best, "sentence"
    if _level(best) >= 3:
        finer = _refine(ctx, view, best)
        if finer is not None:
            args.location, args.place_from = finer, "refined"


def _from_context(ctx: Context, view: SentenceView, args: Args) -> bool:
    """The paragraph's earlier sentences; else the place the story leads with (a statement's
    items without a place belong to the region it opened with); else any earlier sentence."""
    n = view.index
    para = view.sentence.paragraph
    nearest = None
    for k in range(n - 1, max(-1, n - 1 - _MAX_LOOKBACK_SENTENCES), -1):
        prev = ctx.views[k]
        if prev.headline:
            continue
        found = [p for p in ctx.in_sentence(ctx.places, prev) if not _away(prev, p)]
        if found:
            best = _rank(prev, found, None)[0]
            if prev.sentence.paragraph == para:
                args.location, args.place_from = best, "context"
                return True
            nearest = nearest or best
            break
    if nearest is not None:
        args.location, args.place_from = nearest, "article"
        return True
    lead = lead_place(ctx)
    if lead is not None and lead_index(ctx) < n:
        args.location, args.place_from = lead, "article"
        return True
    return False


def lead_place(ctx: Context) -> Place | None:
    if ctx._lead is False:
        ctx._lead, ctx._lead_index = None, 10 ** 9
        for v in ctx.views:
            if v.headline:
                continue
            found = [p for p in ctx.in_sentence(ctx.places, v) if not _away(v, p)]
            if found:
                best = _rank(v, found, None)[0]
                if _level(best) >= 4:
                    best = _refine(ctx, v, best) or best
                ctx._lead, ctx._lead_index = best, v.index
                break
    return ctx._lead


def lead_index(ctx: Context) -> int:
    lead_place(ctx)
    return ctx._lead_index


_NISBA = {}
for _code, _stem in {"SY": "سوري", "IQ": "عراقي", "YE": "يمني", "LY": "ليبي", "EG": "مصري", "SA": "سعودي",
                    "TR": "تركي", "LB": "لبناني", "PS": "فلسطيني", "IL": "اسرائيلي", "JO": "اردني",
                    "IR": "ايراني", "AF": "افغاني", "PK": "باكستاني", "SD": "سوداني", "SO": "صومالي",
                    "NG": "نيجيري", "DZ": "جزائري", "TN": "تونسي", "MA": "مغربي", "KW": "كويتي",
                    "BH": "بحريني", "QA": "قطري", "AE": "اماراتي"}.items():
    for _suffix in ("", "ه", "ين", "ون", "ا"):
        _NISBA[norm(_stem + _suffix)] = _code


def nationality(view: SentenceView, i: int = 0) -> str | None:
    """The country of the nationality adjective nearest before the trigger (the agent's side:
    "أعلن الأمن العام اللبناني اعتقال سوري"), else the first after it."""
    order = list(range(i - 1, -1, -1)) + list(range(i, len(view.forms)))
    for j in order:
        for x in view.forms[j]:
            if x in _NISBA:
                return _NISBA[x]
    return None


def _refine(ctx: Context, view: SentenceView, coarse: Place) -> Place | None:
    """A country or province: a town of it named in the sentences around ("عدة مواقع في سورية" ...
    "الأهداف حددت حول بلدة حوار في سورية")."""
    n = view.index
    best, best_d = None, None
    for v in ctx.views[max(0, n - 2):n + 4]:
        if v is view or v.headline:
            continue
        for p in ctx.in_sentence(ctx.places, v):
            unresolved = p.country is None and p.lat is None
            if _level(p) >= 3 or not (_contains(coarse, p) or (unresolved and abs(v.index - n) <= 2
                                                                 and _level(coarse) >= 4)):
                continue
            d = abs(v.index - n) + (0.5 if v.index < n else 0)
            if best_d is None or d < best_d:
                best, best_d = p, d
    return best


def _contains(coarse: Place, fine: Place) -> bool:
    if coarse.country and fine.country and coarse.country != fine.country:
        return False
    if _level(coarse) >= 4:
        return bool(coarse.country and fine.country == coarse.country)
    if coarse.admin1 and fine.admin1:
        return coarse.admin1 == fine.admin1
    return False


def coordinated(ctx: Context, view: SentenceView, place: Place) -> list[Place]:
    """The places listed with `place` ("قرب الموصل ومخمور والفلوجة"): one event each, as ACLED codes them.
    Listed places are of about one level (a district with an area the gazetteer puts only in its
    province: "مناطق القلعة والمحفد"; not a town and its province). "بين" before them makes a stretch
    of land, unless a "في" follows it ("بين الطرفين في جبال هرمز والحمة" names the sides first)."""
    here = sorted(ctx.in_sentence(ctx.places, view), key=lambda p: p.span.start)
    if place not in here:
        return [place]
    first = token_index(view, here[0].span)
    between = view.has(_S("بين"), max(0, first - 4), first)
    if between is not None and view.has(_S("في"), between, first) is None:
        return [place]                 # "بين شرق بلدة الراعي وغرب جرابلس": a stretch, not a list
    k = here.index(place)
    group = [place]

    def joined(p: Place, q: Place) -> bool:
        gap = ctx.article.text[p.span.end:q.span.start]
        words = gap.replace("،", " ، ").replace(",", " , ").split()
        if len(words) == 1 and words[0] in _LIST_JOIN:
            return True
        return not words and (ctx.article.text[q.span.start:q.span.start + 1] == "و" or gap.endswith("و"))
    j = k
    while j + 1 < len(here) and joined(here[j], here[j + 1]) and abs(_level(here[j + 1]) - _level(place)) <= _LIST_LEVELS:
        group.append(here[j + 1])
        j += 1
    j = k
    while j > 0 and joined(here[j - 1], here[j]) and abs(_level(here[j - 1]) - _level(place)) <= _LIST_LEVELS:
        group.insert(0, here[j - 1])
        j -= 1
    return group
