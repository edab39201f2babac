#!/usr/bin/env python
"""Phenotype similarity benchmark: this project's rankings against hpo3 and pyhpo, one run.

Simulated patients, the standard way (Phenomizer, Koehler et al. 2009): pick a random disease
with at least 5 phenotype annotations, take 5 of its phenotype terms (noiseless); replace each
by one of its parents with probability 0.5 (imprecise); add 2 terms drawn uniformly from the
Phenotypic abnormality subontology (noisy). The three sets share the disease and base draws of
each patient (a paired comparison); fixed seed; ``--patients`` (default 1,000) per set.

Every method ranks the same 12,680 disease profiles (positive phenotype annotations of
phenotype.hpoa 2025-01-16), and recall of the true disease is reported twice: among all of
them, and among the diseases that could have been simulated (>= 5 phenotype terms), so that a
ranking cannot win by burying short profiles. Ties count half (the expected rank when ties
are broken at random).

Rows: this project's default ranking (``calibrated``), its plain BMA-Resnik and funSimAvg-
Resnik (IC over all diseases), ablations of the default (excluded findings / NOT annotations
off, frequency weighting on), hpo3 1.5.1 funSimAvg and BMA (Resnik, IC kind "omim", the only
disease corpus both peers offer; profiles given as HPOSets of the same terms) and pyhpo 4.0.0
funSimAvg-Resnik -- pyhpo is pure Python (seconds per patient), so it is measured on the first
``--pyhpo-patients`` patients of each set only and its recall is printed for that subset.
Supplementary rows show the knowledge the peers cannot use, on noisy patients given (a) their
disease's annotated onset, (b) one excluded finding (a phenotype of another disease that the
true disease lacks) -- by construction these can only help; they measure how much.

Speed: time per patient is scoring all diseases (and, for hpo3, its own parallel batch call on
both cores); ours is single-threaded. Load time is measured in a fresh process. Timings share
the machine with whatever else runs: compare within one run.

hpo3 and pyhpo both install a top-level ``pyhpo`` module, so each peer runs in its own
subprocess; hpo3 is installed with ``pip install --no-deps --target`` into the cache directory
when absent (``--hpo3-path`` to point elsewhere).

    python benchmarks/similarity.py                      # everything, 1,000 patients per set
    python benchmarks/similarity.py --patients 200 --pyhpo-patients 5 --no-all-pairs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np

SETS = ("noiseless", "imprecise", "noisy")
HPO3_VERSION = "1.5.1"
PYHPO_VERSION = "4.0.0"


# -- simulation ----------------------------------------------------------------------------------
def parents_of(index) -> dict[int, np.ndarray]:
    lc, ls, lpp, lpar = (index.level_children, index.level_seg, index.level_pptr,
                         index.level_parents)
    ends = np.append(ls[1:], lpp[-1])
    return {int(c): lpar[s:e] for c, s, e in zip(lc, ls, ends)}


def simulate(index, n: int, seed: int) -> list[dict[str, object]]:
    """Phenomizer-style patients: the three sets derived from the same draws."""
    rng = np.random.default_rng(seed)
    eligible = np.flatnonzero(index.profile_sizes >= 5)
    pheno = np.flatnonzero(index.phenotype_mask)
    pheno = pheno[pheno != index.term_index["HP:0000118"]]
    parents = parents_of(index)
    patients = []
    for _ in range(n):
        d = int(rng.choice(eligible))
        base = rng.choice(index.profile(d), 5, replace=False).astype(np.int64)
        imprecise = np.array([rng.choice(parents[int(t)]) if rng.random() < 0.5 else t for t in base])
        noisy = np.concatenate([imprecise, rng.choice(pheno, 2)])
        other = int(rng.choice(eligible))
        closure = set(index.clos_indices[index.clos_indptr[d]:index.clos_indptr[d + 1]].tolist())
        candidates = [t for t in index.profile(other).tolist() if t not in closure]
        excluded = int(rng.choice(candidates)) if candidates else None
        onsets = index.onset_indices[index.onset_indptr[d]:index.onset_indptr[d + 1]]
        onset = int(rng.choice(onsets)) if len(onsets) else None
        patients.append({"disease": d, "noiseless": _dedupe(base), "imprecise": _dedupe(imprecise),
                         "noisy": _dedupe(noisy), "excluded": excluded, "onset": onset})
    return patients


def _dedupe(terms: np.ndarray) -> list[int]:
    return list(dict.fromkeys(int(t) for t in terms))


def rank_of(scores: np.ndarray, true: int, mask: np.ndarray | None = None) -> float:
    """1 + number of better-scored diseases + half the ties (expected rank, random tie-break)."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    s = scores[true]
    return 1.0 + float((scores > s).sum()) + (float((scores == s).sum()) - 1.0) / 2.0


