"""CoNLL exact-span scoring: an entity counts only when its first token, last token
and type all match the gold one (conlleval's rule, with its reading of stray I- tags).

Written here because it is twenty lines and the metric has to be exactly this one;
seqeval would add a dependency and differs from conlleval on malformed BIO.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .conll import bio_spans


@dataclass
class Scores:
    tp: Counter
    n_gold: Counter
    n_pred: Counter
    tokens: int
    correct_tags: int

    @staticmethod
    def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def types(self) -> list[str]:
        return sorted(set(self.n_gold) | set(self.n_pred))

    def of(self, kind: str) -> tuple[float, float, float]:
        return self.prf(self.tp[kind], self.n_pred[kind], self.n_gold[kind])

    @property
    def micro(self) -> tuple[float, float, float]:
        return self.prf(sum(self.tp.values()), sum(self.n_pred.values()), sum(self.n_gold.values()))

    def table(self) -> str:
        rows = [f"{'type':<6} {'precision':>9} {'recall':>7} {'F1':>7} {'gold':>6} {'predicted':>9}"]
        for kind in self.types:
            p, r, f = self.of(kind)
            rows.append(f"{kind:<6} {p:>9.4f} {r:>7.4f} {f:>7.4f} {self.n_gold[kind]:>6} {self.n_pred[kind]:>9}")
        p, r, f = self.micro
        rows.append(f"{'micro':<6} {p:>9.4f} {r:>7.4f} {f:>7.4f} {sum(self.n_gold.values()):>6} "
                    f"{sum(self.n_pred.values()):>9}")
        rows.append(f"token accuracy {self.correct_tags / max(self.tokens, 1):.4f} over {self.tokens} tokens")
        return "\n".join(rows)


def score(gold: list[list[str]], pred: list[list[str]]) -> Scores:
    """Scores of predicted tag sequences against gold ones (same sentences, same lengths)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted ones")
    tp, n_gold, n_pred = Counter(), Counter(), Counter()
    tokens = correct = 0
    for g, p in zip(gold, pred):
        if len(g) != len(p):
            raise ValueError(f"a sentence has {len(g)} gold tags but {len(p)} predicted ones")
        gs, ps = set(bio_spans(g)), set(bio_spans(p))
        n_gold.update(k for _, _, k in gs)
        n_pred.update(k for _, _, k in ps)
        tp.update(k for _, _, k in gs & ps)
        tokens += len(g)
        correct += sum(a == b for a, b in zip(g, p))
    return Scores(tp, n_gold, n_pred, tokens, correct)
