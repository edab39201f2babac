"""``kg annotate``: table, TSV and JSON output; standard input; errors as one line."""

from __future__ import annotations

import io
import json

import pytest

from kg.cli import main
from tests.conftest import FIXTURES

TEXT = "No rash, arthralgia or myalgia,\tbut she was coughing up blood.\nHer mother has anaemia.\n"


@pytest.fixture()
def note(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_json_lists_every_mention_with_offsets(note, capsys):
    assert main(["annotate", str(note), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["hpo_id"] for r in rows] == ["HP:0000988", "HP:0002829", "HP:0003326", "HP:0002105", "HP:0001903"]
    for r in rows:
        assert TEXT[r["start"]:r["end"]] == r["text"]
    assert [r["negated"] for r in rows] == [True, True, True, False, False]
    assert rows[-1]["context"] == "family" and rows[-1]["sentence"] == "Her mother has anaemia."


def test_tsv_has_a_header_and_one_line_per_mention(note, capsys):
    assert main(["annotate", str(note), "--format", "tsv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["start", "end", "hpo_id", "label", "text", "negated", "context", "sentence"]
    assert len(lines) == 6 and all(len(line.split("\t")) == 8 for line in lines)


def test_table_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("Sensorineural hearing loss."))
    assert main(["annotate", "-", "--nested"]) == 0
    out = capsys.readouterr().out
    assert "HP:0000407" in out and "HP:0000365" in out and out.rstrip().endswith("2 mention(s)")


def test_another_hp_obo(note, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "seizures.txt").write_text("Seizures but no haemoptysis.", encoding="utf-8")
    assert main(["annotate", str(tmp_path / "seizures.txt"), "--hpo", str(FIXTURES / "hp-slice.obo"),
                 "--format", "tsv"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[2], r[5]) for r in rows] == [("HP:0001250", "False"), ("HP:0002105", "True")]


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.txt", "file not found"),
    (lambda p: p, "is a directory"),
    (lambda p: (p / "latin1.txt", (p / "latin1.txt").write_bytes(b"caf\xe9"))[0], "not UTF-8"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, make, message):
    assert main(["annotate", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("kg annotate: error:")
