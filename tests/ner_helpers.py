"""Checks shared by the tests of both NER model kinds."""
from click.testing import CliRunner

from marsad.cli import main


def assert_tag_writes_token_tab_tag_lines(model, tmp_path) -> None:
    """`marsad ner tag --conll`: one `token<TAB>tag` line per token, a blank line after each sentence."""
    src = tmp_path / "in.txt"
    src.write_text("أعلن O\nوزير O\nالخارجية O\n\nفي O\nبغداد B-LOC\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["ner", "tag", "--conll", str(src), "--model", str(model)])
    assert r.exit_code == 0, r.output
    lines = r.output.split("\n")
    assert lines[3] == "" and lines[6] == "" and len(lines) == 8
    rows = [ln.split("\t") for ln in lines if ln]
    assert [t for t, _ in rows] == ["أعلن", "وزير", "الخارجية", "في", "بغداد"]
    assert all(len(r) == 2 and (r[1] == "O" or r[1][:2] in ("B-", "I-")) for r in rows)
