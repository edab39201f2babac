#!/usr/bin/env python
"""GSC+ benchmark: this recogniser against FastHPOCR and fenominal, in the same run.

Scoring is the field's standard document-level one (as PhenoTagger and FastHPOCR report it):
for each abstract, the set of HPO IDs under Phenotypic abnormality (HP:0000118); gold IDs
from the 2017-era corpus are mapped to current IDs with the vendored hp.obo (alt_ids and
replaced obsolete terms), and so are the tools' outputs; micro precision, recall and F1 over
all (document, ID) pairs. GSC+ has no negation annotations, so a tool's negated mentions count
like any other (fenominal's "excluded" ones included).

Speed is documents per second in this one process after each tool's index is loaded, the
best of ``--repeat`` passes over the corpus, in wall-clock and in CPU time; load times (a
fresh process's first load of the cached index) are printed beside. Timings share the machine
with whatever else runs, so they are noisy: compare tools within one run.

Peers (pinned in pyproject's ``bench`` extra): FastHPOCR 0.1.4 (index built once from the
same hp.obo, needs pronto beside it; a few minutes the first time, then cached) and fenominal
0.3.4 (reads obographs JSON: converted once from the same hp.obo with pronto, whose export
drops synonyms, so they are put back from the ontology layer; cached).

    python benchmarks/recognize_gsc.py                       # all three tools, all 228 abstracts
    python benchmarks/recognize_gsc.py --split test          # PhenoTagger's 206-abstract test split
    python benchmarks/recognize_gsc.py --tools rdkg --errors /tmp/gsc-errors.tsv
    python benchmarks/recognize_gsc.py --ablation --split dev   # each mechanism left out in turn
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg import paths
from kg.ontology import PHENOTYPIC_ABNORMALITY, Ontology, sha256_of

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "gsc-plus"


@dataclass
class Result:
    tool: str
    mode: str
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    docs_per_s: float
    cpu_docs_per_s: float
    load_s: float
    predictions: dict[str, set[str]]


def read_corpus(corpus: Path, split: str) -> dict[str, str]:
    docs = {p.stem: p.read_text(encoding="utf-8") for p in sorted((corpus / "docs").glob("*.txt"))}
    if split != "all":
        keep = set((corpus / "splits" / f"phenotagger_{split}.txt").read_text().split())
        docs = {k: v for k, v in docs.items() if k in keep}
    if not docs:
        sys.exit(f"no documents in {corpus}/docs (split {split})")
    return docs


def current_phenotype(onto: Ontology, hpo_id: str) -> str | None:
    """The current ID of ``hpo_id`` when it is a phenotypic abnormality, else None."""
    current = onto.resolve(hpo_id).current
    return current if current and onto.is_a(current, PHENOTYPIC_ABNORMALITY) else None


def read_gold(corpus: Path, docs: dict[str, str], onto: Ontology) -> tuple[dict[str, set[str]], dict]:
    gold: dict[str, set[str]] = defaultdict(set)
    mentions: dict[tuple[str, str], list[str]] = defaultdict(list)
    with open(corpus / "gold.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["doc_id"] not in docs:
                continue
            current = current_phenotype(onto, row["hpo_id"])
            if current:
                gold[row["doc_id"]].add(current)
                mentions[(row["doc_id"], current)].append(row["mention"])
    return gold, mentions


def score(tool: str, mode: str, docs: dict[str, str], gold: dict[str, set[str]], onto: Ontology,
          annotate: Callable[[str], list[str]], load_s: float, repeat: int) -> Result:
    best = best_cpu = float("inf")
    predictions: dict[str, set[str]] = {}
    for _ in range(max(1, repeat)):
        start, start_cpu = time.perf_counter(), time.process_time()
        raw = {doc_id: annotate(text) for doc_id, text in docs.items()}
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    for doc_id, ids in raw.items():
        predictions[doc_id] = {c for c in (current_phenotype(onto, i) for i in ids) if c}
    tp = sum(len(predictions[d] & gold[d]) for d in docs)
    fp = sum(len(predictions[d] - gold[d]) for d in docs)
    fn = sum(len(gold[d] - predictions[d]) for d in docs)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Result(tool, mode, p, r, f, tp, fp, fn, len(docs) / best, len(docs) / max(best_cpu, 1e-9), load_s,
                  predictions)


# -- the tools -------------------------------------------------------------------------------
def rdkg_runs(onto: Ontology) -> list[tuple[str, str, Callable[[str], list[str]], float]]:
    from kg.recognize import Recognizer

    Recognizer.load()  # build the cached index if needed, outside the timing
    start = time.perf_counter()
    recognizer = Recognizer.load()
    load_s = time.perf_counter() - start
    return [
        ("rdkg", "longest match", lambda t: [m.hpo_id for m in recognizer.annotate(t)], load_s),
        ("rdkg", "with nested mentions", lambda t: [m.hpo_id for m in recognizer.annotate(t, nested=True)], load_s),
    ]


def _plain_obo(cache: Path) -> Path:
    obo = cache / "hp.obo"
    if not obo.exists():
        data = gzip.decompress(paths.HP_OBO.read_bytes()) if paths.HP_OBO.suffix == ".gz" \
            else paths.HP_OBO.read_bytes()
        obo.write_bytes(data)
    return obo


def _speed_up_fasthpocr_indexing() -> None:
    """FastHPOCR 0.1.4 serialises its index with a loop over all 573,507 vocabulary tokens
    for each of its clusters (hours on two shared cores). This replacement groups the tokens
    by cluster once and builds the very same lists, in the same order."""
    from FastHPOCR.cr.CRIndexKB import CRIndexKB

    def prepare(self, base_clusters):  # same contract as CRIndexKB.prepareClustersToSerialise
        by_cluster: dict = defaultdict(list)
        for token, cluster in base_clusters.items():
            by_cluster[cluster].append(token)
        for token, cluster in self.invertedClusters.items():
            self.clusters[cluster] = [token]
        for cluster, tokens in self.clusters.items():
            merged = list(by_cluster.get(cluster, ()))
            merged.extend(t for t in tokens if t not in merged)
            self.clusters[cluster] = merged

    CRIndexKB.prepareClustersToSerialise = prepare


def fasthpocr_runs(onto: Ontology) -> list[tuple[str, str, Callable[[str], list[str]], float]]:
    from FastHPOCR.HPOAnnotator import HPOAnnotator
    from FastHPOCR.IndexHPO import IndexHPO
    from FastHPOCR.util.CRConstants import HP_INDEX_FILE

    cache = paths.cache_dir() / f"fasthpocr-{sha256_of(paths.HP_OBO)[:20]}"
    cache.mkdir(parents=True, exist_ok=True)
    index_file = cache / HP_INDEX_FILE
    if not index_file.exists():
        print(f"building the FastHPOCR index in {cache} (minutes, once) ...", file=sys.stderr)
        _speed_up_fasthpocr_indexing()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            IndexHPO(str(_plain_obo(cache)), str(cache)).index()
    start = time.perf_counter()
    annotator = HPOAnnotator(str(index_file))
    load_s = time.perf_counter() - start

    def run(longest: bool) -> Callable[[str], list[str]]:
        return lambda t: [a.getHPOUri() for a in annotator.annotate(t, longestMatch=longest)]

    return [("FastHPOCR 0.1.4", "default (overlapping)", run(False), load_s),
            ("FastHPOCR 0.1.4", "longestMatch=True", run(True), load_s)]


_SYNONYM_PREDICATES = {"EXACT": "hasExactSynonym", "RELATED": "hasRelatedSynonym",
                       "BROAD": "hasBroadSynonym", "NARROW": "hasNarrowSynonym"}


def obographs(onto: Ontology, cache: Path) -> Path:
    """hp.obo as obographs JSON for fenominal: pronto's JSON export, with the synonyms it
    leaves out (its ``synonyms`` lists are empty) put back from the ontology layer."""
    import pronto

    graph = cache / "hp.json"
    if graph.exists():
        return graph
    print(f"converting hp.obo to obographs JSON for fenominal in {cache} ...", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ontology = pronto.Ontology(io.BytesIO(_plain_obo(cache).read_bytes()))
    buffer = io.BytesIO()
    ontology.dump(buffer, format="json")
    document = json.loads(buffer.getvalue())
    prefix = "http://purl.obolibrary.org/obo/HP_"
    for node in document["graphs"][0]["nodes"]:
        if not node["id"].startswith(prefix):
            continue
        term = onto.terms.get("HP:" + node["id"][len(prefix):])
        if term is not None:
            node.setdefault("meta", {})["synonyms"] = [
                {"pred": _SYNONYM_PREDICATES.get(s.scope, "hasRelatedSynonym"), "val": s.text, "xrefs": []}
                for s in term.synonyms]
    tmp = graph.with_suffix(".tmp")
    tmp.write_text(json.dumps(document), encoding="utf-8")
    tmp.replace(graph)
    return graph


def fenominal_runs(onto: Ontology) -> list[tuple[str, str, Callable[[str], list[str]], float]]:
    import fenominal

    cache = paths.cache_dir() / f"fenominal-{sha256_of(paths.HP_OBO)[:20]}-v2"
    cache.mkdir(parents=True, exist_ok=True)
    graph = obographs(onto, cache)
    start = time.perf_counter()
    miner = fenominal.Fenominal(str(graph))
    load_s = time.perf_counter() - start
    return [("fenominal 0.3.4", "default", lambda t: [h["termId"] for h in json.loads(miner.map_text(t))], load_s)]


TOOLS = {"rdkg": rdkg_runs, "fasthpocr": fasthpocr_runs, "fenominal": fenominal_runs}


def ablation_variants() -> list[tuple[str, object]]:
    """The default index, and one variant per optional mechanism left out (and per synonym
    scope choice): what each is worth on this corpus (docs/decisions/0007 keeps the record)."""
    from dataclasses import replace

    from kg.recognize.lexicon import DEFAULT_OPTIONS, FEATURES

    base = DEFAULT_OPTIONS
    out: list[tuple[str, object]] = [("default", base)]
    for feature in FEATURES:
        out.append((f"without {feature}", replace(base, features=tuple(f for f in base.features if f != feature))))
    for table in base.tables[1:]:
        out.append((f"without {table}", replace(base, tables=tuple(t for t in base.tables if t != table))))
    out.append(("exact synonyms only", replace(base, scopes=())))
    out.append(("+ related only", replace(base, scopes=("RELATED",))))
    out.append(("non-exact: layperson only", replace(base, scope_types=("layperson",))))
    return out


def ablation(onto: Ontology, docs: dict[str, str], gold: dict[str, set[str]]) -> None:
    """Score the nested mode of every variant (indexes built fresh, not cached)."""
    from kg.recognize import Recognizer
    from kg.recognize.lexicon import build

    print(f"{'variant':<40} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5} {'dTP':>4} {'dFP':>4} {'dF1':>7}")
    first: Result | None = None
    for name, options in ablation_variants():
        recognizer = Recognizer(build(onto, options))  # type: ignore[arg-type]
        r = score("rdkg", name, docs, gold, onto,
                  lambda t, rec=recognizer: [m.hpo_id for m in rec.annotate(t, nested=True)], 0.0, 1)
        first = first or r
        print(f"{name:<40} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} {r.tp:5d} {r.fp:5d} {r.fn:5d} "
              f"{r.tp - first.tp:+4d} {r.fp - first.fp:+4d} {r.f1 - first.f1:+7.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", choices=("all", "test", "dev"), default="all")
    parser.add_argument("--tools", default="rdkg,fasthpocr,fenominal")
    parser.add_argument("--repeat", type=int, default=7,
                        help="timed passes per tool (best is kept: a shared machine slows single passes)")
    parser.add_argument("--errors", type=Path, help="write rdkg's false positives/negatives here (TSV)")
    parser.add_argument("--ablation", action="store_true",
                        help="instead of the tools: rdkg with each optional mechanism left out in turn")
    args = parser.parse_args(argv)

    onto = Ontology.load()
    docs = read_corpus(args.corpus, args.split)
    gold, gold_mentions = read_gold(args.corpus, docs, onto)
    print(f"GSC+ {args.split}: {len(docs)} abstracts, {sum(len(v) for v in gold.values())} gold "
          f"(document, HPO ID) pairs under HP:0000118; HPO {onto.version}")
    if args.ablation:
        ablation(onto, docs, gold)
        return 0
    results: list[Result] = []
    for name in args.tools.split(","):
        if name not in TOOLS:
            parser.error(f"unknown tool {name!r}; choose from {', '.join(TOOLS)}")
        try:
            runs = TOOLS[name](onto)
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)
            continue
        for tool, mode, annotate, load_s in runs:
            results.append(score(tool, mode, docs, gold, onto, annotate, load_s, args.repeat))
    print(f"{'tool':<18} {'mode':<24} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5} "
          f"{'docs/s':>8} {'CPU docs/s':>10} {'load s':>7}")
    for r in results:
        print(f"{r.tool:<18} {r.mode:<24} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} {r.tp:5d} {r.fp:5d} "
              f"{r.fn:5d} {r.docs_per_s:8.0f} {r.cpu_docs_per_s:10.0f} {r.load_s:7.2f}")
    print("docs/s: wall clock, best pass; CPU docs/s: the same pass in this process's CPU time, which other "
          "work on the machine disturbs less.")
    if args.errors:
        write_errors(args.errors, [r for r in results if r.tool == "rdkg"], gold, gold_mentions, onto)
    return 0


def write_errors(path: Path, results: list[Result], gold: dict[str, set[str]], mentions: dict,
                 onto: Ontology) -> None:
    with open(path, "w", encoding="utf-8") as out:
        print("mode\tkind\tdoc_id\thpo_id\tlabel\tgold mention", file=out)
        for r in results:
            for doc_id in sorted(gold.keys() | r.predictions.keys()):
                for hpo_id in sorted(r.predictions.get(doc_id, set()) - gold[doc_id]):
                    print(f"{r.mode}\tFP\t{doc_id}\t{hpo_id}\t{onto.label(hpo_id)}\t", file=out)
                for hpo_id in sorted(gold[doc_id] - r.predictions.get(doc_id, set())):
                    print(f"{r.mode}\tFN\t{doc_id}\t{hpo_id}\t{onto.label(hpo_id)}\t"
                          f"{mentions[(doc_id, hpo_id)][0]}", file=out)
    print(f"errors written to {path}")


if __name__ == "__main__":
    sys.exit(main())
