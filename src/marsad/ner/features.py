"""Token features for the CRF: what a word is, what is around it, and what the resources say.

Arabic has no capitals, so the cues are: the clitic-stripped stem and its affixes
(وال+, nisba -ي/-ية, plural -ون/-ات), whether the word takes the article, gazetteer
membership (single words and longest multi-word matches), distributional word
clusters, and the words two positions either side. Features of a word type are
computed once and cached, which keeps tagging far above 20k tokens/s in pure Python.
"""
from __future__ import annotations

from ..text.normalize import norm
from ..text.tokens import analyse
from ..text.wordcache import LIMIT

_OFFSETS = (-2, -1, 1, 2)
MAX_GAZ = 5
MAX_CACHE = LIMIT        # word types; a long-running worker clears its caches past this


def _shape(w: str) -> str:
    kinds = []
    for ch in w:
        if "\u0621" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06ff":
            k = "A"
        elif ch.isdigit():
            k = "9"
        elif ch.isalpha():
            k = "L"
        else:
            k = "."
        if not kinds or kinds[-1] != k:
            kinds.append(k)
    return "".join(kinds)[:4]


class Featurizer:
    """Turns sentences of surface tokens into crfsuite feature lists.

    `resources` (all optional, as stored in the model): gazetteers {name: [[words]]},
    clusters {word: [ids]}, freq {word: bucket}, al {stem: bucket}."""

    def __init__(self, resources: dict | None = None, config: dict | None = None):
        r = resources or {}
        self.config = {"clusters": True, "gazetteers": True, "stats": True, "window": 2, "stem_clusters": True,
                       **(config or {})}
        self.gaz_words: dict[str, set[str]] = {}
        self.gaz_phrases: dict[tuple[str, ...], list[str]] = {}
        self.gaz_first: dict[str, int] = {}      # first word of a multi-word name -> longest such name
        for name, phrases in (r.get("gazetteers") or {}).items():
            for p in phrases:
                p = tuple(p)
                if len(p) == 1:
                    self.gaz_words.setdefault(p[0], set()).add(name)
                elif len(p) <= MAX_GAZ:
                    self.gaz_phrases.setdefault(p, []).append(name)
                    self.gaz_first[p[0]] = max(self.gaz_first.get(p[0], 0), len(p))
        self.clusters: dict[str, list[int]] = r.get("clusters") or {}
        self.freq: dict[str, int] = r.get("freq") or {}
        self.al: dict[str, int] = r.get("al") or {}
        self._own: dict[str, list[str]] = {}
        self._ctx: dict[int, dict[str, list[str]]] = {o: {} for o in _OFFSETS}
        self._analysis: dict[str, tuple[str, str, list[str]]] = {}
        self._longest: dict[str, int] = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_own"], state["_ctx"], state["_analysis"], state["_longest"] = {}, {o: {} for o in _OFFSETS}, {}, {}
        return state

    def analysis(self, token: str) -> tuple[str, str, list[str]]:
        a = self._analysis.get(token)
        if a is None:
            n = norm(token)
            cut, stem, forms = analyse(n)
            a = self._analysis[token] = (n, stem, forms)
        return a

    def word_parts(self, token: str) -> tuple[list[str], list[str]]:
        """A word type's own features, and the features its neighbours see of it (each is
        prefixed with the neighbour's offset, "-1:w=...", in the CRF's attributes)."""
        n, stem, forms = self.analysis(token)
        cfg = self.config
        f = ["b", "w=" + n, "s=" + stem, "sh=" + _shape(n), "len=%d" % min(len(stem), 9),
             "pc=" + n[:len(n) - len(stem)]]
        for k in (1, 2, 3):
            if len(stem) > k:
                f.append(f"p{k}=" + stem[:k])
                f.append(f"x{k}=" + stem[-k:])
        f.append("n2=" + n[:2])
        f.append("n3=" + n[:3])
        ctx = ["w=" + n, "s=" + stem]
        if cfg["gazetteers"]:
            gaz = set()
            for form in forms:
                gaz |= self.gaz_words.get(form, set())
            for g in sorted(gaz):
                f.append("g=" + g)
                ctx.append("g=" + g)
        if cfg["clusters"]:
            c = self.clusters.get(n)
            if c:
                f.extend(f"c{i}={x}" for i, x in enumerate(c))
                ctx.append(f"c1={c[1]}")
            else:
                f.append("c=none")
            if cfg["stem_clusters"] and stem != n:
                c = self.clusters.get(stem)
                if c:
                    f.extend(f"cs{i}={x}" for i, x in enumerate(c))
                    ctx.append(f"cs1={c[1]}")
        if cfg["stats"]:
            f.append("f=%d" % self.freq.get(n, -1))
            f.append("al=%d" % self.al.get(stem, -1))
        return f, ctx

    def _lookup(self, token: str):
        own = self._own.get(token)
        if own is None:
            own, ctx = self.word_parts(token)
            self._own[token] = own
            for o in _OFFSETS:
                self._ctx[o][token] = [f"{o}:{x}" for x in ctx]
        return own

    def trim(self) -> bool:
        """Clear the per-word caches once they pass MAX_CACHE types (call between sentences, never
        while one is in use); True when they were cleared."""
        if len(self._own) <= MAX_CACHE and len(self._analysis) <= MAX_CACHE:
            return False
        self._own.clear(), self._analysis.clear(), self._longest.clear()
        for cache in self._ctx.values():
            cache.clear()
        return True

    def offsets(self) -> tuple[int, ...]:
        """The neighbour positions whose words contribute context features."""
        return tuple(o for o in _OFFSETS if abs(o) <= self.config["window"])

    def phrase_hits(self, tokens: list[str], candidates=None) -> list[tuple[int, int, list[str]]]:
        """(start, words, gazetteer names) of the longest gazetteer phrase at each position, left
        to right, a phrase's words taken by it (its first word in any form). `candidates`: the
        positions where a phrase may start, when the caller already knows them."""
        if not self.config["gazetteers"] or not self.gaz_phrases:
            return []
        if candidates is None:
            candidates = [i for i, t in enumerate(tokens) if self.phrase_start(t)]
        hits = []
        free = 0
        n = len(tokens)
        for i in candidates:
            if i < free:
                continue
            forms = self.analysis(tokens[i])[2]
            for length in range(min(self.phrase_start(tokens[i]), n - i), 1, -1):
                rest = tuple(self.analysis(t)[0] for t in tokens[i + 1:i + length])
                names = next((got for got in (self.gaz_phrases.get((f,) + rest) for f in forms) if got), None)
                if names:
                    hits.append((i, length, names))
                    free = i + length
                    break
        return hits

    def phrase_marks(self, tokens: list[str], candidates=None) -> list[list[str]]:
        """`G=B-LOC`-style marks of the longest gazetteer phrase over each position (`candidates`
        as for `phrase_hits`)."""
        out: list[list[str]] = [[] for _ in tokens]
        for i, length, names in self.phrase_hits(tokens, candidates):
            for name in names:
                out[i].append("G=B-" + name)
                for j in range(i + 1, i + length):
                    out[j].append("G=I-" + name)
        return out

    def phrase_start(self, token: str) -> int:
        """Length of the longest gazetteer phrase that may start with this word (0: none)."""
        n = self._longest.get(token)
        if n is None:
            first = self.gaz_first
            n = self._longest[token] = max((first.get(f, 0) for f in self.analysis(token)[2]), default=0)
        return n

    def sentence(self, tokens: list[str]) -> list[list[str]]:
        self.trim()
        own = [self._lookup(t) for t in tokens]
        gaz = self.phrase_marks(tokens)
        n = len(tokens)
        w = self.config["window"]
        out = []
        for i in range(n):
            f = own[i] + gaz[i]
            for o in _OFFSETS:
                if abs(o) > w:
                    continue
                j = i + o
                if 0 <= j < n:
                    f = f + self._ctx[o][tokens[j]]
                else:
                    f.append(f"{o}:pad")
            s0 = self._analysis[tokens[i]][1]
            if i > 0:
                f.append("bi-=" + self._analysis[tokens[i - 1]][1] + "|" + s0)
            if i + 1 < n:
                f.append("bi+=" + s0 + "|" + self._analysis[tokens[i + 1]][1])
            out.append(f)
        return out
