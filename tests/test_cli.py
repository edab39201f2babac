"""The ``kg`` command line: help, argument errors as one line without a traceback, the registries."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg.commands
import kg.sources
from kg.cli import COMMANDS, parser
from kg.sources import SOURCES
from tests.conftest import FIXTURES


def kg_run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower()]


def test_console_script_help():
    exe = shutil.which("kg")
    assert exe is not None, "the console script `kg` is not installed (pip install -e '.[test]')"
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == ""
    for name in COMMANDS:
        assert name in done.stdout


def test_build_help_lists_its_options():
    done = kg_run("build", "--help")
    assert done.returncode == 0
    for option in ("--out", "--format", "--compress", "--base-iri", "--inputs", "--no-store"):
        assert option in done.stdout
    assert "turtle" in done.stdout and "ntriples" in done.stdout


def test_version():
    done = kg_run("--version")
    assert done.returncode == 0 and done.stdout.startswith("kg ")


@pytest.mark.parametrize("args", [
    (),
    ("frobnicate",),
    ("build", "--format", "xml"),
    ("build", "--out"),
    ("build", "--no-such-option"),
])
def test_wrong_arguments_exit_non_zero_with_one_error_line(args):
    done = kg_run(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(error_lines(done.stderr)) == 1, done.stderr
    assert done.stdout == ""


def test_project_errors_are_one_line_without_traceback(tmp_path):
    done = kg_run("build", "--inputs", str(tmp_path / "absent"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("kg build: error: ")
    assert str(tmp_path / "absent") in done.stderr


@pytest.mark.parametrize("args", [("--base-iri", "not-an-iri"), ("--base-iri", "https://a.org/no-slash")])
def test_bad_base_iri_is_refused_before_anything_is_written(tmp_path, args):
    done = kg_run("build", "--out", str(tmp_path / "out"), "--no-store", *args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert error_lines(done.stderr) == [done.stderr.splitlines()[-1]]
    assert "base IRI" in done.stderr
    assert not (tmp_path / "out").exists()


def test_refuses_a_directory_that_is_not_a_build(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    done = kg_run("build", "--out", str(tmp_path / "mine"), "--no-store")
    assert done.returncode == 2 and "refusing to replace" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_small_build_prints_a_summary_table(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "hp.obo").write_bytes((FIXTURES / "hp-slice.obo").read_bytes())
    (inputs / "phenotype.hpoa").write_bytes((FIXTURES / "mini.hpoa").read_bytes())
    done = kg_run("build", "--inputs", str(inputs), "--out", str(tmp_path / "out"), "--no-store",
                  "--no-default-documents", "--format", "turtle", "--format", "ntriples")
    assert done.returncode == 0, done.stderr
    rows = dict(re.findall(r"(?m)^  (\S.*?)\s{2,}([\d,]+)$", done.stderr))
    assert rows["diseases"] == "6" and rows["negated (NOT) associations"] == "3"
    assert "hpoa-row" in done.stderr and "hpo-id-alt-id" in done.stderr  # what was skipped or changed, and why
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "build.json", "dataset.nt", "dataset.ttl", "hpo.nt", "hpo.ttl", "hpoa.nt", "hpoa.ttl"]


# -- registries -----------------------------------------------------------------------------------------

def _modules(package) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}


def test_commands_registry_lists_every_command_module():
    assert set(COMMANDS) == _modules(kg.commands), "add the module to kg.cli.COMMANDS (or remove it)"
    assert len(COMMANDS) == len(set(COMMANDS))
    subcommands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(subcommands) >= set(COMMANDS)
    for name in COMMANDS:
        assert callable(importlib.import_module(f"kg.commands.{name}").register)
        assert subcommands[name].get_default("func") is not None, name


def _defines_read(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == "read" for node in tree.body)


def test_sources_registry_lists_every_reader_module():
    folder = Path(kg.sources.__file__).parent
    readers = {name for name in _modules(kg.sources) if _defines_read(folder / f"{name}.py")}
    assert readers, "no reader modules found"
    assert readers <= set(SOURCES), f"reader modules missing from kg.sources.SOURCES: {sorted(readers - set(SOURCES))}"
    assert set(SOURCES) <= _modules(kg.sources), "SOURCES names a module that does not exist"
    assert all(isinstance(text, str) and text for text in SOURCES.values())
    assert "hpoa" in SOURCES
