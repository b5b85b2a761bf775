"""Plug-in for a transformer token classifier a user has on disk (AraBERT, CAMeLBERT...).

Nothing is downloaded: the folder must hold what `save_pretrained` writes for a
tokenizer and an `AutoModelForTokenClassification` whose `id2label` uses BIO tags
(`B-PERS`, `I-LOC`, ... or `B-PER`). Each word is labelled by its first sub-token,
as such models are fine-tuned. torch and transformers come with the `transformer`
extra: `pip install 'marsad[transformer]'`.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import MarsadError

MAX_WORDS = 120      # words per forward pass at most; fewer when their sub-tokens would not fit


class TransformerTagger:
    kind = "transformer"

    def __init__(self, path: str | Path, device: str = "cpu"):
        try:
            import torch
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as e:
            raise MarsadError("E401", f"The NER model at {path} is a transformer, which needs torch and "
                              f"transformers ({e.name} is missing). Install them with "
                              "pip install 'marsad[transformer]', or use the CRF model.") from None
        self.path = Path(path)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        if not getattr(self.tokenizer, "is_fast", False):
            raise MarsadError("E402", f"The tokenizer at {path} is not a fast tokenizer; marsad needs one to map "
                              "sub-tokens back to words. Save it with tokenizer.json (any tokenizers-backed class).")
        self.model = AutoModelForTokenClassification.from_pretrained(str(path), local_files_only=True)
        self.model.eval().to(device)
        self.device = device
        self.labels = [self.model.config.id2label[i] for i in range(self.model.config.num_labels)]
        limits = [self.tokenizer.model_max_length, getattr(self.model.config, "max_position_embeddings", 512)]
        self.max_len = min(x for x in limits if x) - 2          # room for [CLS] and [SEP]

    def tag_with_scores(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        tags: list[str] = []
        scores: list[float] = []
        for chunk in self._chunks(tokens):
            t, s = self._chunk(chunk)
            tags += t
            scores += s
        return tags, scores

    def _chunks(self, tokens: list[str]):
        """Runs of words whose sub-tokens fit in one forward pass (a longer word is cut, not dropped)."""
        if not tokens:
            return
        enc = self.tokenizer([w if w.strip() else "_" for w in tokens], is_split_into_words=True,
                             add_special_tokens=False)
        sizes = [0] * len(tokens)
        for wid in enc.word_ids():
            if wid is not None:
                sizes[wid] += 1
        start, used = 0, 0
        for i, n in enumerate(sizes):
            if i > start and (used + n > self.max_len or i - start >= MAX_WORDS):
                yield tokens[start:i]
                start, used = i, 0
            used += n
        yield tokens[start:]

    def tag(self, tokens: list[str]) -> list[str]:
        return self.tag_with_scores(tokens)[0]

    def _chunk(self, words: list[str]) -> tuple[list[str], list[float]]:
        if not words:
            return [], []
        words = [w if w.strip() else "_" for w in words]   # an empty word would vanish from word_ids
        enc = self.tokenizer(words, is_split_into_words=True, truncation=True, max_length=self.max_len + 2,
                             return_tensors="pt")
        with self.torch.no_grad():
            logits = self.model(**{k: v.to(self.device) for k, v in enc.items()}).logits[0]
        probs = logits.softmax(-1)
        best = probs.argmax(-1).tolist()
        tags, scores = ["O"] * len(words), [1.0] * len(words)
        seen = set()
        for pos, wid in enumerate(enc.word_ids(0)):
            if wid is None or wid in seen:
                continue
            seen.add(wid)
            tags[wid] = self.labels[best[pos]]
            scores[wid] = float(probs[pos, best[pos]])
        return tags, scores
