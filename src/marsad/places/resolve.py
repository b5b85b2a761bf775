"""The places stage: which gazetteer place each mention names, with ACLED precision.

Resolution runs in passes over the whole article, because one article is about one
theatre:
1. context: countries the article names (country mentions, nisba adjectives such as
   السورية/العراقي, major unambiguous cities, the dateline at half weight; a place named
   often weighs more) give each country a share;
2. every mention's candidates are scored: feature and population prior, the head noun
   (محافظة prefers a governorate, بلدة a town), Arabic vs Persian spelling, the
   country share, governorates the article names, and proximity to the other places
   already resolved (a second pass, once first positions are known); one key keeps
   one reading per article;
3. acceptance: a common word (stop list) or a small place needs a cue (head noun,
   NER LOC, preposition, region word) and a country the article is about; where the
   text puts the mention in a place (its container: بلدة حوار في سورية، زنجبار بمحافظة
   أبين، سوروتش التركية), a namesake elsewhere loses. A cued name with no Arabic
   gazetteer spelling goes through the transliteration fallback (الهول ↔ 'Al Ḩawl'):
   GeoNames' own Latin name of the place, same consonants and long vowels, inside the
   container or the article's main country, never for a common word, a neighbourhood
   or a landform. Otherwise, ACLED's way, it keeps its name and takes the point of the
   smallest area the text puts it in (قرية الزركة بأطراف طوز خورماتو → Tuz Khurmatu,
   precision 2; a governorate: 3), or of the one town the story names for a quarter
   (حي ...); else it is an UNRESOLVED place with the country and governorate of its
   container, or of the article.
4. with the village-level gazetteer (Who's On First) most words are some hamlet's name:
   bare one-word matches of small places with no cue anywhere in the article are dropped
   before scoring (`_could_be_places`), a name spelt with ال in the gazetteer and bare in
   the text (or the reverse), ه for ة, a definite adjective after a definite noun
   (البنك المركزي) and a bare district abroad are no places.

geo_precision follows ACLED: 1 the place itself, 2 near it or part of a region (ريف X,
شمال X), 3 only a province or country. A country named like its capital (الكويت،
الجزائر، تونس) is coded at the capital with precision 3, as ACLED codes country-level
events (its Manama and Beirut rows); other countries keep their centre (what the gold
annotation guide asks). The dateline city gets role "dateline".
"""
from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict

from ..article import Article, Place, Span
from ..pipeline import stage
from ..text.wordcache import LIMIT
from . import gazetteer, names as nm
from ..text import norm
from .mentions import (_SINGULAR, DIRECTION_AFTER, DIRECTION_STEMS, HEADS, NAME_OPENERS, NOT_NAMES, QUOTE_MARKS,
                       REGION_WORDS, Mention, common_words, find_mentions, stopwords)

# attached pronouns (his, her, their, your, our): a common word that takes one is that word, not a name
_PRONOUN_SUFFIXES = ("هما", "هم", "ها", "كم", "نا", "ه")


def _word_with_pronoun(name: str) -> bool:
    """One word that is a common word of the stop lists with an attached pronoun (بلاده، قواتهم)."""
    words = nm.arabic_words(name)
    if len(words) != 1:
        return False
    w = words[0]
    for suffix in _PRONOUN_SUFFIXES:
        stem = nm.strip_article(w[:-len(suffix)]) if w.endswith(suffix) else ""
        if len(stem) >= 3 and (stem in stopwords() or stem in common_words()):
            return True
    return False

NO_GAZETTEER = ("places unresolved: no gazetteer installed; run `marsad places build --geonames DIR` "
                "(e.g. ../shared/data/geonames_mena) or `marsad places build --download`")
_MAJOR_POP = 100_000
_MAX_CANDIDATES = 12     # readings of one name scored (the article's countries' and the biggest first)
_TOWN_POP = 10_000       # a Latin-only name matched outside the governorates named: a town at least
_NO_FALLBACK_HEADS = {nm.arabic_words(w)[0] for w in ("حي", "أحياء", "جبل", "جبال", "وادي", "سهل", "هضبة",
                                                     "جزيرة", "صحراء", "ساحل", "سواحل", "شاطئ", "بحيرة")}
_OPENER_KEYS = {nm.strip_article(w) for w in NAME_OPENERS}
# definite nouns a place name follows in apposition (العاصمة الرياض)
_APPOSITION = {nm.arabic_words(w)[0] for w in ("عاصمة", "عاصمتها", "مدينة", "محافظة", "ولاية", "بلدة", "قرية")}


