"""marsad against a BERT-base token classifier: throughput, start-up and memory, in one run.

    python bench/run.py                      # 2,000 articles; the baseline on 150 of them
    python bench/run.py --limit 200 --baseline-limit 20     # a quick look

Every measurement runs in a fresh process of its own, one after the other, so each
peak RSS belongs to one system and one setting:

1. marsad start-up, three times: `import marsad`, build the default pipeline, first
   article (`measure_marsad.py startup`); the median is reported.
2. marsad throughput with 1 worker (in process) and 2 workers (a spawn pool), over
   the corpus (`measure_marsad.py throughput`); the per-stage breakdown comes from
   `Pipeline.timings`, so it covers whatever `marsad.default_pipeline()` holds.
3. The baseline (`measure_baseline.py`): a WordPiece tokenizer and a randomly
   initialised BERT-base tagger prepared once in a scratch folder, then one process
   per thread count (1 and 2) over `--baseline-limit` articles spread evenly over the
   corpus (or over the first `--limit`), so the sample has the corpus's mix of lengths.

It prints a Markdown table and writes it, with every number in a .json beside it, to
`bench/results/YYYY-MM-DD-<host>.md` (`-n<limit>` is added to the name of runs with
`--limit`). Benchmarks are not tests: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from marsad.paths import data_dir

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"
TARGETS = {"ratio": 50.0, "per_core": 100.0, "startup_s": 1.0, "rss_mb": 500.0}


def _child(script: str, *args: str) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1",
               TRANSFORMERS_VERBOSITY="error", TOKENIZERS_PARALLELISM="false")
    proc = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"bench: {script} {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def machine_info() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        pass
    versions = {}
    from importlib.metadata import PackageNotFoundError, version
    for pkg in ("marsad", "torch", "transformers", "tokenizers", "psutil"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip() or None
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": round(mem_gb, 1) if mem_gb else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git": commit,
        "marsad_data": str(data_dir()),
        "load_average_start": os.getloadavg(),
    }


def run_marsad(corpus: str, limit: int | None, workers: list[int], startup_runs: int) -> dict:
    startups = []
    for i in range(startup_runs):
        _say(f"marsad start-up {i + 1}/{startup_runs}")
        startups.append(_child("measure_marsad.py", "startup", "--corpus", corpus))
    runs = []
    for w in workers:
        _say(f"marsad throughput, {w} worker(s)")
        args = ["throughput", "--corpus", corpus, "--workers", str(w)]
        runs.append(_child("measure_marsad.py", *args, *(["--limit", str(limit)] if limit else [])))
    median = {k: statistics.median(s[k] for s in startups) for k in startups[0]}
    return {"startup": median, "startup_runs": startups, "runs": runs}


def run_baseline(corpus: str, limit: int, within: int | None, workers: list[int], tiny: bool, batch_size: int,
                 model_dir: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="marsad-bench-bert-") as tmp:
        where = model_dir or tmp
        prepared = None
        if not (Path(where) / "config.json").exists():
            _say("baseline: training the WordPiece tokenizer and saving a random BERT" + (" (tiny)" if tiny else ""))
            Path(where).mkdir(parents=True, exist_ok=True)
            prepared = _child("measure_baseline.py", "prepare", "--corpus", corpus, "--model-dir", where,
                              *(["--tiny", "--train-limit", "50"] if tiny else []))
        else:
            _say(f"baseline: reusing the model in {where}")
        config = json.loads((Path(where) / "config.json").read_text())
        vocab = json.loads((Path(where) / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
        runs = []
        for w in workers:
            _say(f"baseline throughput, {w} thread(s), {limit} articles")
            runs.append(_child("measure_baseline.py", "throughput", "--corpus", corpus, "--model-dir", where,
                               "--limit", str(limit), "--threads", str(w), "--batch-size", str(batch_size),
                               *(["--within", str(within)] if within else [])))
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
            "num_labels")
    cfg = {k: config.get(k) for k in keys}
    cfg["num_labels"] = len(config.get("id2label") or {}) or config.get("num_labels")
    return {"tiny": tiny, "config": cfg, "tokenizer_vocab": len(vocab), "prepare": prepared, "runs": runs}


def summarise(marsad: dict, baseline: dict | None) -> dict:
    runs = {r["workers"]: r for r in marsad["runs"]}
    base = {r["threads"]: r for r in baseline["runs"]} if baseline else {}
    ratios = []
    for w, r in sorted(runs.items()):
        if w in base:
            b = base[w]
            ratios.append({"cores": w, "articles_per_s": r["articles_per_s"] / b["articles_per_s"],
                           "words_per_s": r["words_per_s"] / b["words_per_s"],
                           "peak_rss": r["peak_rss_mb"] / b["peak_rss_mb"]})
    one = runs[min(runs)]
    # The stage breakdown comes from the run with the fewest workers (no pool transfers in it).
    wall_cpu = one["seconds"] * one["workers"]
    shares = {name: t / wall_cpu for name, t in one["stage_seconds"].items()}
    slowest = max(shares, key=shares.get) if shares else None
    peak = max(r["peak_rss_mb"] for r in marsad["runs"])
    checks = [
        {"target": f"marsad >= {TARGETS['ratio']:.0f}x the baseline in articles/s (every core count)",
         "measured": min((x["articles_per_s"] for x in ratios), default=None), "unit": "x",
         "limit": TARGETS["ratio"], "higher_is_better": True},
        {"target": f">= {TARGETS['per_core']:.0f} articles/s per core, full pipeline, 1 worker",
         "measured": one["articles_per_s_per_core"], "unit": "articles/s", "limit": TARGETS["per_core"],
         "higher_is_better": True},
        {"target": "start-up <= 1 s (import marsad + build pipeline + first article)",
         "measured": marsad["startup"]["total_s"], "unit": "s", "limit": TARGETS["startup_s"],
         "higher_is_better": False},
        {"target": "peak RSS <= 500 MB (largest single process)", "measured": peak, "unit": "MB",
         "limit": TARGETS["rss_mb"], "higher_is_better": False},
    ]
    for c in checks:
        m = c["measured"]
        c["met"] = None if m is None else (m >= c["limit"] if c["higher_is_better"] else m <= c["limit"])
    return {"ratios": ratios, "stage_share": shares, "outside_stages_share": 1 - sum(shares.values()),
            "stage_breakdown_workers": one["workers"], "slowest_stage": slowest, "targets": checks}


def _n(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "—"
    if abs(x) >= 100 or digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def markdown(res: dict) -> str:
    m, b, s, info = res["marsad"], res.get("baseline"), res["summary"], res["machine"]
    stages = m["runs"][0]["stages"]
    base_name = "BERT tagger (TINY smoke-test config)" if b and b["tiny"] else "BERT-base tagger"
    lines = [f"# marsad benchmark — {res['date']} on {info['host']}", ""]
    lines.append(f"marsad {info['versions']['marsad']} (git {info['git']}), default pipeline: "
                 f"{' → '.join(stages)}. Corpus `{res['corpus_name']}`: marsad on {m['runs'][0]['articles']} "
                 f"articles" + (f", the baseline on {b['runs'][0]['articles']} of them, spread evenly" if b else "") + ".")
    lines += ["", "| system | cores | articles | articles/s | articles/s per core | words/s | own tokens/s "
              "| peak RSS (MB) | start-up (s) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = {r["threads"]: r for r in b["runs"]} if b else {}
    ratios = {x["cores"]: x for x in s["ratios"]}
    for r in m["runs"]:
        w = r["workers"]
        rss = _n(r["peak_rss_mb"]) + (f" (all: {_n(r['peak_rss_total_mb'])})" if w > 1 else "")
        lines.append(f"| marsad, {w} worker{'s' if w > 1 else ''} | {w} | {r['articles']} | "
                     f"{_n(r['articles_per_s'], 1)} | {_n(r['articles_per_s_per_core'], 1)} | {_n(r['words_per_s'])} "
                     f"| {_n(r['tokens_per_s'])} | {rss} | {m['startup']['total_s']:.3f} |")
        if w in base:
            x = base[w]
            lines.append(f"| {base_name}, {w} thread{'s' if w > 1 else ''} | {w} | {x['articles']} | "
                         f"{_n(x['articles_per_s'], 2)} | {_n(x['articles_per_s_per_core'], 2)} | "
                         f"{_n(x['words_per_s'])} | {_n(x['tokens_per_s'])} | {_n(x['peak_rss_mb'])} | "
                         f"{x['startup_s']:.2f} |")
            q = ratios[w]
            lines.append(f"| **marsad ÷ baseline, {w} core{'s' if w > 1 else ''}** | | | "
                         f"**{_n(q['articles_per_s'])}× faster** | | {_n(q['words_per_s'])}× | | "
                         f"{1 / q['peak_rss']:.0f}× less | {x['startup_s'] / m['startup']['total_s']:.0f}× sooner |")
    one = next(r for r in m["runs"] if r["workers"] == s["stage_breakdown_workers"])
    lines += ["", f"Where marsad's time goes ({one['workers']} worker, {one['articles']} articles; slowest stage: "
              f"**{s['slowest_stage']}**):", "", "| stage | share of time | ms per article |", "|---|---:|---:|"]
    for name in stages:
        ms = one["stage_seconds"][name] / one["articles"] * 1000
        label = f"**{name}**" if name == s["slowest_stage"] else name
        lines.append(f"| {label} | {s['stage_share'][name]:.1%} | {ms:.3f} |")
    outside = s["outside_stages_share"] * one["seconds"] * one["workers"] / one["articles"] * 1000
    lines.append(f"| outside the stages (JSON in, Article, output record to JSON) | "
                 f"{s['outside_stages_share']:.1%} | {outside:.3f} |")
    warned = {w: n for r in m["runs"] for w, n in r["warnings"].items()}
    if warned:
        lines += ["", f"**Warnings from the stages** (data folder `{info['marsad_data']}`): a stage that could not "
                  "load what it needs measures less than it would in use:", ""]
        lines += [f"- {n} of {one['articles']} articles: {w}" for w, n in warned.items()]
    st = m["startup"]
    lines += ["", f"Start-up, median of {len(m['startup_runs'])} fresh processes: import {st['import_s']:.3f} s, "
              f"build pipeline {st['build_s']:.3f} s, first article {st['first_article_s']:.3f} s."]
    lines += ["", "| target | measured | met |", "|---|---:|:---:|"]
    for c in s["targets"]:
        v = "—" if c["measured"] is None else (f"{_n(c['measured'])}×" if c["unit"] == "x" else
                                                f"{_n(c['measured'], 3 if c['unit'] == 's' else 1)} {c['unit']}")
        met = "—" if c["met"] is None else ("yes" if c["met"] else "**no**")
        lines.append(f"| {c['target']} | {v} | {met} |")
    load0, load1 = info["load_average_start"][0], res["load_average_end"][0]
    v = info["versions"]
    lines += ["", f"Machine: {info['cpu']}, {info['cores']} cores ({info['cores_usable']} usable), "
              f"{info['memory_gb']} GB; {info['os']}; Python {info['python']}; torch {v['torch']}, "
              f"transformers {v['transformers']}, tokenizers {v['tokenizers']}. "
              f"Load average (1 min) {load0:.2f} at the start, {load1:.2f} at the end."]
    # the load at the end counts this runner's own 2-process runs; only the start says what else ran
    if load0 > 0.5:
        lines.append("**Other processes were running: these numbers are noisy; rerun on a quiet machine.**")
    if b:
        cfg = b["config"]
        lines += ["", f"Baseline: `BertForTokenClassification`, {cfg['num_hidden_layers']} layers, hidden "
                  f"{cfg['hidden_size']}, {cfg['num_attention_heads']} heads, intermediate "
                  f"{cfg['intermediate_size']}, vocabulary {cfg['vocab_size']:,}, {cfg['num_labels']} labels, random "
                  "weights, float32, `torch.inference_mode()`, `torch.set_num_threads(cores)`; 512-token windows "
                  f"without stride, batches of {b['runs'][0]['batch_size']} windows; WordPiece tokenizer trained on "
                  f"the corpus ({b['tokenizer_vocab']:,} pieces; "
                  f"{b['runs'][0]['tokens'] / b['runs'][0]['words']:.2f} pieces per word here)."]
        if not b["tiny"]:
            lines[-1] += (" A tokenizer fitted to the very articles it reads tends to cut fewer pieces per word "
                          "than a general-purpose one, which means fewer windows: if anything, the baseline is "
                          "flattered.")
    lines += ["", "Words are whitespace-separated words of the article text, counted the same way for both. "
              "Own tokens: marsad's token layer (words, numbers, punctuation) / the baseline's WordPiece pieces with "
              "[CLS] and [SEP]. Throughput excludes each process's first article (that is start-up). marsad's "
              "time per article includes parsing the JSON line and writing the output record as JSON. Peak RSS is "
              "the largest single process; \"all\" adds the pool's parent and workers."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--corpus", default=str(CORPUS), help="JSON Lines with a 'text' field (default: %(default)s)")
    ap.add_argument("--limit", type=int, help="marsad: only the first N articles (default: all)")
    ap.add_argument("--workers", default="1,2", help="worker processes / torch threads to try (default: 1,2)")
    ap.add_argument("--baseline-limit", type=int, default=150,
                    help="baseline: N articles spread evenly over the corpus (default: %(default)s; it is slow)")
    ap.add_argument("--baseline-tiny", action="store_true",
                    help="baseline: a toy BERT config, for the smoke test (its speed means nothing)")
    ap.add_argument("--baseline-batch", type=int, default=8, help="baseline: windows per batch (default: 8)")
    ap.add_argument("--baseline-model-dir", help="keep the prepared tokenizer + model here and reuse it next time")
    ap.add_argument("--no-baseline", action="store_true", help="measure marsad only")
    ap.add_argument("--startup-runs", type=int, default=3)
    ap.add_argument("--allow-no-gazetteer", action="store_true",
                    help="run even when no gazetteer is installed (the places stage then measures less)")
    ap.add_argument("--out", default=str(HERE / "results"), help="folder for the .md and .json (default: %(default)s)")
    args = ap.parse_args(argv)
    workers = sorted({int(w) for w in args.workers.split(",")})
    corpus = str(Path(args.corpus).resolve())
    if not Path(corpus).exists():
        sys.exit(f"bench: no corpus at {corpus}; put the shared folder beside the repo or pass --corpus.")

    if not args.allow_no_gazetteer:
        from marsad.paths import data_dir
        from marsad.places.gazetteer import get as gazetteer
        if gazetteer() is None:
            sys.exit(f"bench: no gazetteer in {data_dir() / 'places'}: the places stage would skip its lookups "
                     "and the numbers would not measure the full pipeline. Run `marsad places build --geonames "
                     "../shared/data/geonames_mena` (or set MARSAD_DATA to where it was built), or pass "
                     "--allow-no-gazetteer to measure without it.")
    info = machine_info()
    marsad = run_marsad(corpus, args.limit, workers, args.startup_runs)
    baseline = None
    if not args.no_baseline:
        baseline = run_baseline(corpus, args.baseline_limit, args.limit, workers, args.baseline_tiny, args.baseline_batch,
                                args.baseline_model_dir)
    today = dt.date.today().isoformat()
    res = {"date": today, "machine": info, "corpus": corpus, "corpus_name": Path(corpus).name,
           "args": vars(args), "marsad": marsad, "baseline": baseline,
           "load_average_end": os.getloadavg()}
    res["summary"] = summarise(marsad, baseline)
    text = markdown(res)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{today}-{info['host']}" + (f"-n{args.limit}" if args.limit else "") + ("-tiny" if args.baseline_tiny else "")
    (out / f"{stem}.md").write_text(text, encoding="utf-8")
    (out / f"{stem}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _say(f"wrote {out / stem}.md and .json")


if __name__ == "__main__":
    main()
