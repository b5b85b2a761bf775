"""From trigger concepts to ACLED event and sub-event types, one sentence at a time.

The sentence's words decide the type: قصف is an air strike when aircraft are named
near it and shelling otherwise; انفجار is a suicide bombing when a suicide bomber is
named, a grenade when a hand grenade is; هجوم is typed by its weapon. Several triggers
in one sentence usually describe one incident from several sides ("قصفت الطائرات ...
ما أسفر عن مقتل ..."), so a sentence keeps one mention per sub-event type, and the
concepts that only describe outcomes (killing, a generic "attack") give way to the
specific ones. Killing with no other trigger is typed once the victims are known
(`roles.py`): civilians → Violence against civilians/Attack, fighters → Armed clash.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..text import norm, norm_set
from . import lexicon as lx
from .detect import Trigger

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
VAC = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

CLASH = (BATTLES, "Armed clash")
GOV_TERRITORY = (BATTLES, "Government regains territory")
NSA_TERRITORY = (BATTLES, "Non-state actor overtakes territory")
AIR = (REMOTE, "Air/drone strike")
SHELLING = (REMOTE, "Shelling/artillery/missile attack")
IED = (REMOTE, "Remote explosive/landmine/IED")
SUICIDE = (REMOTE, "Suicide bomb")
GRENADE = (REMOTE, "Grenade")
CHEMICAL = (REMOTE, "Chemical weapon")
ATTACK = (VAC, "Attack")
ABDUCTION = (VAC, "Abduction/forced disappearance")
SEXUAL = (VAC, "Sexual violence")
PEACEFUL = (PROTESTS, "Peaceful protest")
INTERVENTION = (PROTESTS, "Protest with intervention")
EXCESSIVE = (PROTESTS, "Excessive force against protesters")
VIOLENT_DEMO = (RIOTS, "Violent demonstration")
MOB = (RIOTS, "Mob violence")
AGREEMENT = (STRATEGIC, "Agreement")
ARRESTS = (STRATEGIC, "Arrests")
DISRUPTED = (STRATEGIC, "Disrupted weapons use")
LOOTING = (STRATEGIC, "Looting/property destruction")

# Sub-types decided later from the actors: territory (who took it) and killing (who died).
TERRITORY_PENDING = (BATTLES, "territory")
KILL_PENDING = (BATTLES, "killing")

_S = norm_set
_FACILITY = _S("مراكز مركز معسكر معسكرات سجن سجون مخيم مخيمات معتقل معتقلات مذكره مذكرات اوامر امر حملات")
_JUDICIAL = _S("حكم احكام بحكم محكمه المحكمه قضائي عقوبه")
_PURPOSE_PREFIX = ("ل", "ول", "فل")
_TERRITORY_STATE = _S("تحت مناطق منطقه خاضعه يخضع تخضع الخاضعه نفوذ")
_INTERVENE = _S("تفريق فرقت فرق لتفريق الغاز المسيل للدموع المطاطي خراطيم قمع قمعت")
_RIOT = _S("شغب حجاره بالحجاره رشق رشقوا احرق احرقوا اضرموا اطارات الزجاجات المولوتوف")
_LIVE_FIRE = _S("الحي الرصاص قتل مقتل قتلي مصرع")
_TOLL = _S("حصيله حصيلة اجمالي مجموع ارتفاع ارتفع ليرتفع")
_VIOLENCE = _S("مسلح مسلحين مسلحون مسلحا النار الرصاص رصاص اطلاق هجوم هجوما الهجوم اشتباكات معارك قصف "
               "غاره غارات انفجار تفجير عبوه قذيفه صاروخ ذبح طعن اغتيال اعدام كمين قوات الجيش جنود عناصر "
               "مقاتلين ارهابي ارهابيين مجهولين مجهولون المسلحين قناص قناصه مسلحي شرطي شرطه ضابط جندي")
_WEAPON_NEAR = 4
_WINDOW_AIR = 8


@dataclass(slots=True)
class Mention:
    """One sentence's report of one event, before its arguments are filled."""
    trigger: Trigger
    kind: tuple[str, str]                 # (event_type, sub_event_type) or a *_PENDING pair
    mode: str | None = None
    cues: set[str] = field(default_factory=set)
    also: list[int] = field(default_factory=list)     # other triggers of the sentence that report it

    @property
    def view(self):
        return self.trigger.view