# -- peers (each in its own process) --------------------------------------------------------------------
def worker(which: str, request_path: str) -> None:
    """Score patients with hpo3 or pyhpo; write ranks and timings as JSON to stdout."""
    with open(request_path) as handle:
        req = json.load(handle)
    if which == "hpo3":
        sys.path.insert(0, req["hpo3_path"])
    else:
        sys.path = [p for p in sys.path if "peers" not in p]
    import pyhpo
    from pyhpo import HPOSet, Ontology

    backend = getattr(pyhpo, "__backend__", "pyhpo")
    expected = HPO3_VERSION if which == "hpo3" else PYHPO_VERSION
    if pyhpo.__version__ != expected or (which == "hpo3") != (backend == "hpo3"):
        raise SystemExit(f"{which}: found pyhpo {pyhpo.__version__} backend {backend}, expected {expected}")
    t = time.perf_counter()
    if which == "hpo3":
        Ontology(req["data"], from_obo_file=True)
    else:
        Ontology()
    load = time.perf_counter() - t
    version = Ontology.version() if which == "hpo3" else None
    diseases = [HPOSet.from_queries(p) for p in req["profiles"]]
    eligible = np.array(req["eligible"], dtype=bool)
    out: dict[str, object] = {"load": load, "version": version, "backend": backend, "runs": {}}
    for combine in req["combines"]:
        for name in SETS:
            ranks, times, scores_kept = [], [], []
            for i, (true, terms) in enumerate(zip(req["truth"], req["sets"][name])):
                if i >= req["limit"]:
                    break
                patient = HPOSet.from_queries(terms)
                t = time.perf_counter()
                if which == "hpo3":
                    scores = np.array(patient.similarity_scores(diseases, kind="omim", method="resnik",
                                                                combine=combine))
                else:
                    scores = np.array([patient.similarity(d, kind="omim", method="resnik", combine=combine)
                                       for d in diseases])
                times.append(time.perf_counter() - t)
                ranks.append((rank_of(scores, true), rank_of(scores, true, eligible)))
                if i < req["keep_scores"]:
                    scores_kept.append(scores.tolist())
            out["runs"][f"{combine}/{name}"] = {"ranks": ranks, "times": times, "scores": scores_kept}  # type: ignore[index]
            print(f"  {which} {combine} {name}: {len(ranks)} patients, {sum(times):.0f} s", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)


def ensure_hpo3(path: Path) -> Path:
    if not (path / "pyhpo" / "__init__.py").exists():
        print(f"installing hpo3=={HPO3_VERSION} into {path} (pip --target; it clashes with pyhpo otherwise)",
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(path),
                        f"hpo3=={HPO3_VERSION}"], check=True)
    return path


def peer_data_folder(workdir: Path) -> Path:
    """hp.obo, phenotype.hpoa, genes_to_phenotype.txt of the vendored release, uncompressed."""
    import gzip

    from kg import paths
    folder = workdir / "hpo-data"
    folder.mkdir(exist_ok=True)
    for src, name in ((paths.HP_OBO, "hp.obo"), (paths.HPOA, "phenotype.hpoa"),
                      (REPO.parent / "shared" / "hpo" / "genes_to_phenotype.txt.gz", "genes_to_phenotype.txt")):
        data = Path(src).read_bytes()
        (folder / name).write_bytes(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    return folder


def run_peer(which: str, request: dict[str, object], workdir: Path) -> dict[str, object]:
    path = workdir / f"{which}-request.json"
    path.write_text(json.dumps(request))
    began = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--worker", which, str(path)], stdout=subprocess.PIPE,
                          text=True, check=False)  # the worker's progress goes straight to our stderr
    if done.returncode:
        raise SystemExit(f"{which} worker failed (exit {done.returncode}); see its messages above")
    result = json.loads(done.stdout)
    result["wall"] = time.perf_counter() - began
    return result


