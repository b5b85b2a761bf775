import json

from marsad.readers import read_inputs


def test_readers_jsonl_keeps_paragraph_separators_inside_strings(tmp_path):
    """A raw U+2029 inside a JSON string is not a line break (str.splitlines() thinks it is)."""
    path = tmp_path / "a.jsonl"
    records = [{"id": "a", "text": "سطر أول\u2029سطر ثان"}, {"id": "b", "text": "نص\u2028آخر\x85"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    got = list(read_inputs([str(path)]))
    assert [(a.id, a.text) for a in got] == [(r["id"], r["text"]) for r in records]