def _km(a_lat, a_lon, b_lat, b_lon) -> float:
    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def _nisba_stems(t, table: dict, memo: dict) -> tuple[str, ...]:
    """The nisba stems a word's readings carry (السوريين → سوري); kept per normalised word."""
    stems = memo.get(t.norm)
    if stems is None:
        if len(memo) > LIMIT:
            memo.clear()
        found = []
        for f in t.forms:
            s = nm.strip_article(f)
            for stem in (s, s[:-1] if s.endswith("ه") else None, s[:-2] if s.endswith(("ين", "ون")) else None):
                if stem and stem in table and stem not in found:
                    found.append(stem)
        stems = memo[t.norm] = tuple(found)
    return stems


def _nisba_countries(article: Article, gaz) -> Counter:
    table = gaz.nisbas
    memo = gaz.memo.setdefault("nisba", {})
    votes: Counter = Counter()
    seen = set()
    for t in article.layer("tokens"):
        if t.kind != "word":
            continue
        for stem in _nisba_stems(t, table, memo):
            if stem not in seen:
                seen.add(stem)
                votes[table[stem]] += 1
    return votes


class Resolver:
    def __init__(self, article: Article, gaz, mentions: list[Mention], dateline: Mention | None):
        self.article, self.gaz = article, gaz
        self.mentions, self.dateline = mentions, dateline
        self.choice: dict[int, tuple[int, float, str] | None] = {}   # id(mention) → (place, score, via)
        self.key_counts = Counter(m.key for m in mentions)
        self.tokens = article.layer("tokens")
        self.token_starts = [t.span.start for t in self.tokens]
        self.containers: dict[int, tuple[str, str | None, bool] | None] = {}
        self._pronoun_words: dict[int, bool] = {}
        self._container_cues: dict[int, object] = {}
        self._nisba_votes: Counter | None = None
        self.mention_starts = [m.start for m in mentions]

    # --- scoring ---------------------------------------------------------------------
    def prior(self, m: Mention, i: int, flags: int) -> float:
        e = self.gaz.entry(i)
        if e.feature == "country":
            s = 2.6
        elif e.feature == "admin1":
            s = 2.0
        elif e.feature in ("admin2", "admin3"):
            # a district is named like its seat (دير الزور، رفح): a bare name is the town
            s = min(math.log10(e.population + 1) / 3, 1.5) - 0.8
        elif e.feature == "neighbourhood":
            s = math.log10(e.population + 1) / 3 - (0 if m.head == "حي" else 0.3)
        else:
            s = math.log10(e.population + 1) / 3
        if m.head_kind == "admin":
            s += 1.5 if e.feature in ("admin1", "admin2", "admin3") else -0.3
        elif m.head_kind == "settlement":
            s += -1.2 if e.feature in ("admin1", "country") else 0.3
        elif m.head_kind == "facility":
            s += 0.8 if e.feature in ("camp", "airport", "port", "prison", "base") else 0
            s -= 1.2 if e.feature in ("admin1", "country") else 0
        if flags & 1:
            s -= 1.0
        if (m.article and not flags & 2) or (not m.article and not flags & 4):
            s -= 0.4
        return s

    def context_score(self, m: Mention, i: int) -> float:
        e = self.gaz.entry(i)
        share = self.shares.get(e.country, 0.0)
        s = 2.2 * share
        if self.shares and share == 0:
            s -= 1.2
        if e.admin1_code and (e.country, e.admin1_code) in self.admin1s and e.feature != "admin1":
            s += 0.8
        box = self.containers.get(id(m))
        if box and e.feature != "country":
            s += 1.0 if _inside(e, box) else -2.0
        if self.points and e.lat is not None and e.feature != "country":
            s += self._nearness(m.key, i, e)
        return s

    def _nearness(self, key: str, i: int, e) -> float:
        """How close place i is to the other places the article names; the same for every mention
        of a name, so kept for the pass (a name repeated a thousand times is measured once)."""
        got = self._near.get((key, i))
        if got is None:
            # planar distance (km) on the local scale: exact enough for a 150 km decay, and cheap
            lat, lon, c = e.lat, e.lon, math.cos(e.lat * math.pi / 180)
            d2 = min(((la - lat) ** 2 + ((lo - lon) * c) ** 2 for k, la, lo in self.points if k != key),
                     default=None)
            got = self._near[key, i] = 1.2 * math.exp(-111.2 * math.sqrt(d2) / 150) if d2 is not None else 0.0
        return got

    # --- passes ------------------------------------------------------------------------
    def _context(self, chosen: dict[str, int]) -> None:
        votes: Counter = Counter()
        if self._nisba_votes is None:     # the same for every pass
            self._nisba_votes = _nisba_countries(self.article, self.gaz)
        for cc, n in self._nisba_votes.items():
            votes[cc] += 0.5 * n
        admin1s: set[tuple[str, str]] = set()
        points = []
        for key, i in chosen.items():
            e = self.gaz.entry(i)
            # a place named ten times says more about the theatre than one named once
            votes[e.country] += 1.0 + 0.5 * math.log2(self.key_counts[key])
            if e.admin1_code:
                admin1s.add((e.country, e.admin1_code))
            if e.lat is not None and e.feature != "country":
                points.append((key, e.lat, e.lon))
        if self.dateline and self.dateline.hits:
            best = max(self.dateline.hits, key=lambda h: self.gaz.entry(h[0]).population)
            votes[self.gaz.entry(best[0]).country] += 0.5
        total = sum(votes.values())
        self.shares = {cc: v / total for cc, v in votes.items()} if total else {}
        self.admin1s, self.points = admin1s, points
        self._near: dict[tuple[str, int], float] = {}
        self.chosen = chosen
        self.containers = {id(m): self._container(m) for m in self.mentions}

    def _anchors(self) -> dict[str, int]:
        """Readings sure enough to set the context: countries, governorates, big cities."""
        out = {}
        best = {m.key: max(m.hits, key=lambda h: self.prior(m, *h)) for m in self.mentions if m.hits}
        named = {self.gaz.country_of(i) for i, _ in best.values() if self.gaz.entry(i).feature == "country"}
        for m in self.mentions:
            if not m.hits or m.key in out or m.stop:
                continue
            # a name the story's named countries also have is theirs: طرابلس in a story naming Lebanon
            # is Lebanon's, however bigger Libya's capital is
            ours = [h for h in m.hits if self.gaz.country_of(h[0]) in named]
            i, flags = max(ours, key=lambda h: self.prior(m, *h)) if ours else best[m.key]
            e = self.gaz.entry(i)
            if flags & 1 or self._generic_name(m):
                continue          # (منطقة الشمال sets no country: Israel's Northern District is one reading)
            if e.feature in ("country", "admin1") or e.population >= _MAJOR_POP:
                out[m.key] = i
        return out

    def _is_nisba(self, m: Mention) -> bool:
        if m.words != 1 or not m.article:
            return False
        table = self.gaz.nisbas
        k = m.key
        if any(self.gaz.entry(i).feature == "country" for i, f in m.hits if f & 2):
            return False          # السعودية is the country's own name
        return k in table or (k.endswith("ه") and k[:-1] in table)

    def _candidates(self, m: Mention) -> list[tuple[float, int, str]]:
        """(score, place, via) for the Arabic hits and, for a cued mention whose Arabic
        readings are all small places, the transliteration fallback."""
        hits = m.hits
        if len(hits) > _MAX_CANDIDATES:   # a name hundreds of hamlets share: those of the article's countries first
            g = self.gaz
            hits = sorted(hits, key=lambda h: (self.shares.get(g.country_of(h[0]), 0) > 0,
                                               (g.country_of(h[0]), g.admin1_of(h[0])) in self.admin1s,
                                               g.population_of(h[0])), reverse=True)[:_MAX_CANDIDATES]
        out = [(self.prior(m, i, f) + self.context_score(m, i) + 2.0, i, "arabic") for i, f in hits]
        small = all(self.gaz.entry(i).population < _MAJOR_POP and self.gaz.entry(i).feature in ("city", "neighbourhood")
                    for i, _ in m.hits)
        if small and self._may_transliterate(m):
            out += self._fallback(m)
        return out

    def _may_transliterate(self, m: Mention) -> bool:
        """The Latin fallback is for names the gazetteer has no Arabic spelling of: a head
        noun or an NER LOC says it is a place (بلدة حوار, مدينة كوباني); a bare word after a
        preposition only when no Arabic place name and no common word spells it (في كسر
        الحصار is not Caesarea, في الحكومة not a Somali village). Not for a common word that
        is also a gazetteer name (البلاد), nor for a neighbourhood (حي) or a landform (هضبة،
        جبل): GeoNames' populated places named alike are other places (حي الزيتون is not
        Zetan, هضبة الجولان not Gilon)."""
        if m.stop or m.head in _NO_FALLBACK_HEADS:
            return False
        if m.strong:
            return True
        if not (m.prep or m.region) or m.key in common_words():
            return False
        return all(f & 1 for _, f in m.hits)      # only Persian/Kurdish spellings, or none
    def _best(self, m: Mention) -> tuple[int, float, str] | None:
        cands = self._candidates(m)
        if not cands:
            return None
        s, i, via = max(cands)
        return i, s, via

    def _accept(self, m: Mention, i: int) -> bool:
        if self._is_nisba(m) or (m.words == 1 and m.key in _OPENER_KEYS and not m.strong):
            return False       # البادية السورية is an adjective; أبي الحسن a name
        e = self.gaz.entry(i)
        flags = dict(m.hits).get(i, 0)
        share = self.shares.get(e.country, 0.0)
        big = e.feature in ("country", "admin1") or e.population >= _MAJOR_POP
        cue = m.prep or m.region is not None or m.head is not None
        top = max(self.shares, key=self.shares.get) if self.shares else None
        box = self.containers.get(id(m))
        if box and e.feature != "country" and not m.stop:
            if _inside(e, box) and (cue or m.strong):
                return True       # مدينة أرومية في إيران: the text says where it is
            if e.country != box[0] and (not big or m.strong and box[2]
                                        and self.shares.get(box[0], 0) >= share):
                return False      # a namesake outside the country the text puts it in
            if box[1] and box[2] and e.admin1_code != box[1] and not big and e.feature not in ("admin1",):
                return False      # قرية الزركة بأطراف طوز خورماتو: not the Zarka of another governorate
        if flags & 1 and (e.country not in ("IR", "AF", "PK") or e.country != top and e.population < 1_000_000
                          or m.article and not flags & 2 and not m.strong):
            return False          # a Persian/Kurdish spelling matching an Arabic word (المشهد is no مشهد)
        if m.stop and m.head not in _SINGULAR:
            return False          # أحياء المدينة: "the city's districts", not Medina
        if self._pronoun_word(m):
            return False          # بلاده "his country" is no Bālā Deh (a Persian spelling)
        if e.feature == "village" and m.head is None and m.region is None:
            return False          # a name of the Yemen list alone (no coordinates of its own, many are
                                  # words: مجرد، وراء) needs a head noun or region word: منطقة جعولة
        if not m.strong and e.name_ar and e.name_ar.endswith("ة") and self.article.text[m.name_end - 1] == "ه":
            return False          # منزله "his house" is not المنزلة: the text writes ه, the name ة
        if not m.strong and e.feature in ("admin2", "admin3") and share < 0.2:
            return False          # بسلسلة غارات: a bare district name abroad is a word (Selseleh, Iran)
        if not m.strong and m.words == 1 and m.article and self._after_definite_noun(m):
            return False          # البنك المركزي، المنطقة الوسطى: an adjective, not Markazi or Central District
        if (m.article and not flags & 2 and not m.strong and m.words == 1 and e.feature != "country"
                and e.feature not in ("admin1", "admin2", "admin3")):
            return False          # في المشهد العربي: Mashhad is spelt bare (مشهد), a name keeps its form
        if (not m.article and not flags & 4 and not m.strong and m.words == 1 and e.population < _TOWN_POP
                and e.feature not in ("country", "admin1", "admin2", "admin3")):
            return False          # باسم التحالف: the hamlet is الباسم
        # a two-word name only one place has, after a region word or head noun (not a bare
        # preposition: لعبدالله صالح is the man, not the Iraqi hamlet)
        unique = (m.words >= 2 and len({i for i, _ in m.hits}) == 1
                  and (m.region is not None or m.head is not None))
        if self._generic_name(m):
            return share > 0      # منطقة الشمال، المدينة القديمة: a description is some country's Northern
                                  # District or old town only in a story about that country
        if e.feature == "neighbourhood" and share == 0 and self.shares:
            return False          # قرب المدينة الرياضية in a Libyan story: not Jeddah's Sports City
        if m.strong:              # (a two-word name only one place has: عسال الورد in a Lebanese story)
            return share > 0 or not self.shares or e.population >= 1_000_000 or unique
        if m.stop:                        # a common word: في المدينة is "in the city"
            return cue and share > 0 and e.feature == "country"
        if flags & 1:                     # only a Persian/Urdu spelling gives this name
            return e.population >= 1_000_000 or (cue and share >= 0.2)
        if m.words >= 2:          # a two-word name only one place has, after a cue, is that place
            return share > 0 or big or (cue and unique)
        if big:    # a big place in a country the article is not about: only a well-known one
            return share > 0 or e.feature == "country" or e.population >= 1_000_000
        return cue and share > 0

    def _adjective_name(self, m: Mention) -> bool:
        """The name is a nisba adjective, a country's (البادية السورية) or a frequent word's
        (الجزيرة العربية): a landform described, not named."""
        return self._is_nisba(m) or m.stop and m.words == 1 and m.key.endswith(("يه", "ي"))

    def _generic_name(self, m: Mention) -> bool:
        """The name is a description the gazetteer keeps as some place's name: head nouns with a
        direction or a word that is never a name after a head (منطقة الشمال and المنطقة الوسطى, Israel's
        Northern and Central Districts; المدينة القديمة, a UAE quarter; المنطقة الصناعية)."""
        words = [nm.strip_article(w) for w in norm(self.article.text[m.name_start:m.name_end]).split()]
        return (any(w not in HEADS for w in words)
                and all(w in HEADS or w in _DESCRIPTION_WORDS for w in words))

    def _after_definite_noun(self, m: Mention) -> bool:
        """The word before m is a definite noun m agrees with as an adjective (الدورة الثامنة), not
        a head noun or العاصمة in apposition (العاصمة الرياض) nor a place itself."""
        k = bisect.bisect_left(self.token_starts, m.start) - 1
        if k < 0:
            return False
        t = self.tokens[k]
        if t.kind != "word" or self.article.text[t.span.end:m.start].strip() or not t.norm.startswith("ال"):
            return False
        word = t.norm[2:]
        if word in HEADS or word in _APPOSITION or len(word) < 3:
            return False
        j = bisect.bisect_right(self.mention_starts, t.span.start) - 1
        return not (j >= 0 and self.mentions[j].start <= t.span.start < self.mentions[j].end)

    def _pronoun_word(self, m: Mention) -> bool:
        """A bare common word with an attached pronoun (بلاده), asked once per mention: no place,
        neither by its Arabic keys nor by transliteration."""
        got = self._pronoun_words.get(id(m))
        if got is None:
            got = self._pronoun_words[id(m)] = not m.strong and m.head is None and \
                _word_with_pronoun(self.article.text[m.name_start:m.name_end])
        return got

    def _fallback(self, m: Mention) -> list[tuple[float, int, str]]:
        """Latin transliteration: the mention against GeoNames' Latin names (same consonants,
        long vowels where the Latin spelling has vowels: كوباني is not Kobin), only in the
        mention's container (بلدة حوار في سورية) or else the country the article is mainly
        about: a weak match abroad loses to "unresolved here". Only the place's own GeoNames
        name counts, a systematic romanisation of the local name: its alternates (other
        languages' exonyms, old spellings) collide with Arabic words (القاعدة ~ 'Caadah').
        A place with Arabic names must have one like the mention (الحول ~ الهول)."""
        name = self.article.text[m.name_start:m.name_end]
        sk = nm.skeleton_ar(name)
        if len(sk) < 2 or (len(sk) < 3 and not m.strong):
            return []
        if self._pronoun_word(m):
            return []             # بلاده "his country" is no Bālā Deh
        box = self.containers.get(id(m))
        top = max(self.shares, key=self.shares.get) if self.shares else None
        out = []
        key = nm.arabic_key(name)
        allowed = {box[0]} if box else {cc for cc, v in self.shares.items() if cc == top or v >= 0.25}
        for i in self.gaz.transliterations(name, main_only=True):
            if self.gaz.country_of(i) not in allowed:
                continue
            e = self.gaz.entry(i)
            if e.feature == "country":
                continue
            if box:
                if not _inside(e, box):
                    continue
            elif e.country != top and self.shares.get(e.country, 0.0) < 0.25:
                continue
            keys = self.gaz.arabic_keys(i)
            # a country alone is no known area: it has thousands of Latin-only hamlets
            known_area = (box is not None and box[1] is not None) or (e.country, e.admin1_code) in self.admin1s
            if keys:
                # spelt otherwise in Arabic: the same place only when letters the news and
                # GeoNames swap differ (الهول ~ الحول, كراتر ~ كريتر); one other letter makes
                # another place (الرمادة is not الرمادي, الضباب not ذباب)
                sim = max(_similarity(key, k) for k in keys)
                if sim <= 0.8:
                    if not (box and box[2] and e.population >= _TOWN_POP):
                        continue
                    sim = 0.7     # سوروتش التركية: a town of the country the text names, GeoNames' سروج
            elif len(sk) >= 3 and not m.common and (known_area or e.population >= _TOWN_POP
                                                     or e.feature in ("admin1", "admin2", "admin3")):
                sim = 0.6         # a Turkish, Afghan, Sahel ... place GeoNames names in Latin only
            else:
                continue
            out.append((4 * sim - 2.5 + self.context_score(m, i) + math.log10(e.population + 1) / 6, i, "latin"))
        return out

    def _nisba_after(self, offset: int) -> str | None:
        """The country of a nisba adjective right after `offset` (سوروتش التركية → TR), or
        after one other adjective (سروج الحدودية التركية)."""
        k = bisect.bisect_left(self.token_starts, offset)
        end = offset
        for t in self.tokens[k:k + 2]:
            if t.kind != "word" or self.article.text[end:t.span.start].strip() or not t.norm.startswith("ال"):
                return None
            cc = self.gaz.nisba_country(t.norm)
            if cc:
                return cc
            end = t.span.end
        return None

    def _container(self, m: Mention) -> tuple[str, str | None, bool] | None:
        """(country, admin1 code or None, sure) the text puts the mention in: a place right
        after it behind في or ب (بلدة حوار في سورية، زنجبار بمحافظة أبين), or a nisba
        adjective right after it (سوروتش التركية). `sure`: a country, or a place whose name
        no other country has (الشرقية is Egyptian and Saudi)."""
        cue = self._container_cues.get(id(m))
        if cue is None:
            cue = self._container_cues[id(m)] = self._container_cue(m)
        if isinstance(cue, str):
            return cue, None, True
        if cue is False:
            return None
        i = self.chosen.get(cue.key)
        if i is None:
            return None
        e = self.gaz.entry(i)
        if e.feature == "country":
            return e.country, None, True
        sure = all(self.gaz.entry(j).country == e.country for j, _ in cue.hits)
        return e.country, e.admin1_code or None, sure

    def _main_city(self):
        """The town the article names most (10,000 people or more), if one stands out."""
        counts: Counter = Counter()
        for key, d in self.decided.items():
            if d and self.gaz.entry(d[0]).feature == "city" and self.gaz.entry(d[0]).population >= _TOWN_POP:
                counts[d[0]] += self.key_counts[key]
        top = counts.most_common(2)
        if not top or len(top) == 2 and top[0][1] == top[1][1]:
            return None
        return self.gaz.entry(top[0][0])

    def _container_entry(self, m: Mention):
        """The resolved place (not a country) the text puts m in, or None."""
        cue = self._container_cues.get(id(m))
        if not isinstance(cue, Mention):
            return None
        d = self.decided.get(cue.key)
        if not d:
            return None
        e = self.gaz.entry(d[0])
        return e if e.feature != "country" and e.lat is not None else None

    def _container_cue(self, m: Mention, depth: int = 0):
        """What the text says about m's container, whatever is resolved: a nisba's country,
        the mention after it, or False."""
        nisba = self._nisba_after(m.name_end)
        if nisba:
            return nisba
        k = bisect.bisect_left(self.mention_starts, m.end)
        if k == len(self.mentions):
            return False
        other = self.mentions[k]
        gap = " ".join(self.article.text[m.end:other.start].replace("ـ", "").strip(_QUOTES).split())
        if not gap and other.start < other.name_start and self.article.text[other.start] == "ب":
            gap = "ب"             # الزركة بأطراف طوز خورماتو: the proclitic opens the other mention
        if gap not in _CONTAINER_GAPS and " " in gap and gap.startswith("ال"):
            gap = gap.split(" ", 1)[1]    # X المحاصرة في سوريا: one adjective before the gap
        words = gap.lstrip("،, ").split()
        if len(words) == 3 and words[0] in _APPOSITIVE and norm(words[1]) in HEADS and words[2] in ("في", "ب"):
            gap = "في"            # زركال، وهي قرية في شمال العراق: the text says what and where it is
        if other.key == m.key:
            return False
        if gap in _CONTAINER_GAPS or not gap and other.region is not None and other.start < other.name_start:
            return other          # (هاكورك شمالي العراق: a direction of the other place says it is there)
        if gap in _LIST_GAPS and depth < 8:
            return self._container_cue(other, depth + 1)   # X و"Y" في Z: a list shares its last item's container
        return False

    def run(self) -> list[Place]:
        # countries first, then the big places that fit them: an anchor must not vote for itself
        anchors = self._anchors()
        self._context({k: i for k, i in anchors.items() if self.gaz.entry(i).feature == "country"})
        chosen = {k: i for k, i in anchors.items() if self.gaz.entry(i).feature == "country"
                  or self.shares.get(self.gaz.entry(i).country, 0) > 0 or self.gaz.entry(i).population >= 1_000_000}
        self._context(chosen)
        for _ in range(2):                # the second pass sees the first pass' positions
            by_key: dict[str, list[Mention]] = defaultdict(list)
            for m in self.mentions:
                by_key[m.key].append(m)
            decided: dict[str, tuple[int, float, str] | None] = {}
            for key, group in by_key.items():
                lead = max(group, key=lambda m: (m.strong, m.head is not None, m.prep, m.region is not None))
                best = self._best(lead)
                if best and (best[2] == "latin" or any(self._accept(m, best[0]) for m in group)):
                    decided[key] = (best[0], best[1], best[2])
                else:
                    decided[key] = None
            chosen = {k: v[0] for k, v in decided.items() if v}
            self._context(chosen)
        self.decided = decided
        places = [self._place(m, decided.get(m.key)) for m in self.mentions]
        if self.dateline:
            places.append(self._dateline_place())
        places = [p for p in places if p is not None]
        places.sort(key=lambda p: p.span.start if p.span else -1)
        return places

    # --- output ------------------------------------------------------------------------
    def _place(self, m: Mention, decision) -> Place | None:
        text = self.article.text
        name = text[m.start:m.end]
        if decision is None:
            # a name the gazetteer lacks (or whose namesakes are elsewhere) is still a place after
            # any head noun, a landform too (وادي الحجر، جبال هرمز in a Yemeni story)
            if not (m.strong or m.head_kind == "terrain" and not self._adjective_name(m)) or m.common:
                return None
            area = self._container_entry(m)
            if area is None and m.head in _QUARTER_HEADS:
                area = self._main_city()  # بحي الزهور ... مدينة العريش: a quarter of the city the story is about
            if area is not None:
                # ACLED: a place no gazetteer has takes the point of the smallest area the text
                # puts it in (قرية الزركة بأطراف طوز خورماتو), precision 2 (3 for a governorate)
                return Place(Span(m.start, m.end), name, country=area.country,
                             admin1=self.gaz.admin1_name(area.country, area.admin1_code),
                             admin2=self.gaz.admin2_of(area) if area.feature != "admin1" else None,
                             lat=area.lat, lon=area.lon, geo_precision=3 if area.feature == "admin1" else 2,
                             feature=_feature_of_head(m), confidence=0.4)
            cc, a1 = self._infer_container(m)
            return Place(Span(m.start, m.end), name, country=cc, admin1=a1,
                         feature=_feature_of_head(m), geo_precision=None)
        i, score, via = decision
        e = self.gaz.entry(i)
        capital = self._capital_named_like(m.key, e)
        if capital is not None:
            return self._entry_place(Span(m.start, m.end), name, capital, 2 if m.region else 3,
                                     round(1 / (1 + math.exp(-(score - 3.0))), 3))
        # a village of the Yemen list stands at its district's coordinates (build.read_yemen)
        precision = 3 if e.feature in ("country", "admin1") else (2 if m.region or e.feature == "village" else 1)
        if e.feature == "admin1" and m.head_kind != "admin" and not m.region:
            precision = 3
        confidence = round(1 / (1 + math.exp(-(score - 3.0))), 3)
        if via == "latin":
            confidence = round(min(confidence, 0.6), 3)
        return self._entry_place(Span(m.start, m.end), name, e, precision, confidence)

    def _capital_named_like(self, key: str, e):
        """A country named like its capital (الكويت، الجزائر، تونس، جيبوتي): ACLED codes an
        event that names only the country at the capital (geo_precision 3, as its Manama and
        Beirut rows do), and a reader looking the name up finds the capital city; other
        countries keep their centre."""
        if e.feature != "country":
            return None
        c = self.gaz.capital_entry(e.country)
        return c if c is not None and key in self.gaz.arabic_keys(c.index) else None

    def _entry_place(self, span, name, e, precision, confidence, role="mention") -> Place:
        admin1 = self.gaz.admin1_name(e.country, e.admin1_code) if e.feature != "country" else None
        return Place(span, name, role=role, geonameid=e.geonameid if e.geonameid > 0 else None,
                     name_en=e.name_en, country=e.country or None, admin1=admin1,
                     admin2=self.gaz.admin2_of(e) if e.feature not in ("country", "admin1") else None,
                     lat=e.lat, lon=e.lon, geo_precision=precision, feature=e.feature, name_ar=e.name_ar,
                     confidence=confidence)

    def _dateline_place(self) -> Place:
        m = self.dateline
        span = Span(m.start, m.end)
        name = self.article.text[m.start:m.end]
        if m.hits:
            i = max(m.hits, key=lambda h: self.prior(m, *h) + 1.5 * self.shares.get(
                self.gaz.entry(h[0]).country, 0))[0]
            e = self.gaz.entry(i)
            capital = self._capital_named_like(m.key, e)
            if capital is not None:       # a story filed from الكويت was filed in Kuwait City
                return self._entry_place(span, name, capital, 1, None, role="dateline")
            return self._entry_place(span, name, e, 3 if e.feature in ("country", "admin1") else 1, None,
                                     role="dateline")
        return Place(span, name, role="dateline")

    def _infer_container(self, m: Mention) -> tuple[str | None, str | None]:
        """Country and governorate of a place the gazetteer lacks: its container (X في/قرب Y
        right after it, or a country adjective), else the main country and the governorate
        the article is about."""
        box = self._container(m)
        if box:
            cc, a1, _ = box
            return cc, (self.gaz.admin1_name(cc, a1) if a1 else self._main_admin1(cc))
        if not self.shares:
            return None, None
        cc = max(self.shares, key=self.shares.get)
        return cc, self._main_admin1(cc)

    def _main_admin1(self, cc: str) -> str | None:
        """The governorate the article is about: named governorates (or cities named like
        their governorate) count three times, governorates of other places once, each
        distinct place once."""
        votes: Counter = Counter()
        for key, d in self.decided.items():
            if not d:
                continue
            e = self.gaz.entry(d[0])
            if e.country != cc or not e.admin1_code or e.feature == "country":
                continue
            adm = self.gaz.admin1_entry(cc, e.admin1_code)
            explicit = e.feature == "admin1" or (adm is not None and key in self.gaz.arabic_keys(adm.index))
            votes[e.admin1_code] += 3 if explicit else 1
        if not votes:
            return None
        (code, top), *rest = votes.most_common(2) + [(None, 0)]
        if rest and rest[0][1] == top:
            return None
        return self.gaz.admin1_name(cc, code)


