"""``kg similar``: query forms, output formats, all-pairs, and one-line errors.

Most cases run on the small fixture (``--hpo-file`` / ``--hpoa``) in-process through
``kg.cli.main``; the ``--text`` case uses the full vendored HPO (the recogniser's lexicon).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "similarity"
FILES = ("--hpo-file", str(FIXTURE / "hp.obo"), "--hpoa", str(FIXTURE / "phenotype.hpoa"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["similar", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_hpo_query_as_json(capsys):
    code, out, _ = run(capsys, "--hpo", "HP:0002105,HP:0001891", "--hpo", "HP:0005828", "--format", "json",
                       "--top", "2", *FILES)
    assert code == 0
    data = json.loads(out)
    assert data["method"] == "calibrated" and data["corpus"] == "all" and data["candidates"] == 10
    assert data["observed"] == ["HP:0002105", "HP:0001891", "HP:0005828"]
    assert {h["disease"] for h in data["hits"]} == {"OMIM:600001", "ORPHA:1001"}
    assert [h["rank"] for h in data["hits"]] == [1, 2]
    top = next(h for h in data["hits"] if h["disease"] == "OMIM:600001")
    assert top["name"] == "Test pulmonary bleeding disease"
    assert {m["query"] for m in top["matches"]} == set(data["observed"])
    assert data["hpo_version"] == "2025-01-16"


def test_excluded_and_onset_show_in_the_table(capsys):
    code, out, _ = run(capsys, "--hpo", "HP:0002105", "--not", "HP:0001891", "--onset", "HP:0003581", *FILES)
    assert code == 0
    assert "1 observed, 1 excluded, 1 onset term(s); method calibrated" in out
    assert "against: has excluded HP:0001891 (Iron deficiency anemia)" in out
    assert "against: annotated onset differs from the patient's" in out


def test_disease_query_leaves_the_disease_out(capsys):
    code, out, _ = run(capsys, "--disease", "OMIM:600001", "--format", "tsv", *FILES)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == ["rank", "disease", "name", "score", "shared", "best_matches", "conflicts"]
    rows = {line.split("\t")[1]: line.split("\t") for line in lines[1:]}
    assert "OMIM:600001" not in rows
    # ORPHA:1001 shares most terms but is annotated NOT pulmonary fibrosis, which OMIM:600001 has
    assert "annotated NOT HP:0002206" in rows["ORPHA:1001"][6]
    assert lines[1].split("\t")[1] == "OMIM:600003"


@pytest.mark.parametrize("method", ["bma", "funSimAvg", "funSimMax", "one-sided", "simgic"])
def test_plain_methods_are_selectable(capsys, method):
    code, out, err = run(capsys, "--hpo", "HP:0002105", "--not", "HP:0001891", "--method", method,
                         "--measure", "lin", "--corpus", "omim", "--format", "json", *FILES)
    assert code == 0
    data = json.loads(out)
    assert (data["method"], data["measure"], data["corpus"], data["candidates"]) == (method, "lin", "omim", 6)
    assert "ignores excluded findings" in err


def test_all_pairs_writes_the_matrix(capsys, tmp_path):
    target = tmp_path / "out" / "pairs.npz"
    code, out, _ = run(capsys, "--all-pairs", str(target), "--method", "funSimAvg", *FILES)
    assert code == 0 and f"wrote {target}: 10 x 10 funSimAvg-resnik scores" in out
    with np.load(target) as data:
        assert data["scores"].shape == (10, 10)


@pytest.mark.parametrize("args, message", [
    ((), "give exactly one of --disease, --hpo, --text, --all-pairs"),
    (("--hpo", "HP:0002105", "--disease", "OMIM:600001"), "give exactly one"),
    (("--disease", "OMIM:999999"), "OMIM:999999 has no phenotype annotations"),
    (("--hpo", "HP:9999999"), "no usable observed HPO term"),
    (("--hpo", "HP:0002105", "--method", "calibrated", "--measure", "jc"), "built on Resnik"),
    (("--hpo", "HP:0002105", "--top", "0"), "--top must be at least 1"),
    (("--all-pairs", "x.npz", "--method", "calibrated"), "--all-pairs needs a set similarity"),
    (("--text", "/nonexistent/case.txt"), "cannot read text"),
])
def test_errors_are_one_line(capsys, args, message):
    code, out, err = run(capsys, *args, *FILES)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("kg similar: error:") and message in err


@pytest.mark.slow
def test_text_query_through_the_recogniser(capsys, tmp_path):
    case = tmp_path / "case.txt"
    case.write_text("A 40-year-old man presented with recurrent hemoptysis and iron deficiency anemia. "
                    "Chest imaging showed transient pulmonary infiltrates. He had no fever. "
                    "His mother had hypertension.\n", encoding="utf-8")
    code, out, _ = run(capsys, "--text", str(case), "--format", "json", "--top", "5")
    assert code == 0
    data = json.loads(out)
    assert {"HP:0002105", "HP:0001891", "HP:0005828"} <= set(data["observed"])
    assert "HP:0001945" in data["excluded"]            # "no fever"
    assert "HP:0000822" not in data["observed"]        # the mother's hypertension
    assert any(m["context"] == "family" for m in data["mentions"])
    assert data["hits"][0]["disease"] in {"OMIM:178550", "ORPHA:99931"}
