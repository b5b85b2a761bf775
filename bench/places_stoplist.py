"""Derive the places stop list: gazetteer names that are common Arabic words in the corpus.

    python bench/places_stoplist.py    # writes src/marsad/places/data/{stopwords,common_words,clitic_words}.txt

Needs a gazetteer built into MARSAD_DATA (`marsad places build --geonames ../shared/data/geonames_mena`).
A gazetteer key is a stop word when the corpus (../shared/data/arabic_conflict_news, positives and
negatives) uses it like a common noun, not a name:
- definiteness alternates: a name is written (nearly) always with ال (الموصل) or always without
  (حلب); a common noun appears both ways (الحكومة / حكومة);
- it takes pronoun suffixes (حكومته, شعبهم), which names do not;
- it is among the most frequent words of the non-conflict negatives (function words: أن، إلى، عنه),
  unless it is a country or a city of a million or more (these need more evidence to be stopped:
  30% of uses common-noun-like instead of 5%);
- weekdays and months (الجمعة, الخميس) and keys of two letters or fewer;
- a key that is a proclitic + a word the corpus also writes with ال (باسم = ب + اسم: الاسم), that
  names only hamlets (under 10,000 people) and that is (nearly) never written with ال itself.
The matcher still accepts a stop word with a strong cue (بلدة/مدينة/مخيم ... before it, or an
NER LOC entity): the list only removes bare matches.

Clitic words: words that open with و ف ب ل ك before a gazetteer name (بشرية = ب + شرية,
ورقة = و + رقة) but that the corpus also writes with ال (البشرية، الورقة): they are words
of their own, and the matcher does not split them.
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

from marsad.article import Article
from marsad.places import gazetteer
from marsad.text import norm
from marsad.text.tokens import tokenize

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT.parent / "shared" / "data" / "arabic_conflict_news"
DATA = ROOT / "src" / "marsad" / "places" / "data"
STOP_FILE, COMMON_FILE = DATA / "stopwords.txt", DATA / "common_words.txt"
CLITIC_FILE = DATA / "clitic_words.txt"
SUFFIXES = ("ها", "هم", "هما", "كم", "نا", "كما", "هن")
CALENDAR = [norm(w) for w in (
    "أحد اثنين إثنين ثلاثاء أربعاء خميس جمعة سبت يناير فبراير مارس أبريل إبريل مايو يونيو يوليو أغسطس سبتمبر "
    "أكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين محرم صفر رجب شعبان رمضان شوال "
    "ذو القعدة الحجة").split()]


def main() -> None:
    g = gazetteer.get()
    if g is None:
        sys.exit("no gazetteer: run `marsad places build --geonames ../shared/data/geonames_mena` first")
    definite, bare, stems, neg = (collections.Counter() for _ in range(4))
    surface, with_article = collections.Counter(), collections.Counter()
    for name in ("articles.jsonl", "negatives.jsonl"):
        for line in (NEWS / name).open(encoding="utf-8"):
            a = json.loads(line)
            for t in tokenize.func(Article(a["text"])):
                if t.kind != "word":
                    continue
                surface[t.norm] += 1
                for p in ("", "و", "ف", "ب", "ك", "وب", "فب", "وك", "فك"):
                    if t.norm.startswith(p + "ال") and len(t.norm) > len(p) + 3:
                        with_article[t.norm[len(p) + 2:]] += 1
                        break
                had_article = t.norm[:len(t.norm) - len(t.stem)].endswith("ال") or (
                    t.stem != t.norm and t.norm.startswith(("لل", "ولل", "فلل")))
                (definite if had_article else bare)[t.stem] += 1
                stems[t.stem] += 1
                if name == "negatives.jsonl":
                    neg[t.stem] += 1
    frequent = {w for w, _ in neg.most_common(300)}
    stop, proclitic = set(), set()
    for key in g.names:
        hits = g.lookup(key)
        entries = [g.entry(i) for i, _ in hits]
        major = any(e.feature == "country" or e.population >= 1_000_000 for e in entries)
        if len(key) <= 2 or key in CALENDAR:
            stop.add(key)
            continue
        if key in frequent and not major:
            stop.add(key)
            continue
        inner = key[1:]
        if (key[0] in "وفبلك" and len(inner) >= 3 and with_article[inner] >= 3 and definite[key] <= 0.05 * stems[key]
                and all(e.population < 10_000 for e in entries)):
            stop.add(key)         # باسم is ب + اسم far more often than the hamlet Al Bāsim
            proclitic.add(key)
            continue
        d, b = definite[key], bare[key]
        n = d + b
        if n < 5:
            continue
        alternate = min(d, b)     # a name keeps one form, whatever GeoNames' spelling
        base = key[:-1] + "ت" if key.endswith("ه") else key
        suffixed = sum(stems[base + s] for s in SUFFIXES)
        ratio = (alternate + suffixed) / n
        if ratio >= (0.3 if major else 0.05):
            stop.add(key)
            if ratio < 0.1 and "-v" in sys.argv:
                print("borderline", key, d, b, suffixed, file=sys.stderr)
    with STOP_FILE.open("w", encoding="utf-8") as out:
        out.write("# Gazetteer keys the corpus uses as common words; made by bench/places_stoplist.py.\n")
        for key in sorted(stop, key=lambda k: (-stems[k], k)):
            if stems[key] or key in CALENDAR or key in proclitic:
                out.write(key + "\n")
    # frequent words (stems, article removed, 20+ uses) that are no gazetteer name and appear
    # both with and without ال (10%+ each): after a head noun they are not a village the gazetteer lacks
    # (منطقة الاشتباكات)
    with COMMON_FILE.open("w", encoding="utf-8") as out:
        out.write("# Corpus stems seen 20+ times, both with and without ال, no gazetteer name; made by "
                  "bench/places_stoplist.py.\n")
        n = 0
        for word, count in stems.most_common():
            if count < 20:
                break
            if word in g.names or len(word) < 3 or min(definite[word], bare[word]) < 0.1 * count:
                continue          # a name keeps one form (سوروتش, الغوطة); a common word has both
            out.write(word + "\n")
            n += 1
            if n == 5000:
                break
    clitic = sorted((w for w in surface if len(w) >= 4 and w[0] in "وفبلك" and w[1:] in g.names
                     and with_article[w] >= 2), key=lambda w: (-surface[w], w))
    with CLITIC_FILE.open("w", encoding="utf-8") as out:
        out.write("# Words opening with و ف ب ل ك before a gazetteer name that the corpus also writes with ال "
                  "(البشرية): not clitic + name; made by bench/places_stoplist.py.\n")
        out.writelines(w + "\n" for w in clitic)
    print(f"wrote {STOP_FILE} ({len(stop)} keys), {COMMON_FILE} and {CLITIC_FILE} ({len(clitic)} words)")


if __name__ == "__main__":
    main()