# what may stand between a place and the place it lies in (X في Y، X بمحافظة Y، X التابعة لـY،
# X (Y): a gloss in brackets, بعشيقة (شمال الموصل))
_CONTAINER_GAPS = {"في", "ب", "داخل", "قرب", "بالقرب من", "الواقعة في", "الواقع في", "التابعة ل", "التابع ل",
                   "الواقعة ب", "الواقع ب", "في ريف", "بريف", "على أطراف", "في أطراف", "، في", "، ب", "،ب", "("}


_QUOTES = QUOTE_MARKS + " "
# the pronoun opening an apposition (زركال، وهي قرية في ...)
_APPOSITIVE = {"وهي", "وهو", "هي", "هو"}
# what joins the items of a list of places (X وY، X، Y، "X" و"Y")
_LIST_GAPS = {"و", "،", ",", "، و", "،و", ", و"}
_QUARTER_HEADS = {"حي"}
# the words of a description written as a name: directions (الشمال، الشرقية) and the words that are
# never a name after a head noun (القديمة، الصناعية، الوسطى)
_DESCRIPTION_WORDS = frozenset(REGION_WORDS | DIRECTION_STEMS | {nm.strip_article(w) for w in DIRECTION_AFTER | NOT_NAMES})


def _inside(e, box: tuple[str, str | None, bool]) -> bool:
    cc, a1, _ = box
    return e.country == cc and (a1 is None or e.admin1_code == a1 or not e.admin1_code and e.feature == "admin1")


