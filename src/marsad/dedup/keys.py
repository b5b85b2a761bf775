"""What cross-article matching reads of each report: its match keys.

`rows(article, event_rows, key)` runs in the per-article step (`marsad.batch.extract.to_record`),
so worker processes and Spark executors compute them, and the store's single writer only
compares them. A row holds the blocking key (`block`: country and event-type family, `day`),
the fields compared (sub-type, place, admin1, coordinates, actor ids) and the words:

- `words`: the stems of the evidence sentence (proclitics and the article stripped, as the
  tokenizer does: وبالغارات → غارات), sorted and unique;
- `context`: the stems of the text around it (`CONTEXT` characters either side), which tell
  two reports of one story apart from two stories that share a sentence pattern;
- `title`: the stems of the article's title;
- `numbers`: the values of the quantities written in the evidence ("ثلاثة", "47", "عشرات");
- `text`: the normalised evidence, for character n-grams (spelling variants: مايدوجوري /
  مايدوغوري);
- `fatalities`: the report's death toll as the extractor gave it (not a column of
  `match_keys`: the store reads it from `events`, see `marsad.store.incidents`).

Nothing here depends on the model's weights or word statistics, so a retrained model reads
the same keys.
"""
from __future__ import annotations

from typing import Any

from ..text.normalize import norm
from ..text.tokens import TOKEN_RE, _analysed

CONTEXT = 400           # characters of text either side of the evidence
# ACLED's disorder families: reports are compared only within one (and within one country).
FAMILY = {"Battles": "violence", "Explosions/Remote violence": "violence", "Violence against civilians": "violence",
          "Protests": "demonstrations", "Riots": "demonstrations", "Strategic developments": "strategic"}


def stems(text: str) -> list[str]:
    """The sorted, unique word stems of a text (normalised, article and proclitics off)."""
    out = set()
    for m in TOKEN_RE.finditer(norm(text)):
        if m.lastgroup != "word":
            continue
        word = m.group()
        stem = _analysed(word)[1]
        if stem == word and len(word) >= 5 and word[0] in "وف":   # وقتل, فجر: the conjunction alone
            stem = word[1:]
        if len(stem) >= 2:
            out.add(stem)
    return sorted(out)


def block_of(country: str | None, event_type: str | None) -> str:
    return f"{country or '-'}|{FAMILY.get(event_type or '', 'other')}"


def rows(article, event_rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """One match-key row per event row of an article (`event_rows` as `to_record` builds them)."""
    if not event_rows:
        return []
    text = article.text
    title = stems(article.title or "")
    quantities = [(q.span.start, q.value) for q in article.layer("quantities") if not getattr(q, "ordinal", False)]
    out = []
    for row in event_rows:
        start, end = row.get("evidence_start") or 0, row.get("evidence_end") or 0
        evidence = text[start:end]
        gid = row.get("location_geonameid")
        name = row.get("location_name")
        actors = sorted({a for a in (row.get("actor1_id"), row.get("actor2_id")) if a})
        out.append({
            "event_id": row["event_id"], "article_key": key,
            "block": block_of(row.get("location_country"), row.get("event_type")),
            "day": row.get("date") or article_day(article),
            "event_type": row.get("event_type"), "sub_event_type": row.get("sub_event_type"),
            "place": str(gid) if gid is not None else (norm(name) if name else None),
            "admin1": row.get("location_admin1"), "lat": row.get("location_lat"), "lon": row.get("location_lon"),
            "actors": actors, "words": stems(evidence),
            "context": stems(text[max(0, start - CONTEXT):end + CONTEXT]), "title": title,
            "numbers": sorted({v for s, v in quantities if start <= s < end}),
            "text": norm(evidence), "fatalities": row.get("fatalities"),
        })
    return out


def article_day(article) -> str | None:
    from ..batch.extract import iso_day
    return iso_day(article.date)
