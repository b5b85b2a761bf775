"""The benchmark runner runs end to end on 5 articles and writes a sane table and JSON.

No timing is asserted: speed is reported by bench/run.py, not tested. The baseline part
runs with a toy BERT config when torch, transformers and tokenizers are installed
(`pip install -e '.[bench]'`), and is skipped otherwise.
"""
import importlib.util
import json
import subprocess
import sys

import pytest

import marsad
from conftest import CORPUS, ROOT

HAVE_BASELINE = all(importlib.util.find_spec(m) for m in ("torch", "transformers", "tokenizers"))


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    args = [sys.executable, str(ROOT / "bench" / "run.py"), "--corpus", str(CORPUS), "--limit", "5",
            "--startup-runs", "1", "--out", str(out), "--allow-no-gazetteer"]
    args += ["--baseline-limit", "2", "--baseline-tiny"] if HAVE_BASELINE else ["--no-baseline"]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    mds, jsons = sorted(out.glob("*.md")), sorted(out.glob("*.json"))
    assert len(mds) == 1 and len(jsons) == 1, list(out.iterdir())
    return proc.stdout, mds[0].read_text(encoding="utf-8"), json.loads(jsons[0].read_text(encoding="utf-8"))


def test_bench_smoke_prints_the_table_it_writes(bench_run):
    stdout, md, _ = bench_run
    assert md.strip() == stdout.strip()
    assert "| marsad, 1 worker | 1 | 5 |" in md
    assert "| marsad, 2 workers | 2 | 5 |" in md
    assert "Machine:" in md and "Python" in md


def test_bench_smoke_measures_every_stage_of_the_default_pipeline(bench_run):
    _, md, res = bench_run
    names = marsad.default_pipeline().names
    summary = res["summary"]
    assert [r["workers"] for r in res["marsad"]["runs"]] == [1, 2]
    for run in res["marsad"]["runs"]:
        assert run["articles"] == 5 and run["stages"] == names
        assert set(run["stage_seconds"]) == set(names)
        assert run["articles_per_s"] > 0 and run["words"] > 0 and run["tokens"] > 0
        assert 1 < run["peak_rss_mb"] < 4096
    assert len(res["marsad"]["runs"][1]["peak_rss_workers_mb"]) == 2     # both pool workers reported
    assert summary["slowest_stage"] in names
    assert f"slowest stage: **{summary['slowest_stage']}**" in md
    assert sum(summary["stage_share"].values()) + summary["outside_stages_share"] == pytest.approx(1)
    assert 0 < res["marsad"]["startup"]["total_s"]
    assert [t["met"] in (True, False, None) for t in summary["targets"]] == [True] * 4
    info = res["machine"]
    assert info["cores"] >= 1 and info["python"] and info["cpu"]


@pytest.mark.skipif(not HAVE_BASELINE, reason="baseline needs the bench extra: pip install -e '.[bench]'")
def test_bench_smoke_runs_the_transformer_baseline(bench_run):
    _, md, res = bench_run
    base = res["baseline"]
    assert base["tiny"] and base["config"]["num_labels"] == 9
    assert [r["threads"] for r in base["runs"]] == [1, 2]
    for run in base["runs"]:
        assert run["articles"] == 2 and run["windows"] >= 2 and run["tokens"] > run["articles"]
        assert run["torch_threads"] == run["threads"]
        assert run["peak_rss_mb"] > 1
    assert [x["cores"] for x in res["summary"]["ratios"]] == [1, 2]
    assert "TINY smoke-test config" in md and "marsad ÷ baseline, 1 core" in md
    assert res["machine"]["versions"]["torch"]