def _feature_of_head(m: Mention) -> str | None:
    if m.head in ("مخيم", "مخيمات"):
        return "camp"
    if m.head_kind == "settlement":
        return "city"
    if m.head_kind == "admin":
        return "region"
    return m.head_kind


def _similarity(a: str, b: str) -> float:
    """1 - normalised edit distance, with letters the news and GeoNames swap (ه/ح) half-cost."""
    if a == b:
        return 1.0
    close = {frozenset("هح"), frozenset("سص"), frozenset("تط"), frozenset("دض"), frozenset("زذ"),
             frozenset("كق"), frozenset("اع"), frozenset("يا"), frozenset("وا"), frozenset("اه")}
    # a long و or ي written or not (سوروج ~ سروج) costs half (an alef makes another word: عاند)
    gap = {ch: 0.5 if ch in "وي" else 1 for ch in a + b}
    prev = [0.0]
    for ch in b:
        prev.append(prev[-1] + gap[ch])
    for x, ca in enumerate(a, 1):
        cur = [prev[0] + gap[ca]]
        for y, cb in enumerate(b, 1):
            sub = 0 if ca == cb else (0.5 if frozenset((ca, cb)) in close else 1)
            cur.append(min(prev[y] + gap[ca], cur[y - 1] + gap[cb], prev[y - 1] + sub))
        prev = cur
    return 1 - prev[-1] / max(len(a), len(b))