def _air_or_shell(trig: Trigger, default, sentence_wide: bool = True):
    """Aircraft named in the clause make it an air strike (their missiles included); else a
    shell, rocket or mortar near the trigger makes it shelling."""
    view, i = trig.view, trig.i
    a, b = view.clause_of(i)
    near_shell = view.near(lx.CUES["SHELL"], i, _WEAPON_NEAR)
    near_air = view.has(lx.CUES["AIR"], max(a, i - 10), min(b, i + _WINDOW_AIR))
    if near_air is not None:
        return AIR, "drone" if view.near(lx.CUES["DRONE"], i, _WEAPON_NEAR + 4) is not None else "aerial"
    if near_shell is not None:
        return SHELLING, "artillery"
    if view.near(lx.CUES["SUICIDE"], i, 3) is not None and view.near(lx.CUES["IED"], i, 4) is not None:
        return SUICIDE, "suicide"
    if view.near(lx.CUES["IED"], i, _WEAPON_NEAR) is not None:
        return IED, "explosion"
    if view.has(lx.CUES["SHELL"], a, b) is not None:
        return SHELLING, "artillery"
    if not sentence_wide:
        return default
    if view.has(lx.CUES["AIR"], 0, len(view.tokens)) is not None:
        return AIR, "drone" if view.has(lx.CUES["DRONE"], 0, len(view.tokens)) is not None else "aerial"
    if view.has(lx.CUES["SHELL"], 0, len(view.tokens)) is not None:
        return SHELLING, "artillery"
    return default


def _after(trig: Trigger, cue: frozenset[str], n: int) -> int | None:
    a, b = trig.view.clause_of(trig.i)
    return trig.view.has(cue, trig.i + 1, min(b, trig.i + 1 + n))


