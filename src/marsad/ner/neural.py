"""The neural tagger at run time: numpy only, no torch.

Each token is read as the concatenation of three things about its word type: its
fastText vector (`vectors.py`: pretrained here, with n-gram vectors for unseen
words), a character CNN over its letters, and the sum of learned embeddings of a few
sparse signals from the CRF's `Featurizer` (gazetteer membership, the article ال,
affixes, shape, frequency and cluster ids). All three depend on the word alone, so
they are computed once per word type and cached; only the gazetteer spans over
several words (`G=` marks) depend on the sentence. An encoder (a dilated CNN over
the sentence, or a BiLSTM) and a linear-chain CRF (Viterbi) follow.

The article's sentences are tagged in one batch: for the CNN they are laid end to
end with zero gaps wide enough that no convolution reaches across a gap, so every
layer is one matrix product over all the article's tokens. The weights come from
`neural_train.py` (torch), exported to `neural.npz`; `test_ner_neural_numpy_matches_torch`
checks this forward pass against torch's on the same weights.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from ..text.normalize import norm
from ..text.wordcache import LIMIT
from .features import Featurizer
from .vectors import SubwordVectors

NEURAL_FILE = "neural.npz"
RESOURCES_FILE = "resources.json.gz"
FEATURE_PREFIXES = ("g=", "f=", "al=", "pc=", "sh=", "len=", "x1=", "x2=", "x3=", "p1=", "p2=",
                    "c0=", "c1=", "c2=", "cs0=", "cs1=", "cs2=", "c=none")
MAX_CHARS = 20           # longer words are cut: their first letters and affixes matter most
PAD, UNK, BOW, EOW = 0, 1, 2, 3
# word types; a long-running worker clears its cache past this (each type holds its first-layer row:
# 128 floats, ~0.6 kB, so ~60 MB at the limit)
MAX_CACHE = LIMIT
SURE_O = 0.98            # a token whose own P(O) is above this is left out of Viterbi (see `decode`)


def type_features(featurizer: Featurizer, token: str) -> list[str]:
    """The Featurizer's features of the word itself that the tagger embeds."""
    return [f for f in featurizer.sentence([token])[0] if f.startswith(FEATURE_PREFIXES)]


def char_ids(word: str, chars: dict[str, int]) -> list[int]:
    return [BOW] + [chars.get(c, UNK) for c in word[:MAX_CHARS]] + [EOW]


def _words(arr: np.ndarray) -> list[str]:
    text = arr.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def pack_words(words: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)


def load_resources(path: Path) -> dict:
    with gzip.open(path / RESOURCES_FILE, "rt", encoding="utf-8") as f:
        return json.load(f)