@stage("places", requires=["tokens", "sentences", "boilerplate"], assigns=["places"])
def geocode(article: Article) -> list[Place]:
    """Place mentions, resolved against the installed gazetteer (unresolved when none is)."""
    gaz = gazetteer.get()
    mentions, dateline = find_mentions(article, gaz)
    if gaz is None:
        if NO_GAZETTEER not in article.warnings:
            article.warnings.append(NO_GAZETTEER)
        out = [Place(Span(m.start, m.end), article.text[m.start:m.end], feature=_feature_of_head(m))
               for m in mentions if m.strong]
        if dateline:
            out.append(Place(Span(dateline.start, dateline.end),
                             article.text[dateline.start:dateline.end], role="dateline"))
        return sorted(out, key=lambda p: p.span.start)
    return Resolver(article, gaz, _could_be_places(gaz, mentions), dateline).run()


def _could_be_places(gaz, mentions: list[Mention]) -> list[Mention]:
    """Drop the bare one-word matches `Resolver._accept` can never take: no cue (head, region
    word, preposition, NER) on any mention of the key, and only small places (under 100,000
    people, no country or governorate) behind it. The village-level gazetteer matches three
    times as many words as cities500, nearly all of them such words (منزل، مقتل)."""
    cued = {m.key for m in mentions if m.strong or m.prep or m.region or m.head}

    def big(i: int) -> bool:
        e = gaz.entry(i)
        return e.population >= _MAJOR_POP or e.feature in ("country", "admin1")

    return [m for m in mentions if m.key in cued or m.words >= 2 or any(big(i) for i, _ in m.hits)]
