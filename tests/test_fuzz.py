"""Hypothesis fuzz of the pipeline (issue 19): real article fragments mutated, edge dates, odd
Unicode - no exception, and every output keeps its invariants (spans exact, counts >= 0, dates ISO
in the supported range). The strategies and the checks are bench/fuzz.py's, which runs the same
for as long as one likes (`python bench/fuzz.py --seconds 600`); here a few thousand examples in all,
so the suite stays quick: 400 through the whole pipeline, 1,500 through the cheap early stages
(reader, sentences, tokens, quantities, times), where most of the old crashes were.
"""
import importlib.util
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("marsad_bench_fuzz", ROOT / "bench" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

def quick(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@quick(400)
@given(fuzz.strategies())
def test_fuzz_pipeline_never_raises_and_keeps_the_invariants(case):
    kind, detail = fuzz.run_one(case)
    assert kind in ("ok", "rejected"), detail


@quick(1500)
@given(fuzz.strategies())
def test_fuzz_early_stages(case):
    from marsad.dates import calendar as cal
    from marsad.errors import InputError
    from marsad.pipeline import Pipeline
    from marsad.readers import from_record
    try:
        article = from_record(case, "fuzz")
    except InputError:
        return
    early = Pipeline.default(["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
                              "marsad.text.tokens:tokenize", "marsad.numbers.quantities:find_quantities",
                              "marsad.dates.times:find_times"])
    early(article)
    text = article.text
    assert "\ud800" not in text and all(not "\ud800" <= c <= "\udfff" for c in text)
    assert len(text) == len(case["text"])                        # sanitising never moves an offset
    for layer in ("sentences", "tokens", "quantities", "times", "boilerplate"):
        for item in article.layer(layer):
            assert 0 <= item.span.start <= item.span.end <= len(text)
    for s in article.layer("sentences"):
        assert len(text[s.span.start:s.span.end].split()) <= 150 and len(s.span) <= 3000
    for q in article.layer("quantities"):
        assert 0 <= q.value <= 10**10 and (q.value_max is None or q.value <= q.value_max <= 10**10)
    for t in article.layer("times"):
        for v in (t.value, t.start):
            assert v is None or cal.in_range(date.fromisoformat(v))
    assert article.date is None or cal.in_range(date.fromisoformat(article.date))


@quick(500)
@given(st.text(st.characters(codec=None), max_size=200))
def test_fuzz_clean_text_replaces_only_lone_surrogates_one_for_one(s):
    from marsad.readers import clean_text
    out = clean_text(s)
    assert len(out) == len(s)
    assert all(a == b or ("\ud800" <= a <= "\udfff" and b == "\ufffd") for a, b in zip(s, out))
    out.encode("utf-8")