# -- this project -------------------------------------------------------------------------------------
def run_ours(index, patients, eligible) -> dict[str, dict[str, object]]:
    from kg.similarity import ranking, sets

    runs: dict[str, dict[str, object]] = {}

    def record(key: str, fn, key_set: str) -> None:
        ranks, times = [], []
        for p in patients:
            q = np.array(p[key_set], dtype=np.int64)
            t = time.perf_counter()
            scores = fn(q, p)
            times.append(time.perf_counter() - t)
            ranks.append((rank_of(scores, p["disease"]), rank_of(scores, p["disease"], eligible)))
        runs[f"{key}/{key_set}"] = {"ranks": ranks, "times": times}
        print(f"  rdkg {key} {key_set}: {len(ranks)} patients, {sum(times):.1f} s", file=sys.stderr, flush=True)

    plain = ranking.Options(excluded=False, onset=False)
    freq = ranking.Options(frequency=True)
    for name in SETS:
        record("default", lambda q, p: ranking.evidence(index, q).score, name)
        record("bma", lambda q, p: sets.score(index, q, method="resnik", combine="bma"), name)
        record("funSimAvg", lambda q, p: sets.score(index, q, method="resnik", combine="funSimAvg"), name)
        record("default-no-excluded", lambda q, p: ranking.evidence(index, q, options=plain).score, name)
        record("default+frequency", lambda q, p: ranking.evidence(index, q, options=freq).score, name)
        record("funSimAvg-omim", lambda q, p: sets.score(index, q, method="resnik", combine="funSimAvg",
                                                         corpus="omim"), name)

    def with_onset(q, p):
        onset = np.array([p["onset"]] if p["onset"] is not None else [], dtype=np.int64)
        return ranking.evidence(index, q, onset=onset).score

    def with_excluded(q, p):
        ex = np.array([p["excluded"]] if p["excluded"] is not None else [], dtype=np.int64)
        return ranking.evidence(index, q, excluded=ex).score

    record("default+onset", with_onset, "noisy")
    record("default+excluded", with_excluded, "noisy")
    return runs


def timed_subprocess(code: str) -> tuple[float, float]:
    """(seconds printed by ``code``, peak RSS in MB of the child)."""
    import resource

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(REPO), check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return float(done.stdout.strip().splitlines()[-1]), peak


