"""Who acted and against whom: actor1 and actor2 from the `actors` layer.

Arabic puts the agent before the verb (SVO, "قوات سوريا الديمقراطية سيطرت") or right after
it (VSO, "قصفت طائرات تركية مواقع لداعش"); the target follows a target word (على، ضد،
مواقع، عناصر، مسلحي) or carries ل after one ("مواقع لتنظيم"). A verb followed directly by
a number or a person word is passive ("قتل 4 من قوات الأمن"): what follows are victims,
and so are the persons a casualty noun names ("مقتل عميد في القوات الخاصة"). "بين X و Y"
names both sides of a clash. Verbal nouns of patients (اعتقال، اختطاف، مقتل) take the victim
as their genitive; an arrest's agent is often the body announcing it ("أعلنت الداخلية
اعتقال"), and a state force announcing its own operation is its agent. When no actor is
named, ACLED's conventions apply (stage.py): bombs of unknown authorship are an unidentified
armed group's, violence against civilians targets civilians, arrests by an unnamed
authority are the police's.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..article import ActorMention, Span
from . import lexicon as lx
from .context import (_S, _WORD_NUMBERS, ARMED_WORDS, CIVILIAN_WORDS, DETAINED, DUAL_PERSON, INJURED, KILLED,
                      SINGULAR_PERSON, Args, Context, token_index)
from .detect import SentenceView

TARGET_BEFORE = _S("علي ضد مواقع موقع مقرات مقر معاقل معقل تجمعات تجمع تمركزات تمركز عناصر عنصر مسلحي "
                   "مقاتلي صفوف افراد استهداف دوريه دوريات اليات اهداف نقاط نقطه قوافل ثكنه ثكنات "
                   "معسكر معسكرات منتسبي اعضاء قاده قائد قيادي جنود ضباط")
AGENT_BEFORE = _S("قبل يد بيد نفذها نفذه شنها شنه تبناه تبنت تبني يشنها بين")
SPEAKERS = _S("قال قالت اعلن اعلنت افاد افادت ذكر ذكرت اكد اكدت اوضح اوضحت اضاف اضافت اشار اشارت "
              "نقل نقلت بحسب وفق وفقا حسب يقول تقول اتهم اتهمت يتهم تتهم")
CLAIM = _S("مسؤوليته مسؤوليتها المسؤوليه تبني تبنت تبناه يتبني")
UNKNOWN_ATTACKER = _S("مجهولين مجهولون مجهول مجهوله مسلحين مسلحون المسلحون مسلحا")

@dataclass(slots=True)
class _Slot:
    mention: ActorMention
    i: int                  # first token index in the sentence
    target: bool            # introduced by a target word or ل
    agent_marked: bool      # introduced by من قبل / على يد / بين
    speaker: bool           # subject of a speech verb


def _slots(ctx: Context, view: SentenceView) -> list[_Slot]:
    out = []
    for m in ctx.in_sentence(ctx.actors, view):
        i = token_index(view, m.span)
        tok = view.tokens[i]
        prev = view.forms[i - 1] if i > 0 else frozenset()
        prev2 = view.forms[i - 2] if i > 1 else frozenset()
        # ل on the actor's own first word after a target noun: "مواقع لتنظيم داعش"، "هدف تابع لحماس"
        # (after anything else it is possessive: "غارات هي الأولى للجيش التركي")
        lam = (tok.norm[:1] == "ل" and tok.stem != tok.norm) or tok.norm.startswith("لل")
        lam = lam and bool(prev & (TARGET_BEFORE | _S("تابع تابعه التابعه التابع تابعين هدف اهداف")))
        counted = i > 1 and view.tokens[i - 1].norm == "من" and (
            view.tokens[i - 2].kind == "number" or bool(view.forms[i - 2] & _COUNT_WORDS))
        # the victims of a casualty noun ("مقتل عميد"، "مقتل ثمانية عناصر"، "اعتقال 23 عنصرا"), not the
        # agent after a verb ("واعتقلت القوات الأمنية")
        counted_prev = i > 1 and (view.tokens[i - 1].kind == "number" or bool(prev & (_COUNT_WORDS | _NUMBER_WORDS)))
        hit = bool(prev & _CASUALTY_NOUNS) or (counted_prev and bool(prev2 & (KILLED | INJURED | DETAINED)))
        target = bool(prev & TARGET_BEFORE) or lam or counted or hit
        agent_marked = bool(prev & AGENT_BEFORE) or bool(prev2 & _S("قبل يد"))
        speaker = bool(prev & SPEAKERS) or bool(prev & _S("باسم"))
        if speaker and view.has(CLAIM, i + 1, min(len(view.tokens), i + 4)) is not None:
            speaker, agent_marked = False, True       # "أعلن التنظيم مسؤوليته عن الهجوم"
        out.append(_Slot(m, i, target, agent_marked, speaker))
    return out


_CASUALTY_NOUNS = _S("مقتل بمقتل ومقتل لمقتل مصرع اعتقال توقيف اختطاف خطف اصابه القضاء تصفيه استهداف اغتيال اعدام")
_NUMBER_WORDS = frozenset(_WORD_NUMBERS)
_CONTINUING = _S("كما وكما واضاف واضافت وتابع وتابعت واشار واشارت واوضح واوضحت وافاد وافادت")
_COUNT_WORDS = _S("عشرات مئات الاف العشرات المئات عدد عددا العديد بعض اثنين ثلاثه اربعه خمسه سته سبعه ثمانيه "
                  "تسعه عشره")


def _same(a: ActorMention | None, b: ActorMention | None) -> bool:
    return a is not None and b is not None and (a.id or a.name) == (b.id or b.name)


_PATIENT_NOUNS = {"ARREST", "ABDUCT", "KILL", "SEXUAL", "TERRITORY"}


def assign_actors(ctx: Context, view: SentenceView, i: int, concept: str, pos: str,
                  args: Args) -> None:
    slots = _slots(ctx, view)
    a, b = view.clause_of(i)
    before = [s for s in slots if s.i < i]
    after = [s for s in slots if s.i > i]
    actor1 = actor2 = None
    # "بين X و Y": both sides of a clash
    between = view.has(_S("بين"), max(a, i - 1), min(len(view.tokens), i + 8))
    if between is not None and concept in ("CLASH", "KILL"):
        pair = [s for s in slots if s.i > between][:2]
        if len(pair) == 2:
            actor1, actor2 = pair[0].mention, pair[1].mention
    passive = False
    if actor1 is None:
        nxt = view.tokens[i + 1] if i + 1 < len(view.tokens) else None
        if pos in ("past", "present") and nxt is not None and (
                nxt.kind == "number" or view.forms[i + 1] & (lx.CUES["PEOPLE"] | SINGULAR_PERSON | DUAL_PERSON)
                or (view.forms[i + 1] & _WORD_NUMBERS.keys())):
            passive = concept in ("KILL", "ARREST", "ABDUCT")
        marked = [s for s in after if s.agent_marked and not s.speaker]
        if marked:
            actor1 = marked[0].mention
        if passive or (pos == "noun" and concept in _PATIENT_NOUNS):
            victims = [s for s in after if not s.agent_marked and s.i - i <= 8]
            if victims:
                actor2 = victims[0].mention
            if actor1 is None:
                cands = [s for s in before if not _same(s.mention, actor2) and not s.target
                         and (concept == "ARREST" or not s.speaker)]
                if cands:
                    actor1 = cands[-1].mention
        else:
            in_clause = [s for s in before if s.i >= a and not s.target and not s.speaker]
            right_after = [s for s in after if not s.target and s.i - i <= (2 if pos == "noun" else 5)]
            earlier = [s for s in before if not s.target and not s.speaker and s.i >= i - 12]
            for group, pick in ((in_clause, -1), (right_after, 0), (earlier, -1)):
                if actor1 is None and group:
                    actor1 = group[pick].mention
            rest = [s for s in after if not _same(s.mention, actor1) and s.i < b]
            targets = [s for s in rest if s.target] or rest
            if targets:
                actor2 = targets[0].mention
            elif actor1 is not None:
                others = [s for s in before if s.target and not _same(s.mention, actor1)]
                if others:
                    actor2 = others[-1].mention
    if concept == "ARREST" and actor1 is not None and actor1.actor_type not in (None, 1, 8) and actor2 is None:
        actor1, actor2 = None, actor1          # armed groups are arrested; they abduct
    if actor1 is None and concept == "ARREST" and view.index > 0 and view.tokens and \
            view.tokens[0].norm in _CONTINUING:
        prev = ctx.views[view.index - 1]
        armed = [s for s in _slots(ctx, prev) if not s.target and s.mention.actor_type in (1, 2, 3, 8)]
        if armed and prev.sentence.paragraph == view.sentence.paragraph:
            actor1 = armed[0].mention            # "أحصت هذه القوات ... كما أفادت عن اعتقال"
    if actor1 is None and concept not in ("ABDUCT", "SEXUAL", "PROTEST", "RIOT", "AGREE", "EXPLOSION", "SUICIDE",
                                          "GRENADE", "KILL"):
        # a state force announcing its own operation ("أعلن الجيش المصري عن مقتل ... إثر قصف جوي")
        states = [s for s in before if s.speaker and s.mention.actor_type == 1 and not _same(s.mention, actor2)]
        if states:
            actor1 = states[-1].mention
    if actor1 is None and actor2 is None and slots and concept not in _PATIENT_NOUNS:
        slots = [s for s in slots if s.i < b]          # not from a later clause about something else
        cands = [s for s in slots if not s.speaker and not s.target]
        if cands:
            actor1 = cands[0].mention
        else:
            targets = [s for s in slots if s.target]
            if targets:
                actor2 = targets[0].mention
    if _same(actor1, actor2):
        actor2 = None
    args.actor1, args.actor2 = actor1, actor2
    args.victims = _victims(view, i, passive or pos == "noun")


def _victims(view: SentenceView, i: int, after_first: bool) -> str | None:
    """Who was hit: the first person word after the trigger ("قتلوا 25 مدنيا"، "مقتل 9 من عناصر"),
    else the nearest before it ("7 من عناصر الجيش ... قتلوا")."""
    n = len(view.tokens)
    for j in list(range(i + 1, min(n, i + 10))) + list(range(i - 1, max(-1, i - 9), -1)):
        f = view.forms[j]
        if f & CIVILIAN_WORDS:
            return "civilians"
        if f & ARMED_WORDS and not (j < i and f & UNKNOWN_ATTACKER):
            return "armed"
    return None


def civilians_actor(span: Span | None = None) -> ActorMention:
    return ActorMention(span=span, id="civilians", name="Civilians", actor_type=7, via="descriptor")


def police_actor(iso2: str) -> ActorMention | None:
    """ACLED's actor for arrests by an unnamed authority: the country's police forces."""
    from .describe import COUNTRIES
    name = COUNTRIES.get(iso2)
    if name is None:
        return None
    return ActorMention(span=None, id=f"other:Police Forces of {name}", name=f"Police Forces of {name}",
                        actor_type=1, country=iso2, via="descriptor")


def unidentified_actor(span: Span | None = None) -> ActorMention:
    return ActorMention(span=span, id="unidentified_armed_group", name="Unidentified armed group",
                        actor_type=3, via="descriptor")


def unknown_attackers(view: SentenceView, i: int) -> int | None:
    """Unnamed gunmen acting: "مسلحون مجهولون"، "إن مسلحين قتلوا" (before the trigger, or anonymous)."""
    before = view.has(UNKNOWN_ATTACKER, max(0, i - 6), i)
    if before is not None and view.has(KILLED | INJURED | DETAINED, max(0, before - 3), before) is None:
        return before
    return view.has(_S("مجهولين مجهولون مجهول مجهوله"), 0, len(view.tokens))
