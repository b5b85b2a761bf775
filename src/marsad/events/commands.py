"""`marsad eval GOLD`: run the pipeline on gold articles and print the project scorer's table.

The scorer (`../shared/eval/score.py`) stays the yardstick: it is imported from where
it lives, never copied. It is looked for in $MARSAD_SCORER, next to the gold file, and
in ../shared/eval/ from the working directory and from the repository.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from ..errors import MarsadError

_SCORER = "score.py"


def find_scorer(gold: Path) -> Path | None:
    candidates = []
    if os.environ.get("MARSAD_SCORER"):
        candidates.append(Path(os.environ["MARSAD_SCORER"]))
    candidates += [gold.resolve().parent / _SCORER, Path.cwd().parent / "shared" / "eval" / _SCORER,
                   Path(__file__).resolve().parents[3].parent / "shared" / "eval" / _SCORER]
    return next((p for p in candidates if p.is_file()), None)


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("marsad_gold_scorer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_gold(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as f:
            if path.suffix == ".jsonl":
                records = [json.loads(line) for line in f if line.strip()]
            else:
                data = json.load(f)
                records = data if isinstance(data, list) else [data]
    except (OSError, ValueError) as e:
        raise MarsadError("E701", f"Cannot read the gold file {path}: {e}. Give a .json (one article or a list) "
                          "or .jsonl file shaped as ../shared/eval/FORMAT.md describes.") from e
    bad = [i for i, r in enumerate(records) if not isinstance(r, dict) or "text" not in r or "id" not in r]
    if bad:
        raise MarsadError("E702", f"Gold record {bad[0] + 1} of {path} has no 'id' or 'text'; every gold article "
                          "needs both (and 'date' for relative dates).")
    return records


def run_gold(records: list[dict]) -> list[dict]:
    """The pipeline's output for each gold article, as `marsad extract` prints it."""
    import marsad
    from ..article import Article
    from ..output import to_record
    out = []
    for r in records:
        date = str(r["date"])[:10] if r.get("date") else None
        article = Article(text=r["text"], id=str(r["id"]), title=r.get("title"), date=date,
                          date_source="input" if date else None)
        out.append(to_record(marsad.extract(article)))
    return out


def per_article(scorer, records: list[dict], system: list[dict]) -> list[dict]:
    rows = []
    for g, s in zip(records, system):
        pairs = scorer.match(g.get("events", []), s["events"], scorer.event_ok, scorer.event_close)
        rows.append({"id": g["id"], "gold": len(g.get("events", [])), "system": len(s["events"]),
                     "matched": len(pairs)})
    return rows


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (per-article counts and scores).")
@click.option("--system-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the system output (JSON Lines) here.")
def eval_command(gold, as_json, system_out):
    """Extract events, figures and quotes from the GOLD articles (.json or .jsonl) and score them."""
    try:
        records = read_gold(gold)
        scorer_path = find_scorer(gold)
        if scorer_path is None:
            raise MarsadError("E703", f"The scorer {_SCORER} was not found (looked in $MARSAD_SCORER, next to "
                              f"{gold}, and in ../shared/eval/). Put the shared folder beside the repository "
                              "or set MARSAD_SCORER to the path of score.py.")
        scorer = load_scorer(scorer_path)
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    system = run_gold(records)
    rows = per_article(scorer, records, system)
    if system_out:
        system_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in system), encoding="utf-8")
    if as_json:
        click.echo(json.dumps({"articles": rows, "score": scorer.score(records, system)}, ensure_ascii=False))
        return
    click.echo(f"{'article':<40} {'gold':>5} {'system':>7} {'matched':>8}")
    for r in rows:
        click.echo(f"{r['id']:<40} {r['gold']:>5} {r['system']:>7} {r['matched']:>8}")
    click.echo("")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "system.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in system), encoding="utf-8")
        scorer.main(["--gold", str(gold), "--system", str(path)])
