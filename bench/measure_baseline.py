"""The baseline a user would pick today: a BERT-base-sized Arabic token classifier on CPU.

`prepare` builds what a user would download, in a scratch folder: a WordPiece
tokenizer trained on the corpus (vocabulary 64,000, as AraBERT and CAMeLBERT have)
with the `tokenizers` library, and a `BertForTokenClassification` with BERT-base's
shape (12 layers, hidden 768, 12 heads, intermediate 3072, 9 labels: BIO over
PER/ORG/LOC/MISC) initialised at random from a `BertConfig`, since no weights can be
downloaded here and the speed of a forward pass does not depend on the weights.

`throughput` then takes `--limit` articles spread evenly over the corpus and does what a tagging script does, in a fresh process so its peak RSS
is its own: load both with `from_pretrained`, split each article into 512-token
windows (the fast tokenizer's overflowing tokens, no stride), run batches of windows
through the model under `torch.inference_mode()` with `torch.set_num_threads(N)`, and
take the argmax label of every token. Start-up is import + loading + first article.

`--tiny` swaps in a toy config (2 layers, hidden 64, vocabulary 1,000) so the smoke
test runs in seconds; its numbers say nothing about speed.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()   # before any import: the start-up clock starts here

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

BERT_BASE = dict(vocab_size=64000, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072, max_position_embeddings=512, num_labels=9)
TINY = dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=128, max_position_embeddings=512, num_labels=9)
LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
WINDOW = 512


def _texts(corpus: str, limit: int | None, within: int | None = None) -> list[str]:
    """`limit` articles spread evenly over the first `within` of the corpus (all of it by default),
    so a small sample has the corpus's mix of lengths and outlets."""
    with open(corpus, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    lines = lines[:within] if within else lines
    if limit and limit < len(lines):
        step = len(lines) / limit
        lines = [lines[int(i * step)] for i in range(limit)]
    return [json.loads(line)["text"] for line in lines]


def prepare(corpus: str, model_dir: str, tiny: bool, train_limit: int | None) -> dict:
    import torch
    from tokenizers.implementations import BertWordPieceTokenizer
    from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

    config = TINY if tiny else BERT_BASE
    t0 = time.perf_counter()
    # Arabic BERTs keep case-less script as is; accents (harakat) are left to the vocabulary.
    wp = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    wp.train_from_iterator(_texts(corpus, train_limit), vocab_size=config["vocab_size"], min_frequency=2,
                           show_progress=False)
    tok = PreTrainedTokenizerFast(tokenizer_object=wp._tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                  cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                  model_max_length=WINDOW)
    tok.save_pretrained(model_dir)
    t_tok = time.perf_counter()
    torch.manual_seed(0)
    cfg = BertConfig(**config, id2label=dict(enumerate(LABELS)), label2id={k: i for i, k in enumerate(LABELS)})
    model = BertForTokenClassification(cfg)
    model.save_pretrained(model_dir)
    t_model = time.perf_counter()
    return {
        "config": config,
        "parameters": sum(p.numel() for p in model.parameters()),
        "tokenizer_vocab": len(tok),
        "tokenizer_train_s": t_tok - t0,
        "model_init_save_s": t_model - t_tok,
        "model_bytes": sum(p.stat().st_size for p in Path(model_dir).iterdir()),
    }


def throughput(corpus: str, model_dir: str, limit: int | None, within: int | None, threads: int,
               batch_size: int) -> dict:
    texts = _texts(corpus, limit, within)
    t_read = time.perf_counter()
    import torch
    import transformers
    from transformers import AutoModelForTokenClassification, AutoTokenizer
    torch.set_num_threads(threads)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForTokenClassification.from_pretrained(model_dir).eval()
    t_load = time.perf_counter()

    def windows(batch_texts):
        enc = tok(batch_texts, truncation=True, max_length=WINDOW, return_overflowing_tokens=True, stride=0)
        return enc["input_ids"]

    def tag(window_ids) -> int:
        batch = tok.pad({"input_ids": window_ids}, return_tensors="pt")
        with torch.inference_mode():
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        labels = logits.argmax(-1)
        return int(labels.numel())

    def first(text):
        ids = windows([text])
        for i in range(0, len(ids), batch_size):
            tag(ids[i:i + batch_size])

    first(texts[0])
    t_first = time.perf_counter()
    n_windows = n_subwords = 0
    pending: list = []
    t0 = time.perf_counter()
    # Windows from consecutive articles share batches, so every batch but the last is full.
    for i in range(0, len(texts), batch_size):
        ids = windows(texts[i:i + batch_size])
        n_windows += len(ids)
        n_subwords += sum(len(w) for w in ids)
        pending.extend(ids)
        while len(pending) >= batch_size:
            tag(pending[:batch_size])
            pending = pending[batch_size:]
    if pending:
        tag(pending)
    seconds = time.perf_counter() - t0
    words = sum(len(t.split()) for t in texts)
    return {
        "threads": threads,
        "articles": len(texts),
        "seconds": seconds,
        "articles_per_s": len(texts) / seconds,
        "articles_per_s_per_core": len(texts) / seconds / threads,
        "words": words,
        "words_per_s": words / seconds,
        "tokens": n_subwords,
        "tokens_per_s": n_subwords / seconds,
        "windows": n_windows,
        "batch_size": batch_size,
        "startup_s": t_first - t_read,
        "load_s": t_load - t_read,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["prepare", "throughput"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--within", type=int, help="sample from the first N articles only")
    ap.add_argument("--train-limit", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--tiny", action="store_true")
    args = ap.parse_args(argv)
    if args.mode == "prepare":
        out = prepare(args.corpus, args.model_dir, args.tiny, args.train_limit)
    else:
        out = throughput(args.corpus, args.model_dir, args.limit, args.within, args.threads, args.batch_size)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