def _type(trig: Trigger) -> tuple[tuple[str, str], str | None] | None:
    view, i, c, lemma = trig.view, trig.i, trig.concept, trig.entry.lemma
    tok = trig.token
    prev = view.tokens[i - 1].norm if i > 0 else ""
    if c == "AIR":
        return AIR, "drone" if view.near(lx.CUES["DRONE"], i, _WEAPON_NEAR) is not None else "aerial"
    if c == "BOMBARD":
        if lemma == "استهدف":     # "targeted": only with the weapon named next to it
            return _air_or_shell(trig, None, sentence_wide=False)
        if lemma in ("قذيفه", "قذائف", "قذيفتين", "قذيفتان", "هاون", "مدفعيه", "مدفعي", "راجمات", "كاتيوشا",
                     "صاروخ", "صواريخ", "صاروخا", "صاروخين"):
            if view.near(lx.CUES["AIR"], i, 2) is not None:       # صواريخ الطائرات
                return AIR, "aerial"
            return SHELLING, "artillery"
        return _air_or_shell(trig, (SHELLING, "artillery"))
    if c == "CLASH":
        if lemma in ("هجوم", "هجوما", "هجمات", "هجمه", "هجومين", "هجومان", "هاجم"):
            if view.near(lx.CUES["SUICIDE"], i, 3) is not None:
                return SUICIDE, "suicide"
            if view.near(lx.CUES["IED"], i, 3) is not None:
                return IED, "explosion"
            if view.near(lx.CUES["AIR"], i, 2) is not None:
                return AIR, "aerial"
            if view.near(lx.CUES["SHELL"], i, 2) is not None:
                return SHELLING, "artillery"
            if view.near(lx.CUES["CHEM_WORDS"], i, 2) is not None:
                return CHEMICAL, "CBRN"
        if lemma == "تبادل" and _after(trig, lx.CUES["FIRE"], 3) is None:
            return None
        return CLASH, "firearms"
    if c == "TERRITORY":
        if trig.entry.pos == "present":
            return None
        if tok.norm.startswith(_PURPOSE_PREFIX) and trig.entry.pos == "noun":
            return None
        if prev in _TERRITORY_STATE:
            return None
        on = _after(trig, lx.CUES["CONTROL"], 4)
        if lemma in ("سيطر", "سيطره") and on is None:
            return None
        obj = (on + 1) if on is not None else i + 1
        if view.has(lx.VAGUE_OBJECT, obj, min(len(view.tokens), obj + 4)) is not None:
            return None           # "سيطر على بضع بلدات"، "استعادت قوات الجيش بعض الأراضي": no place, no event
        return TERRITORY_PENDING, "seize"
    if c == "EXPLOSION":
        a0, _ = view.clause_of(i)
        if trig.entry.pos == "noun" and view.has(lx.FOUND_BEFORE, max(a0, i - 6), i) is not None:
            return None           # explosives found in a cache
        if lemma in ("تفجير", "تفجيرات") and view.near(lx.CUES["AIR"] - lx.CUES["DRONE"], i, 4) is not None:
            return AIR, "aerial"      # "قام سلاح الجو بتفجير مخزن": the air force's strike
        selves = frozenset(norm(w) for w in ("نفسه", "نفسيهما", "انفسهم", "انفسهن", "نفسها"))
        if view.has(lx.CUES["SUICIDE"] - selves, 0, len(view.tokens)) is not None \
                or view.near(selves, i, 3) is not None:
            return SUICIDE, "suicide"
        if view.near(lx.CUES["GRENADE"], i, 3) is not None:
            return GRENADE, "explosion"
        if lemma in ("انفجار", "انفجارين", "انفجارات", "انفجر", "تفجر"):
            shell = view.near(lx.CUES["SHELL"], i, 3)
            if shell is not None and view.near(lx.CUES["IED"], i, 3) is None:
                return SHELLING, "artillery"
        return IED, "explosion"
    if c == "SUICIDE":
        if "failed" in trig.flags:
            return None
        return SUICIDE, "suicide"
    if c == "GRENADE":
        if view.has(lx.FOUND_BEFORE, max(0, i - 8), i) is not None:
            return None
        return GRENADE, "explosion"
    if c == "CHEMICAL":
        return CHEMICAL, "CBRN"
    if c == "KILL":
        if lemma in ("اعدام", "اعدم", "اعدامات") and view.near(_JUDICIAL, i, 3) is not None:
            return None
        if view.has(_TOLL, max(0, i - 3), i) is not None:
            return None           # "حصيلة قتلى": a cumulative toll
        if view.has(_VIOLENCE, 0, len(view.tokens)) is None:
            return None           # a death with no violence named (drowning, illness, accident)
        if view.has(lx.CAMPAIGN, i, len(view.tokens)) is not None:
            return None           # a toll over a campaign: "قتلوا في العملية التي بدأت قبل أسبوعين"
        return KILL_PENDING, None
    if c == "ABDUCT":
        return ABDUCTION, "abduct"
    if c == "SEXUAL":
        if view.near(lx.CUES["FEMALE_VICTIM"], i, 6, clause=False) is None:
            return None           # "اغتصاب العاصمة": usurpation, not rape
        return SEXUAL, "sexual"
    if c == "ARREST":
        if prev in _FACILITY or (i > 1 and view.tokens[i - 2].norm in _FACILITY and prev in ("", "و")):
            return None
        if lemma in ("ضبط", "اوقف") and _after(trig, lx.CUES["PEOPLE"], 3) is None:
            return None
        if not _arrested_someone(trig):
            return None           # "توقيف حافلة", "أوقف أربعة أشهر" (a suspension)
        if _after(trig, _MIGRANTS, 4) is not None:
            return None           # border guards catching migrants and smugglers: no political arrest
        if lemma in ("مداهمه", "مداهمات", "دهم", "داهم"):
            return None
        return ARRESTS, "arrest"
    if c == "PROTEST":
        return PEACEFUL, "demo"
    if c == "RIOT":
        if lemma == "رشق" and view.near(lx.CUES["STONES"], i, 4) is None:
            return None
        return VIOLENT_DEMO, "riot"
    if c == "AGREE":
        a, _ = view.clause_of(i)
        verb_near = view.has(lx.CUES["AGREE_VERB"], max(a, i - 4), i + 1) is not None or trig.entry.pos == "past"
        if not verb_near:
            return None
        if lemma in ("صفقه",) and view.near(_S("تبادل اسري الاسري"), i, 3) is None:
            return None
        if view.has(lx.CUES["TRUCE"], 0, len(view.tokens)) is None:
            return None           # trade and nuclear deals are not conflict events
        if view.has(lx.FAILED, max(0, i - 6), i) is not None:
            return None           # "فشل ... بالتوصل إلى هدنة"
        mode = "ceasefire" if view.near(_S("اطلاق النار هدنه"), i, 4) is not None or lemma == "هدنه" else None
        return AGREEMENT, mode
    if c == "INTERCEPT":
        if lemma in ("اعترض", "اعتراض", "اسقط", "اسقاط"):
            if _after(trig, lx.CUES["PROJECTILE"], 6) is None:
                return None
            return DISRUPTED, "intercept"
        if _after(trig, lx.CUES["EXPLOSIVE"], 5) is None:
            return None
        return DISRUPTED, "defuse"
    if c == "LOOT":
        if lemma in ("نهب",):
            return LOOTING, "loot"
        if _after(trig, lx.CUES["PROPERTY"], 3) is None:
            return None
        return LOOTING, "destroy"
    return None


