"""Batch processing: the pure per-article step (`extract.process`) that local workers run
today and a Spark job can run tomorrow, writing the same rows."""

import gc

_SETTLED = False


def settle() -> None:
    """Call once a process has run its first article, in long batch runs.

    By then the models, the gazetteer and the lexicons are loaded: hundreds of thousands of
    long-lived objects that every full pass of Python's cyclic garbage collector would
    scan again. `gc.freeze()` sets them aside for good, and young objects are collected
    less often (an article's layers are dropped by reference counting; only cycles wait
    for the collector). Worth about 5% of a batch run's time; a no-op after the first call.
    """
    global _SETTLED
    if not _SETTLED:
        _SETTLED = True
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)


_WARM_UP = "بيروت - قال مصدر أمني إن مسلحين قتلوا ثلاثة جنود في هجوم على حاجز قرب مدينة الموصل أمس."


def warm_up(pipeline=None) -> None:
    """Run the pipeline once on a short sentence, so that its models, gazetteer and lexicons are
    loaded before the first real article: loading takes seconds, and must not count against an
    article's deadline (--article-timeout)."""
    import marsad
    from ..readers import from_plain_text
    (pipeline or marsad.default_pipeline())(from_plain_text(_WARM_UP, date="2019-03-19"))