class NeuralTagger:
    """Tags sentences of surface tokens with BIO tags (ANERcorp's tag set)."""

    kind = "neural"

    def __init__(self, path: str | Path | None = None, weights: dict | None = None, resources: dict | None = None):
        self.path = Path(path) if path else None
        if weights is None:
            with np.load(self.path / NEURAL_FILE) as z:
                weights = {k: z[k] for k in z.files}
        if resources is None:
            resources = load_resources(self.path)
        self.config = json.loads(weights["config"].tobytes().decode("utf-8"))
        self.labels = self.config["labels"]
        self.featurizer = Featurizer(resources, resources.get("config"))
        self.vectors = SubwordVectors(_words(weights["ft_words"]), weights)
        self.chars = {c: i for i, c in enumerate(_words(weights["chars"]))}
        self.feats = {f: i for i, f in enumerate(_words(weights["feats"]))}
        w = {k: v.astype(np.float32) for k, v in weights.items() if v.dtype.kind == "f" and not k.startswith("ft_")}
        self.w = w
        self.encoder = self.config["encoder"]
        self.dilations = self.config.get("dilations", [])
        self.gap = max(self.dilations, default=1)
        fe = self.w["feat_emb"].shape[1]
        self.mark_proj = self.w["feat_emb"] @ self.w["in_w"][-fe:]      # a sparse feature's share of layer 1
        self._types: dict[str, tuple[np.ndarray, int]] = {}

    # -- word types ---------------------------------------------------------------------------
    def _char_cnn(self, word: str) -> np.ndarray:
        ids = char_ids(word, self.chars)
        k = self.config["char_width"]
        p = k // 2
        e = np.zeros((len(ids) + 2 * p, self.w["char_emb"].shape[1]), np.float32)   # zero padding, as torch's
        e[p:p + len(ids)] = self.w["char_emb"][ids]
        cols = np.concatenate([e[i:i + len(ids)] for i in range(k)], axis=1)
        return np.maximum((cols @ self.w["char_w"] + self.w["char_b"]).max(axis=0), 0.0)

    def type_vector(self, token: str) -> np.ndarray:
        """First-layer input of a word type, less its sentence-dependent gazetteer marks."""
        n = norm(token)
        ids = [self.feats[f] for f in type_features(self.featurizer, token) if f in self.feats]
        sparse = self.w["feat_emb"][ids].sum(axis=0) if ids else np.zeros(self.w["feat_emb"].shape[1], np.float32)
        return np.concatenate([self.vectors(n).astype(np.float32), self._char_cnn(n), sparse])

    def _type(self, token: str) -> tuple[np.ndarray, int]:
        """(the type's first-layer pre-activation less bias and marks, longest gazetteer name it starts)."""
        v = self._types.get(token)
        if v is None:
            v = (self.type_vector(token) @ self.w["in_w"], self.featurizer.phrase_start(token))
            if len(self._types) > MAX_CACHE:
                self._types.clear()
            self._types[token] = v
        return v

    def layer1(self, tokens: list[str]) -> np.ndarray:
        """First-layer activations of a sentence's tokens (type part cached, gazetteer marks added)."""
        types = [self._type(t) for t in tokens]
        z = np.stack([v for v, _ in types])
        longest = [k for _, k in types]
        if any(longest):
            starts = [i for i, k in enumerate(longest) if k]
            for i, m in enumerate(self.featurizer.phrase_marks(tokens, starts)):
                ids = [self.feats[f] for f in m if f in self.feats]
                if ids:                      # z is a fresh stack: the cached type rows stay as they are
                    z[i] += self.mark_proj[ids].sum(axis=0)
        return np.maximum(z + self.w["in_b"], 0.0)

    # -- encoders -----------------------------------------------------------------------------
    def _cnn(self, sentences: list[np.ndarray]) -> list[np.ndarray]:
        """Dilated CNN over all sentences at once, laid end to end with zero gaps."""
        g = self.gap
        lengths = [len(s) for s in sentences]
        starts, pos = [], g
        for n in lengths:
            starts.append(pos)
            pos += n + g
        total = pos
        idx = np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths)])
        w = self.w
        h = np.zeros((total, w["in_w"].shape[1]), np.float32)
        h[idx] = np.concatenate(sentences)
        mask = np.zeros((total, 1), np.float32)
        mask[idx] = 1.0
        for i, d in enumerate(self.dilations):
            cw = w[f"conv{i}_w"]                     # (3, H, H): taps at -d, 0, +d
            y = h @ cw[1]
            y[d:] += h[:-d] @ cw[0]
            y[:-d] += h[d:] @ cw[2]
            y += w[f"conv{i}_b"]
            h = h + np.maximum(y, 0.0) * mask
        out = h[idx] @ w["out_w"] + w["out_b"]
        return np.split(out, np.cumsum(lengths)[:-1])

    def _lstm(self, sentences: list[np.ndarray]) -> list[np.ndarray]:
        """BiLSTM over the sentences as one padded batch (one Python step per position; merging
        the two directions into one step measured slower)."""
        w = self.w
        lengths = np.array([len(s) for s in sentences])
        b, n = len(sentences), lengths.max()
        x = np.zeros((b, n, sentences[0].shape[1]), np.float32)
        for i, s in enumerate(sentences):
            x[i, :len(s)] = s
        mask = (np.arange(n)[None, :] < lengths[:, None]).astype(np.float32)[..., None]
        outs = []
        for d in ("f", "b"):
            hid = w[f"lstm_{d}_hh"].shape[0]
            pre = x @ w[f"lstm_{d}_ih"] + w[f"lstm_{d}_bias"]
            h = np.zeros((b, hid), np.float32)
            c = np.zeros((b, hid), np.float32)
            out = np.zeros((b, n, hid), np.float32)
            steps = range(n) if d == "f" else range(n - 1, -1, -1)
            for t in steps:
                g = pre[:, t] + h @ w[f"lstm_{d}_hh"]
                i_, f_, g_, o_ = np.split(g, 4, axis=1)
                c_new = _sigmoid(f_) * c + _sigmoid(i_) * np.tanh(g_)
                h_new = _sigmoid(o_) * np.tanh(c_new)
                m = mask[:, t]
                c = m * c_new + (1 - m) * c
                h = m * h_new + (1 - m) * h
                out[:, t] = h_new * m
            outs.append(out)
        out = np.concatenate(outs, axis=2) @ w["out_w"] + w["out_b"]
        return [out[i, :k] for i, k in enumerate(lengths)]

    def emissions(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Per-token tag scores of each sentence (empty sentences give empty arrays)."""
        keep = [i for i, s in enumerate(sentences) if s]
        out = [np.zeros((0, len(self.labels)), np.float32) for _ in sentences]
        if not keep:
            return out
        xs = [self.layer1(sentences[i]) for i in keep]
        ys = self._cnn(xs) if self.encoder == "cnn" else self._lstm(xs)
        for i, y in zip(keep, ys):
            out[i] = y
        return out

    # -- decoding -----------------------------------------------------------------------------
    def viterbi(self, emissions: list[np.ndarray], start=None, end=None) -> list[list[int]]:
        """Best tag paths of all sentences at once (a padded batch, one step per position);
        `start`/`end` (one row per sentence) replace the CRF's start and end scores."""
        trans = self.w["trans"]
        start = self.w["start"] if start is None else start
        end = self.w["end"] if end is None else end
        lengths = np.array([len(e) for e in emissions])
        b, n, t = len(emissions), max(lengths.max(), 1), len(self.labels)
        em = np.zeros((b, n, t), np.float32)
        for i, e in enumerate(emissions):
            em[i, :len(e)] = e
        score = start + em[:, 0]
        back = np.zeros((b, n, t), np.int64)
        for i in range(1, n):
            cand = score[:, :, None] + trans[None]
            best = cand.argmax(axis=1)
            new = cand.max(axis=1) + em[:, i]
            live = (i < lengths)[:, None]
            score = np.where(live, new, score)
            back[:, i] = np.where(live, best, np.arange(t)[None])
        last = (score + end).argmax(axis=1)
        paths = []
        for k in range(b):
            path = [int(last[k])]
            for i in range(lengths[k] - 1, 0, -1):
                path.append(int(back[k, i, path[-1]]))
            paths.append(path[::-1][:lengths[k]])
        return paths

    def decode(self, emissions: list[np.ndarray], probs: list[np.ndarray]) -> list[list[int]]:
        """Viterbi where it matters: runs of tokens whose own best tag is not a sure O, widened by
        one token each side, are decoded as one batch, the rest is O. Exact unless the best path
        puts an entity on a token that is O with probability >= `SURE_O` while its neighbours are
        too (`viterbi` decodes whole sentences; the dev slice gave the same tags either way)."""
        o = self.labels.index("O")
        regions = []                                     # (sentence, first, last + 1)
        for k, p in enumerate(probs):
            unsure = np.flatnonzero(p[:, o] < SURE_O)
            if not len(unsure):
                continue
            n = len(p)
            start = prev = unsure[0]
            for i in list(unsure[1:]) + [None]:
                if i is None or i > prev + 3:            # runs closer than 3 tokens merge
                    regions.append((k, max(start - 1, 0), min(prev + 2, n)))
                    if i is not None:
                        start = i
                if i is not None:
                    prev = i
        paths = [[o] * len(e) for e in emissions]
        if not regions:
            return paths
        trans = self.w["trans"]
        ems = [emissions[k][a:b] for k, a, b in regions]
        starts = np.stack([self.w["start"] if a == 0 else trans[o] for _, a, _ in regions])
        ends = np.stack([self.w["end"] if b == len(emissions[k]) else trans[:, o] for k, _, b in regions])
        for (k, a, b), path in zip(regions, self.viterbi(ems, starts, ends)):
            paths[k][a:b] = path
        return paths

    def tag_many(self, sentences: list[list[str]]) -> list[tuple[list[str], list[float]]]:
        """Tags and per-token scores (softmax of the token's own tag scores) for many sentences."""
        if not any(sentences):
            return [([], []) for _ in sentences]
        em = self.emissions(sentences)
        probs = []
        for e in em:
            p = np.exp(e - e.max(axis=1, keepdims=True))
            probs.append(p / p.sum(axis=1, keepdims=True))
        paths = self.decode(em, probs)
        out = []
        for e, p, path in zip(em, probs, paths):
            if not len(e):
                out.append(([], []))
                continue
            # a tag the transitions forced on a token can have a softmax that underflows: keep scores in (0, 1]
            out.append(([self.labels[j] for j in path],
                        [min(max(float(p[i, j]), 1e-6), 1.0) for i, j in enumerate(path)]))
        return out

    def tag_with_scores(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        return self.tag_many([tokens])[0]

    def tag(self, tokens: list[str]) -> list[str]:
        return self.tag_with_scores(tokens)[0]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)
