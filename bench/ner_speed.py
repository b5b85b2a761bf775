"""NER speed on one core: model load time and tagging throughput, printed as a table.

    python bench/ner_speed.py [--model PATH|crf|neural] [--conll FILE] [--articles N]

Load time is measured in a fresh interpreter (imports included, as a CLI or worker
pays them). Throughput tags every sentence of the CoNLL file (default: ANERcorp's
test part) three times and keeps the best run: the first run also fills the
per-word feature cache, so it is reported too. The ner stage is then timed article
by article on the first N conflict-news articles (sentences and tokens made first,
not timed), twice: cold (per-word caches empty) and warm.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--conll", default=str(ROOT.parent / "shared/data/anercorp/ANERCorp.approxCamelSplit.test.txt"))
    ap.add_argument("--articles", type=int, default=500)
    args = ap.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})   # one core

    code = ("import time; t=time.perf_counter(); from marsad.ner.model import load; "
            f"m=load({args.model!r}); print(time.perf_counter()-t)")
    loads = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout) for _ in range(3)]

    from marsad.ner.conll import read_conll
    from marsad.ner.model import load
    from marsad.article import Article
    from marsad.pipeline import Pipeline

    tagger = load(args.model)
    sentences = [tokens for tokens, _ in read_conll(args.conll)]
    n = sum(map(len, sentences))
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        for tokens in sentences:
            tagger.tag(tokens)
        runs.append(time.perf_counter() - t)

    text = "\n".join(" ".join(tokens) for tokens in sentences)
    pipe = Pipeline.default(["marsad.text.sentences:split_sentences", "marsad.text.tokens:tokenize",
                             "marsad.ner.stage:find_entities"])
    article = pipe(Article(text))
    n_stage = len(article.layer("tokens"))
    t = time.perf_counter()
    pipe.stages[-1](article)
    stage_s = time.perf_counter() - t

    print(f"{'measure':<36} {'value':>12}")
    print(f"{'model':<36} {str(tagger.path)[-40:]:>12}")
    print(f"{'load, fresh process (best of 3)':<36} {min(loads):>10.3f} s")
    print(f"{'tokens tagged':<36} {n:>12,}")
    print(f"{'tag tokens/s, cold cache':<36} {n / runs[0]:>12,.0f}")
    print(f"{'tag tokens/s, warm (best of 3)':<36} {n / min(runs[1:]):>12,.0f}")
    print(f"{'ner stage tokens/s (marsad tokens)':<36} {n_stage / stage_s:>12,.0f}")

    import json

    from marsad.ner.stage import entities_of

    pre = Pipeline.default(["marsad.text.sentences:split_sentences", "marsad.text.tokens:tokenize"])
    with (ROOT.parent / "shared/data/arabic_conflict_news/articles.jsonl").open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line, _ in zip(f, range(args.articles))]
    articles = [pre(Article(t)) for t in texts]
    n_tok = sum(len(a.layer("tokens")) for a in articles)
    tagger_cold = _fresh(args.model)
    for label, tg in (("cold", tagger_cold), ("warm", tagger_cold)):
        times = []
        for a in articles:
            t = time.perf_counter()
            entities_of(a, tg)
            times.append(time.perf_counter() - t)
        times.sort()
        total = sum(times)
        print(f"{'ner stage ms/article, ' + label:<36} {1000 * total / len(times):>10.2f} ms")
        print(f"{'  median / p95 ms, ' + label:<36} {1000 * times[len(times) // 2]:>5.2f} / "
              f"{1000 * times[int(len(times) * 0.95)]:.2f}")
        print(f"{'  tokens/s, ' + label:<36} {n_tok / total:>12,.0f}")
    print(f"{'articles / avg tokens':<36} {len(articles):>6} / {n_tok / len(articles):.0f}")


def _fresh(model):
    """A tagger with empty per-word caches (model.load caches the tagger per process)."""
    from marsad.ner.model import _load, default_path, NAMED

    path = NAMED.get(str(model), model) if model else default_path()
    return _load.__wrapped__(str(Path(path).resolve()))


if __name__ == "__main__":
    main()