def _arrested_someone(trig: Trigger) -> bool:
    """Someone is arrested: a person, a number or a count word follows, or the verb is passive after
    a count ("تم توقيف 251 شخصا"), or an actor/pronoun object is attached ("اعتقلتهم")."""
    view, i = trig.view, trig.i
    tok = trig.token
    if tok.norm.endswith(("هم", "ه", "ها", "هما")) and trig.entry.pos != "noun" or trig.entry.pos == "noun" \
            and tok.norm.endswith(("هم", "هما")):
        return True
    n = len(view.tokens)
    for j in range(i + 1, min(n, i + 6)):
        t = view.tokens[j]
        if t.kind == "number" or view.forms[j] & (lx.CUES["PEOPLE"] | _COUNTS):
            return True
    return view.has(lx.CUES["PEOPLE"] | _COUNTS, max(0, i - 12), i) is not None


_MIGRANTS = _S("متسلل متسللا متسللين مهاجر مهاجرا مهاجرين مهربين مهرب مهربا متسللون مهاجرون")
_COUNTS = _S("عشرات مئات الاف العشرات المئات عدد عددا العديد اثنين ثلاثه اربعه خمسه سته سبعه ثمانيه تسعه عشره "
             "اربعين خمسين ستين عشرين ثلاثين سبعين ثمانين تسعين مئه مائه عناصر اعضاء قيادي قياديين ناشطين")


# Within one sentence, a more specific report of the same incident replaces a vaguer one.
_VIOLENT = {AIR, SHELLING, IED, SUICIDE, GRENADE, CHEMICAL}


def classify_sentence(triggers: list[Trigger]) -> list[Mention]:
    typed: list[Mention] = []
    for t in triggers:
        got = _type(t)
        if got is None:
            continue
        kind, mode = got
        typed.append(Mention(t, kind, mode))
    kinds = {m.kind for m in typed}
    out: list[Mention] = []
    view = triggers[0].view if triggers else None

    def near(m: Mention, others: set) -> bool:
        """Another mention of one of `others` in the same clause, or within a few words."""
        clause = m.view.clause_of(m.trigger.i)
        return any(o.kind in others and (o.view.clause_of(o.trigger.i) == clause
                                         or abs(o.trigger.i - m.trigger.i) <= 3) for o in typed if o is not m)

    for m in typed:
        k = m.kind
        if k != DISRUPTED and DISRUPTED in kinds and (k in _VIOLENT or k in (KILL_PENDING, CLASH)):
            continue          # the intercepted missile is the event, not a missile attack
        if k == CLASH and (near(m, {TERRITORY_PENDING} | _VIOLENT)):
            continue
        if k == KILL_PENDING and kinds & (_VIOLENT | {CLASH, TERRITORY_PENDING, ABDUCTION, ATTACK, DISRUPTED,
                                                   PEACEFUL, VIOLENT_DEMO, SEXUAL}):
            continue
        if k == IED and SUICIDE in kinds:
            continue
        if k == ARRESTS and (PEACEFUL in kinds or VIOLENT_DEMO in kinds):
            continue
        out.append(m)
    # Protests: the police's response decides the sub-type.
    if view is not None:
        n = len(view.tokens)
        for m in out:
            if m.kind == PEACEFUL:
                if view.has(_RIOT, 0, n) is not None or VIOLENT_DEMO in kinds:
                    m.kind, m.mode = VIOLENT_DEMO, "riot"
                elif view.has(_LIVE_FIRE, 0, n) is not None and KILL_PENDING in kinds:
                    m.kind, m.mode = EXCESSIVE, "beat"
                elif view.has(_INTERVENE, 0, n) is not None or ARRESTS in kinds:
                    m.kind = INTERVENTION
    seen: dict = {}
    unique = []
    for m in out:
        if m.kind in seen:
            seen[m.kind].also.append(m.trigger.i)
            continue
        seen[m.kind] = m
        unique.append(m)
    if any(m.kind == VIOLENT_DEMO for m in unique):
        unique = [m for m in unique if m.kind != PEACEFUL]
    return unique
