import gzip
import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import ROOT, SEED_TEXT


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "marsad.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT)


def records(stdout):
    dec, out, i = json.JSONDecoder(), [], 0
    while i < len(stdout):
        if stdout[i].isspace():
            i += 1
            continue
        obj, i = dec.raw_decode(stdout, i)
        out.append(obj)
    return out


def walk_spans(obj):
    if isinstance(obj, dict):
        if set(obj) >= {"start", "end", "text"} and isinstance(obj["start"], int):
            yield obj
        for v in obj.values():
            yield from walk_spans(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk_spans(v)


@pytest.fixture(scope="module")
def seed_record():
    r = run("extract", str(SEED_TEXT), "--date", "2019-03-19", "--with-text")
    assert r.returncode == 0, r.stderr
    (record,) = records(r.stdout)
    return record


def test_extract_seed_spans_are_exact(seed_record, seed_text):
    assert seed_record["id"] == "baghuz-2019-03-19" and seed_record["date"] == "2019-03-19"
    spans = list(walk_spans(seed_record))
    assert len(spans) > 30
    for s in spans:
        assert seed_text[s["start"]:s["end"]] == s["text"]


def test_extract_seed_marks_dateline_and_duplicates(seed_record):
    kinds = [(b["kind"], b["span"]["text"]) for b in seed_record["boilerplate"]]
    assert ("dateline", "بيروت -") in kinds
    assert sum(1 for k, _ in kinds if k == "repeated") == 4


def test_extract_output_matches_the_json_schema(seed_record):
    schema = json.loads((ROOT / "src/marsad/schema/output.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(seed_record, schema)
    broken = dict(seed_record, sentences=[{"span": {"start": -1, "end": 2, "text": "x"}}])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_extract_output_is_scorable(tmp_path, seed_record):
    out = tmp_path / "out.json"
    out.write_text(json.dumps(seed_record, ensure_ascii=False))
    r = subprocess.run([sys.executable, str(ROOT.parent / "shared/eval/score.py"), "--gold",
                        str(ROOT.parent / "shared/eval/seed-gold.json"), "--system", str(out), "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "events" in json.loads(r.stdout)


def test_extract_reads_bundled_examples():
    r = run("extract", "examples/", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    got = {rec["id"]: rec for rec in map(json.loads, r.stdout.splitlines())}
    assert set(got) == {"aleppo-shelling", "example-mosul-arrests"}
    assert got["example-mosul-arrests"]["date"] == "2024-03-04"
    assert got["aleppo-shelling"]["date"] == "2024-05-16" and got["aleppo-shelling"]["date_source"] == "text"


def test_extract_reads_stdin_html_and_gzip(tmp_path):
    r = run("extract", "-", "--date", "2024-01-02", "--id", "piped", stdin="بغداد - قال مسؤول إن الهجوم فشل.")
    assert r.returncode == 0 and records(r.stdout)[0]["id"] == "piped"
    page = tmp_path / "page.html"
    body = "".join(f"<p>قال مسؤول عسكري في بيان اليوم إن القوات سيطرت على القرية رقم {i} بعد معارك.</p>"
                   for i in range(6))
    page.write_text(f"<html><head><title>خبر</title></head><body><nav>القائمة</nav><article>{body}"
                    "</article></body></html>", encoding="utf-8")
    gz = tmp_path / "a.jsonl.gz"
    gz.write_bytes(gzip.compress(json.dumps({"id": "z", "text": "نص الخبر"}, ensure_ascii=False).encode()))
    r = run("extract", str(page), str(gz), "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == ["page", "z"]
    assert "القائمة" not in json.dumps(recs[0]["sentences"], ensure_ascii=False)


BAD_INPUTS = {
    "empty.txt": (b"", "empty"),
    "blob.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
    "latin1.txt": ("قال".encode("utf-8") + "é".encode("latin-1"), "not valid UTF-8"),
    "notes.docx": (b"PK\x03\x04", "unknown file type"),
    "bad.jsonl": ((json.dumps({"id": "ok", "text": "قال المسؤول"}) + "\n" + json.dumps({"id": "x"}) + "\n"
                   + json.dumps({"id": "d", "text": "نص", "date": "19/03/2019"}) + "\n{oops\n").encode(),
                  None),
}


def test_extract_bad_inputs_each_get_one_line_and_exit_2(tmp_path):
    paths = []
    for name, (data, _) in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    big = tmp_path / "big.txt"
    big.write_bytes(("قال المسؤول إن القوات تقدمت. " * 2_000_000).encode()[:50 * 1024 * 1024])
    good = tmp_path / "good.txt"
    good.write_text("الموصل - قال مسؤول إن القوات تقدمت.", encoding="utf-8")
    r = run("extract", *paths, str(big), str(good), str(tmp_path / "missing.txt"), "--format", "jsonl")
    assert r.returncode == 2
    errors = [line for line in r.stderr.strip().splitlines() if not line.startswith("marsad: warning: ")]
    for name, (_, problem) in BAD_INPUTS.items():
        if problem:
            assert any(name in e and problem in e for e in errors), (name, errors)
    assert any("bad.jsonl:2" in e and "'text'" in e for e in errors)
    assert any("bad.jsonl:3" in e and "malformed date" in e for e in errors)
    assert any("bad.jsonl:4" in e and "invalid JSON" in e for e in errors)
    assert any("big.txt" in e and "too large" in e for e in errors)
    assert any("missing.txt" in e and "no such file" in e for e in errors)
    assert all(e.startswith("marsad: error: ") for e in errors)
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["ok", "good"]


def test_extract_malformed_date_option(tmp_path):
    r = run("extract", str(SEED_TEXT), "--date", "2019-13-45")
    assert r.returncode == 2 and "malformed date '2019-13-45'" in r.stderr and r.stdout == ""


def test_extract_table_has_headers_and_no_python_none_in_100_columns():
    r = run("extract", "examples/", "--format", "table")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "None" not in r.stdout and "=" not in r.stdout
    headers = [line.split() for line in lines if line.startswith("Date ")]
    assert headers == [["Date", "Type", "Actors", "Place", "Counts"]] * 2       # one events table per article
    assert sum(line.startswith("Metric ") for line in lines) == 2 and sum(line.startswith("Kind ") for line in lines) == 2
    assert "killed 3" in r.stdout and "injured 7" in r.stdout and "detained 12" in r.stdout
    aleppo_events = r.stdout.split("example-mosul-arrests")[0].split("Figures")[0]
    assert "detained" not in aleppo_events                                  # not given: not shown
    assert "iraqi_forces" not in r.stdout                                   # ids become registry names


def test_extract_table_names_places_and_counts():
    from marsad.output import to_record
    from marsad.table import render
    from store_helpers import syria_article, yemen_article

    wide = render(to_record(syria_article()), width=400)          # one line per row: phrases stay whole
    assert "Al Baghuz Fawqani (الباغوز فوقاني), Deir ez-Zor, Syria · precision 1 (exact)" in wide
    assert "Al-Hasakah (الحسكة), Syria · no coordinates" in wide          # admin1 = the name: said once
    assert "Syrian Democratic Forces (SDF) (قوات سوريا الديمقراطية) → Islamic State (ISIS, Daesh) (داعش)" in wide
    assert "unidentified → Civilians (Syria) (مدنيا)" in wide
    assert "killed 12" in wide and "detained 30" in wide and ">66,000" in wide
    assert "(Syrian Democratic Forces (SDF))" in wide                      # the quote's organisation, by name
    yemen = render(to_record(yemen_article()), width=400)
    assert "no place" in yemen and "injured 3" in yemen and "None" not in yemen
    for width in (100, 60):
        assert max(map(len, render(to_record(syria_article()), width=width).splitlines())) <= width
