"""What an analyst reads about an event: its PLOVER type and mode, a stable id, and an
ACLED-style English note generated from the fields.

PLOVER (the successor of CAMEO) types the action, its mode the means. ACLED's sub-event
types map onto it one way: violence → ASSAULT with the weapon as mode, arrests and seizures
→ COERCE, protests → PROTEST, agreements → AGREE. The note follows ACLED's own pattern
("On 19 March 2019, SDF shelled Islamic State in al-Baghuz (Deir ez-Zor, Syria).") so an
analyst who does not read Arabic can skim a table of events; it says only what the fields
say. Place names come from the gazetteer's English name, else a transliteration
(`transliterate`: a plain ALA-LC-like romanisation, written here because camel-tools'
schemes are Buckwalter-like and unreadable to an analyst).
"""
from __future__ import annotations

import hashlib
from datetime import date

from ..article import ActorMention, Place

PLOVER: dict[str, tuple[str, str | None]] = {
    "Armed clash": ("ASSAULT", "firearms"),
    "Government regains territory": ("COERCE", "seize"),
    "Non-state actor overtakes territory": ("COERCE", "seize"),
    "Air/drone strike": ("ASSAULT", "aerial"),
    "Shelling/artillery/missile attack": ("ASSAULT", "artillery"),
    "Remote explosive/landmine/IED": ("ASSAULT", "explosion"),
    "Suicide bomb": ("ASSAULT", "suicide"),
    "Grenade": ("ASSAULT", "explosion"),
    "Chemical weapon": ("ASSAULT", "CBRN"),
    "Attack": ("ASSAULT", None),
    "Abduction/forced disappearance": ("ASSAULT", "abduct"),
    "Sexual violence": ("ASSAULT", "sexual"),
    "Peaceful protest": ("PROTEST", "demo"),
    "Protest with intervention": ("PROTEST", "demo"),
    "Excessive force against protesters": ("ASSAULT", "beat"),
    "Violent demonstration": ("PROTEST", "riot"),
    "Mob violence": ("ASSAULT", "beat"),
    "Agreement": ("AGREE", None),
    "Arrests": ("COERCE", "arrest"),
    "Disrupted weapons use": ("COERCE", "seize"),
    "Looting/property destruction": ("COERCE", "seize"),
    "Non-violent transfer of territory": ("RETREAT", "withdraw"),
    "Headquarters or base established": ("MOBILIZE", "troops"),
    "Change to group/activity": ("MOBILIZE", None),
    "Other": (None, None),
}

# Verb phrase per sub-event type: "{a1} {verb} {a2}".
_VERB = {
    "Armed clash": ("clashed with", "clashed"),
    "Government regains territory": ("regained control of territory from", "regained control of territory"),
    "Non-state actor overtakes territory": ("took control of territory from", "took control of territory"),
    "Air/drone strike": ("carried out air strikes on", "carried out air strikes"),
    "Shelling/artillery/missile attack": ("shelled", "carried out shelling"),
    "Remote explosive/landmine/IED": ("detonated an explosive device targeting", "detonated an explosive device"),
    "Suicide bomb": ("carried out a suicide bombing targeting", "carried out a suicide bombing"),
    "Grenade": ("threw a grenade at", "threw a grenade"),
    "Chemical weapon": ("used chemical weapons against", "used chemical weapons"),
    "Attack": ("attacked", "carried out an attack"),
    "Abduction/forced disappearance": ("abducted", "carried out an abduction"),
    "Sexual violence": ("committed sexual violence against", "committed sexual violence"),
    "Peaceful protest": ("protested against", "protested"),
    "Protest with intervention": ("protested and were dispersed by", "protested and were dispersed"),
    "Excessive force against protesters": ("used excessive force against", "used excessive force"),
    "Violent demonstration": ("rioted against", "rioted"),
    "Mob violence": ("attacked", "took part in mob violence"),
    "Agreement": ("reached an agreement with", "reached an agreement"),
    "Arrests": ("arrested", "made arrests"),
    "Disrupted weapons use": ("intercepted or defused weapons of", "intercepted or defused weapons"),
    "Looting/property destruction": ("looted or destroyed property of", "looted or destroyed property"),
}