def summarise(runs: dict[str, dict[str, object]], key: str) -> tuple[str, ...] | None:
    run = runs.get(key)
    if not run or not run["ranks"]:
        return None
    r = np.array(run["ranks"])
    t = np.array(run["times"]) * 1000
    return (f"{np.mean(r[:, 0] <= 1) * 100:5.1f}", f"{np.mean(r[:, 0] <= 10) * 100:5.1f}",
            f"{np.mean(r[:, 1] <= 1) * 100:5.1f}", f"{np.mean(r[:, 1] <= 10) * 100:5.1f}",
            f"{np.median(t):8.1f}", f"{len(r):5d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20250116)
    ap.add_argument("--pyhpo-patients", type=int, default=10, help="patients per set scored with pyhpo")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-all-pairs", action="store_true")
    ap.add_argument("--hpo3-path", type=Path, default=None)
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write every rank and time as JSON")
    ap.add_argument("--worker", nargs=2, metavar=("PEER", "REQUEST"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    from kg import paths
    from kg.similarity import index as similarity_index
    from kg.similarity import ranking

    load_s, _ = timed_subprocess("import time; t = time.perf_counter(); from kg.similarity import index, ranking; "
                                 "ix = index.load(); ranking.surprise(ix, 'all'); print(time.perf_counter() - t)")
    index = similarity_index.load()
    ranking.surprise(index, "all")
    ranking.surprise(index, "omim")
    eligible = index.profile_sizes >= 5
    patients = simulate(index, args.patients, args.seed)
    print(f"{len(patients)} patients per set, seed {args.seed}; {index.n_diseases} diseases "
          f"({int(eligible.sum())} with >= 5 phenotype terms); HPO {index.hpo_version}, HPOA {index.hpoa_version}",
          flush=True)
    runs = run_ours(index, patients, eligible)
    peers: dict[str, dict[str, object]] = {}
    max_diff = None
    if not args.no_peers:
        workdir = Path(tempfile.mkdtemp(prefix="rdkg-simbench-"))
        hpo3_path = ensure_hpo3(args.hpo3_path or paths.cache_dir() / "peers" / f"hpo3-{HPO3_VERSION}")
        request = {"data": str(peer_data_folder(workdir)), "hpo3_path": str(hpo3_path),
                   "profiles": [index.term_ids[index.profile(d)].tolist() for d in range(index.n_diseases)],
                   "eligible": eligible.tolist(), "truth": [p["disease"] for p in patients],
                   "sets": {name: [index.term_ids[p[name]].tolist() for p in patients] for name in SETS},
                   "combines": ["funSimAvg", "BMA"], "limit": len(patients), "keep_scores": 3}
        peers["hpo3"] = run_peer("hpo3", request, workdir)
        request.update(combines=["funSimAvg"], limit=args.pyhpo_patients, keep_scores=0)
        peers["pyhpo"] = run_peer("pyhpo", request, workdir)
        from kg.similarity import sets
        diffs = []
        for name in SETS:
            for p, kept in zip(patients, peers["hpo3"]["runs"][f"funSimAvg/{name}"]["scores"]):
                ours = sets.score(index, np.array(p[name]), method="resnik", combine="funSimAvg", corpus="omim")
                diffs.append(float(np.max(np.abs(ours - np.array(kept)))))
        max_diff = max(diffs)

    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "patients": len(patients), "ours": runs,
                                         "peers": {k: v["runs"] for k, v in peers.items()}}))
    header = f"{'method':42s} {'set':10s} {'top1':>5s} {'top10':>5s} | {'top1':>5s} {'top10':>5s} | {'ms/pat':>8s} {'n':>5s}"
    print("\nrecall of the true disease (%): among all 12,680 diseases | among those with >= 5 phenotype terms")
    print(header)
    print("-" * len(header))
    rows = [("this project: default (calibrated)", runs, "default"),
            ("this project: BMA-Resnik", runs, "bma"), ("this project: funSimAvg-Resnik", runs, "funSimAvg"),
            ("this project: funSimAvg-Resnik (omim IC)", runs, "funSimAvg-omim"),
            ("  default without excluded/NOT", runs, "default-no-excluded"),
            ("  default + frequency weighting", runs, "default+frequency")]
    if peers:
        rows += [(f"hpo3 {HPO3_VERSION} funSimAvg-Resnik", peers["hpo3"]["runs"], "funSimAvg"),
                 (f"hpo3 {HPO3_VERSION} BMA-Resnik", peers["hpo3"]["runs"], "BMA"),
                 (f"pyhpo {PYHPO_VERSION} funSimAvg-Resnik (subset)", peers["pyhpo"]["runs"], "funSimAvg")]
    for label, source, key in rows:
        for name in SETS:
            s = summarise(source, f"{key}/{name}")
            if s:
                print(f"{label:42s} {name:10s} {s[0]} {s[1]} | {s[2]} {s[3]} | {s[4]} {s[5]}")
    print("\nsupplementary (noisy patients + knowledge the peers cannot use; favourable by construction):")
    for label, key in (("default, + disease's annotated onset", "default+onset/noisy"),
                       ("default, + one excluded finding", "default+excluded/noisy")):
        s = summarise(runs, key)
        if s:
            print(f"{label:42s} {'noisy':10s} {s[0]} {s[1]} | {s[2]} {s[3]} | {s[4]} {s[5]}")
    print(f"\nload (fresh process, warm cache: index + calibration): {load_s:.2f} s")
    q_times = np.array(runs["default/noisy"]["times"]) * 1000
    print(f"one query, default ranking, 7 terms vs {index.n_diseases} diseases: median {np.median(q_times):.1f} ms, "
          f"p95 {np.percentile(q_times, 95):.1f} ms")
    if peers:
        h, p = peers["hpo3"], peers["pyhpo"]
        print(f"hpo3 load from obo {h['load']:.2f} s (release {h['version']}); pyhpo load {p['load']:.1f} s")
        print(f"max |funSimAvg-Resnik(omim) ours - hpo3| over {3 * len(SETS)} patients x {index.n_diseases} "
              f"diseases: {max_diff:.2e}")
    if not args.no_all_pairs:
        with tempfile.TemporaryDirectory() as tmp:
            code = ("import time; t = time.perf_counter(); from kg.similarity import index, pairs; "
                    f"s = pairs.write_all_pairs(index.load(), {str(Path(tmp) / 'pairs.npz')!r}); "
                    "print(time.perf_counter() - t)")
            seconds, peak = timed_subprocess(code)
            size = (Path(tmp) / "pairs.npz").stat().st_size
        print(f"all pairs ({index.n_diseases}^2, BMA-Resnik) to .npz: {seconds:.1f} s, peak RSS {peak:.0f} MB, "
              f"{size / 1e6:.0f} MB file")


if __name__ == "__main__":
    os.environ.setdefault("KG_PROGRESS", "0")
    main()
