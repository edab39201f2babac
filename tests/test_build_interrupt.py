"""An interrupted ``kg build`` leaves the previous complete output, or a complete new one, or none.

Real ``kg build`` processes are stopped with SIGINT or SIGTERM at random moments (seeded, printed on
failure) while they rebuild over a previous output. Afterwards the output directory must be exactly
the previous build (every file byte-identical), or a complete new build (every file build.json lists
is present with its sha256, nothing else), or absent -- never a mix, never a partial file.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXTRA_ROW = ("OMIM:6100{n:02d}\tInterrupted build test disease {n}\t\tHP:0001250\tPMID:1\tPCS\t\t\t\t\tP\t"
             "HPO:tester[2025-01-01]\n")


def _snapshot(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _is_complete_build(out: Path) -> bool:
    """build.json names every graph file with its sha256; all present, nothing else but the store."""
    summary = json.loads((out / "build.json").read_text(encoding="utf-8"))
    listed = {f["name"]: f["sha256"] for f in summary["files"]}
    present = {p.name for p in out.iterdir() if p.is_file()} - {"build.json"}
    if present != set(listed):
        return False
    return all(hashlib.sha256((out / name).read_bytes()).hexdigest() == sha for name, sha in listed.items()) \
        and (out / "store").is_dir()


def _command(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "build", "--inputs", str(inputs), "--out", str(out),
            "--no-default-documents", "--store"]  # the store too: the longest step, interrupted as well


def _env() -> dict[str, str]:
    return {**os.environ, "KG_PROGRESS": "0", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def inputs(slice_inputs) -> Path:
    return slice_inputs


def test_interrupted_builds_leave_previous_or_complete_output(inputs, tmp_path):
    out = tmp_path / "build"
    start = time.perf_counter()
    subprocess.run(_command(inputs, out), check=True, capture_output=True, env=_env())
    duration = time.perf_counter() - start
    previous = _snapshot(out)
    assert _is_complete_build(out)
    rng = random.Random(20250116)
    trials = [(sig, rng.uniform(0.05, duration * 1.1)) for sig in (signal.SIGINT, signal.SIGTERM) for _ in range(3)]
    outcomes = []
    for n, (sig, delay) in enumerate(trials):
        with open(inputs / "phenotype.hpoa", "a", encoding="utf-8") as handle:  # each rebuild differs
            handle.write(EXTRA_ROW.format(n=n))
        proc = subprocess.Popen(_command(inputs, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
        time.sleep(delay)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        where = f"trial {n}: {signal.Signals(sig).name} after {delay:.2f} s (exit {proc.returncode})"
        if not out.exists():
            outcome = "none"
        elif _snapshot(out) == previous:
            outcome = "previous"
        else:
            assert _is_complete_build(out), f"{where}: partial output {sorted(_snapshot(out))}"
            assert f"OMIM:6100{n:02d}" in (out / "hpoa.ttl").read_text(), f"{where}: output of another build"
            outcome = "new"
        if proc.returncode == 130:
            assert b"kg build: interrupted" in err, where
        assert b"Traceback" not in err or proc.returncode not in (0, 2), f"{where}: {err.decode()[-500:]}"
        outcomes.append((where, outcome))
        if outcome != "previous":  # the next trial rebuilds over whatever is there now
            subprocess.run(_command(inputs, out), check=True, capture_output=True, env=_env())
            previous = _snapshot(out)
    # a later build cleans up what killed builds left beside the output
    subprocess.run(_command(inputs, out), check=True, capture_output=True, env=_env())
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))
    assert leftovers == [], f"left beside the output: {leftovers}; trials: {outcomes}"
    assert _is_complete_build(out)
    assert {o for _, o in outcomes} <= {"previous", "new", "none"}
