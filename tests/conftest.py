import json
from itertools import islice
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_TEXT = SHARED / "examples" / "baghuz-2019-03-19.txt"
CORPUS = SHARED / "data" / "arabic_conflict_news" / "articles.jsonl"
NEGATIVES = SHARED / "data" / "arabic_conflict_news" / "negatives.jsonl"
EVAL = SHARED / "eval"


def pytest_collection_modifyitems(config, items):
    if not SHARED.exists():
        raise pytest.UsageError(f"marsad's tests read real data from {SHARED}; put the shared folder beside the repo.")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    return json.loads((EVAL / "seed-gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dev_gold() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "dev.jsonl").open(encoding="utf-8") if line.strip()]


@pytest.fixture(scope="session")
def corpus_sample() -> list[dict]:
    """Every 20th article of the real corpus: 100 articles from all outlets and years."""
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in islice(f, 0, None, 20)]


@pytest.fixture(scope="session")
def scorer():
    """The project's yardstick, ../shared/eval/score.py, imported as a module (never copied)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("marsad_eval_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