COUNTRIES = {
    "SY": "Syria", "IQ": "Iraq", "YE": "Yemen", "LY": "Libya", "EG": "Egypt", "SA": "Saudi Arabia",
    "TR": "Turkey", "LB": "Lebanon", "PS": "Palestine", "IL": "Israel", "JO": "Jordan", "IR": "Iran",
    "AF": "Afghanistan", "PK": "Pakistan", "SD": "Sudan", "SS": "South Sudan", "SO": "Somalia",
    "NG": "Nigeria", "ML": "Mali", "NE": "Niger", "BF": "Burkina Faso", "TD": "Chad", "DZ": "Algeria",
    "TN": "Tunisia", "MA": "Morocco", "KW": "Kuwait", "BH": "Bahrain", "QA": "Qatar", "AE": "United Arab Emirates",
    "OM": "Oman", "MR": "Mauritania", "DJ": "Djibouti", "ET": "Ethiopia", "KE": "Kenya", "CM": "Cameroon",
    "US": "United States", "RU": "Russia", "FR": "France", "GB": "United Kingdom", "DE": "Germany",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")

_LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h",
    "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t",
    "ظ": "z", "ع": "'", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "و": "w", "ي": "y", "ى": "a", "ة": "a", "ء": "'", "ؤ": "'", "ئ": "'", "پ": "p", "چ": "ch", "ڤ": "v",
    "گ": "g", "ک": "k", "ی": "y",
}
_VOWELISH = {"ا": "a", "و": "u", "ي": "i"}


def transliterate(name: str) -> str:
    """A readable romanisation of an Arabic name: الباغوز → al-Baghuz, درنة → Drna."""
    words = []
    for word in name.split():
        out = []
        w = word
        prefix = ""
        if w.startswith("ال") and len(w) > 3:
            prefix, w = "al-", w[2:]
        for k, ch in enumerate(w):
            if ch in "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640":
                continue
            if k > 0 and ch in _VOWELISH and k < len(w) - 1:
                out.append(_VOWELISH[ch] if ch != "ا" else "a")
            elif k > 0 and ch in "وي" and k == len(w) - 1:
                out.append(_VOWELISH[ch])
            else:
                out.append(_LETTERS.get(ch, ch))
        core = "".join(out).strip("'")
        core = core[:1].upper() + core[1:]
        words.append(prefix + core)
    return " ".join(words)


def actor_name(actor: ActorMention | None) -> str | None:
    if actor is None:
        return None
    if actor.name:
        return actor.name
    if actor.id and actor.id.startswith("other:"):
        return actor.id[6:]
    return actor.id.replace("_", " ") if actor.id else None


def place_phrase(place: Place | None) -> str | None:
    if place is None:
        return None
    name = place.name_en or transliterate(place.name)
    country = COUNTRIES.get(place.country or "", place.country)
    inside = [x for x in (place.admin1, country) if x and x != name]
    return f"{name} ({', '.join(inside)})" if inside else name


def date_phrase(iso: str | None, precision: int | None) -> str | None:
    if not iso:
        return None
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return None
    text = f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    return f"On {text}" if precision in (None, 1) else f"Around {text}"


def notes(sub_event_type: str, date_iso: str | None, precision: int | None, actor1: ActorMention | None,
          actor2: ActorMention | None, place: Place | None, fatalities: int | None = None,
          injured: int | None = None, detained: int | None = None, date_start: str | None = None) -> str:
    a1, a2 = actor_name(actor1), actor_name(actor2)
    with_target, alone = _VERB.get(sub_event_type, ("acted against", "acted"))
    subject = a1 or ("Unidentified actors" if sub_event_type not in ("Peaceful protest",) else "Protesters")
    if sub_event_type == "Peaceful protest" and a1 is None:
        subject = "Protesters"
    clause = f"{subject} {with_target} {a2}" if a2 else f"{subject} {alone}"
    when = date_phrase(date_iso, precision)
    if date_start and date_iso and date_start != date_iso:
        start = date_phrase(date_start, 1)
        when = f"Between {start[3:]} and {when.split(' ', 1)[1]}" if start and when else when
    where = place_phrase(place)
    sentence = f"{when}, {clause}" if when else clause
    if where:
        sentence += f" in {where}"
    sentence += "."
    counts = []
    for value, what in ((fatalities, "killed"), (injured, "injured"), (detained, "detained")):
        if value is not None:
            counts.append(f"{value} {what}")
    if counts:
        sentence += " " + ", ".join(counts).capitalize() + "."
    elif sub_event_type in _VERB and sub_event_type not in ("Agreement", "Arrests", "Peaceful protest",
                                                           "Disrupted weapons use"):
        sentence += " Casualties unknown."
    return sentence


def event_id(article_id: str | None, event_type: str, sub_event_type: str, date_iso: str | None,
             place: Place | None, actor1: ActorMention | None, actor2: ActorMention | None) -> str:
    key = "|".join([article_id or "", event_type, sub_event_type, date_iso or "",
                    (place.name if place else "") or "", (actor1.id if actor1 else "") or "",
                    (actor2.id if actor2 else "") or ""])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
