"""marsad's side of the benchmark, run by `bench/run.py` in fresh processes.

`python bench/measure_marsad.py throughput --workers N --corpus F --limit K` prints one
JSON object: articles/s, words/s, tokens/s, per-stage seconds and peak RSS.
`python bench/measure_marsad.py startup --corpus F` prints the seconds from the first
line of the process to the end of the first article: `import marsad`, building the
default pipeline, and everything its stages load lazily on their first article.

What one article costs is what a batch run does with it: parse the JSON line, build
the Article, run every stage of `marsad.default_pipeline()`, and serialise the output
record (`marsad.output.to_record`) to JSON. One worker runs in this process, as
`marsad extract` does; more workers are a multiprocessing pool started with "spawn",
so the per-article function has to pickle by reference, as Spark would need. Every
process handles a warm-up article before the clock starts: what the first article
costs is reported as start-up, not as throughput.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()   # before any import: the start-up clock starts here

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux reports KiB


def settle() -> None:
    """What marsad's batch workers do after their first article (`marsad.batch.settle`)."""
    from marsad.batch import settle as settle_gc
    settle_gc()


def process_line(line: str) -> tuple[int, int, int, dict[str, float], list[str]]:
    """One article, end to end: (words, tokens, output bytes, seconds in each stage, warnings).

    Module-level and free of state so a spawn pool can pickle it by name."""
    import marsad
    from marsad.output import to_record
    from marsad.readers import from_record

    pipeline = marsad.default_pipeline()
    before = dict(pipeline.timings)
    record = json.loads(line)
    article = pipeline(from_record(record, "bench"))
    out = json.dumps(to_record(article), ensure_ascii=False)
    stages = {name: t - before.get(name, 0.0) for name, t in pipeline.timings.items()}
    return len(article.text.split()), len(article.layer("tokens")), len(out.encode()), stages, article.warnings


_BARRIER = None


def _init_worker(barrier, warmup_line: str) -> None:
    global _BARRIER
    _BARRIER = barrier
    process_line(warmup_line)
    settle()
    barrier.wait()


def _worker_peak(_) -> tuple[int, float]:
    """Each worker's peak RSS: the barrier holds every task until all workers have one."""
    _BARRIER.wait(timeout=60)
    return os.getpid(), _maxrss_mb()


def read_lines(corpus: str, limit: int | None) -> list[str]:
    lines = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                lines.append(line)
                if limit and len(lines) >= limit:
                    break
    return lines


class _RssSampler(threading.Thread):
    """Total RSS of this process and its children, sampled every 20 ms (needs psutil)."""

    def __init__(self):
        super().__init__(daemon=True)
        import psutil
        self.proc, self.peak, self.stopped = psutil.Process(), 0, threading.Event()

    def run(self):
        import psutil
        while not self.stopped.wait(0.02):
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)


def throughput(corpus: str, limit: int | None, workers: int, chunksize: int) -> dict:
    lines = read_lines(corpus, limit)
    import marsad
    stage_names = marsad.default_pipeline().names
    results: list[tuple] = []
    per_pid: dict[int, float] = {}
    pool_start = None
    sampler = None
    if workers == 1:
        process_line(lines[0])
        settle()
        t0 = time.perf_counter()
        results = [process_line(line) for line in lines]
        seconds = time.perf_counter() - t0
    else:
        import multiprocessing as mp
        ctx = mp.get_context("spawn")
        try:
            sampler = _RssSampler()
            sampler.start()
        except ImportError:
            sampler = None
        barrier = ctx.Barrier(workers + 1)
        t_pool = time.perf_counter()
        with ctx.Pool(workers, initializer=_init_worker, initargs=(barrier, lines[0])) as pool:
            barrier.wait(timeout=300)
            pool_start = time.perf_counter() - t_pool
            t0 = time.perf_counter()
            results = list(pool.imap(process_line, lines, chunksize=chunksize))
            seconds = time.perf_counter() - t0
            peaks = pool.map_async(_worker_peak, range(workers), chunksize=1)
            barrier.wait(timeout=60)
            per_pid = dict(peaks.get(timeout=60))
        if sampler:
            sampler.stopped.set()
            sampler.join()
    stage_seconds = {name: 0.0 for name in stage_names}
    warnings: dict[str, int] = {}
    for _, _, _, stages, warned in results:
        for name, t in stages.items():
            stage_seconds[name] = stage_seconds.get(name, 0.0) + t
        for w in warned:
            warnings[w] = warnings.get(w, 0) + 1
    own = _maxrss_mb()
    worker_peaks = [] if workers == 1 else sorted(per_pid.values(), reverse=True)
    n = len(results)
    return {
        "workers": workers,
        "articles": n,
        "seconds": seconds,
        "articles_per_s": n / seconds,
        "articles_per_s_per_core": n / seconds / workers,
        "words": sum(r[0] for r in results),
        "words_per_s": sum(r[0] for r in results) / seconds,
        "tokens": sum(r[1] for r in results),
        "tokens_per_s": sum(r[1] for r in results) / seconds,
        "output_bytes": sum(r[2] for r in results),
        # A stage that could not load what it needs warns on the article: such a run measures less.
        "warnings": warnings,
        "stages": stage_names,
        "stage_seconds": stage_seconds,
        # CPU time summed over workers, so per-stage shares do not depend on the worker count.
        "stage_seconds_total": sum(stage_seconds.values()),
        "pool_start_s": pool_start,
        "peak_rss_mb": max([own, *worker_peaks]),
        "peak_rss_main_mb": own,
        "peak_rss_workers_mb": worker_peaks,
        # All processes together: sampled when psutil is there, else the sum of each one's peak.
        "peak_rss_total_mb": sampler.peak / 2**20 if sampler and sampler.peak else own + sum(worker_peaks),
        "peak_rss_total_method": "psutil sample every 20 ms" if sampler and sampler.peak else "sum of per-process peaks",
    }


def startup(corpus: str) -> dict:
    line = read_lines(corpus, 1)[0]
    t_read = time.perf_counter()
    import marsad
    t_import = time.perf_counter()
    marsad.default_pipeline()
    t_build = time.perf_counter()
    process_line(line)
    t_first = time.perf_counter()
    return {
        "import_s": t_import - t_read,
        "build_s": t_build - t_import,
        "first_article_s": t_first - t_build,
        "total_s": t_first - t_read,     # reading the corpus line is the benchmark's, not marsad's
        "peak_rss_mb": _maxrss_mb(),
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["throughput", "startup"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--chunksize", type=int, default=8)
    args = ap.parse_args(argv)
    if args.mode == "startup":
        out = startup(args.corpus)
    else:
        out = throughput(args.corpus, args.limit, args.workers, args.chunksize)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
