"""``kg similar``: rank diseases by phenotype similarity, or write the all-pairs matrix.

Queries: ``--disease OMIM:178550`` (its annotations), ``--hpo HP:..,HP:..`` with ``--not`` for
excluded findings and ``--onset``, or ``--text case.txt`` (through the concept recogniser:
observed patient findings count for a disease, excluded ones against; family history and
differential-diagnosis mentions are left out). ``--all-pairs FILE.npz`` writes the full
disease x disease matrix instead. Everything is computed by ``kg.similarity``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kg.errors import InputError

if TYPE_CHECKING:
    from kg.similarity.search import Query


def _ids(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.replace(";", ",").split(",") if v.strip())
    return tuple(out)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from kg.similarity.index import CORPUS_CHOICES
    from kg.similarity.search import RANKINGS
    from kg.similarity.terms import METHODS

    p = subparsers.add_parser(
        "similar", help="rank diseases by phenotype similarity to a disease, HPO terms or a text",
        description="Rank the annotated diseases against a disease (--disease), HPO terms (--hpo, --not, "
                    "--onset) or a case description (--text), with the terms that explain each score; or "
                    "write the disease x disease matrix (--all-pairs). Default ranking: 'calibrated' (per-term "
                    "Resnik evidence calibrated per disease; see docs/decisions/0005-similarity-calibrated-ranking.md).")
    q = p.add_argument_group("query (one of)")
    q.add_argument("--disease", metavar="ID", help="a disease of the annotations, e.g. OMIM:178550")
    q.add_argument("--hpo", action="append", default=[], metavar="HP:..,HP:..", help="observed terms")
    q.add_argument("--text", type=Path, metavar="FILE", help="a case description in plain text")
    q.add_argument("--all-pairs", type=Path, metavar="FILE.npz",
                   help="write the full matrix (float32 'scores', 'ids', 'names', 'meta') instead of ranking")
    p.add_argument("--not", dest="excluded", action="append", default=[], metavar="HP:..",
                   help="excluded findings (count against diseases that have them)")
    p.add_argument("--onset", action="append", default=[], metavar="HP:..", help="the patient's onset term")
    p.add_argument("--method", choices=RANKINGS, default=None,
                   help="ranking: calibrated (default for queries) or a plain set similarity "
                        "(bma, funSimAvg, funSimMax, one-sided, simgic; --all-pairs default: bma)")
    p.add_argument("--measure", choices=METHODS, default="resnik",
                   help="term similarity for the plain methods (default: resnik)")
    p.add_argument("--corpus", choices=CORPUS_CHOICES, default="all",
                   help="diseases ranked and used for information content (default: all)")
    p.add_argument("--top", type=int, default=10, help="how many diseases to print (default 10)")
    p.add_argument("--format", choices=["table", "tsv", "json"], default="table")
    p.add_argument("--frequency", action="store_true",
                   help="calibrated: weight each term's evidence by the matched annotation's frequency")
    p.add_argument("--no-excluded", action="store_true",
                   help="calibrated: ignore excluded findings and NOT annotations")
    p.add_argument("--no-onset", action="store_true", help="calibrated: ignore onset")
    p.add_argument("--hpo-file", type=Path, metavar="hp.obo", help="ontology (default: the vendored release)")
    p.add_argument("--hpoa", type=Path, metavar="phenotype.hpoa", help="annotations (default: the vendored release)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.similarity import index as similarity_index
    from kg.similarity.ranking import Options
    from kg.similarity.search import Query, disease_query, search

    chosen = [name for name, value in (("--disease", args.disease), ("--hpo", args.hpo), ("--text", args.text),
                                       ("--all-pairs", args.all_pairs)) if value]
    if len(chosen) != 1:
        raise InputError("give exactly one of --disease, --hpo, --text, --all-pairs"
                         + (f" (got {', '.join(chosen)})" if chosen else ""))
    began = time.perf_counter()
    index = similarity_index.load(args.hpo_file, args.hpoa)
    if args.all_pairs:
        return _all_pairs(args, index)
    skip: tuple[str, ...] = ()
    mentions: list[dict[str, object]] = []
    if args.disease:
        query = disease_query(index, args.disease)
        skip = (args.disease.strip(),)
    elif args.text:
        query, mentions = text_query(args.text)
    else:
        query = Query(_ids(args.hpo))
    query = Query(query.observed, query.excluded + _ids(args.excluded), query.onset + _ids(args.onset))
    options = Options(excluded=not args.no_excluded, onset=not args.no_onset, frequency=args.frequency)
    result = search(index, query, method=args.method or "calibrated", measure=args.measure, corpus=args.corpus,
                    top=args.top, options=options, skip=skip)
    for note in result.notes:
        print(f"kg similar: note: {note}", file=sys.stderr)
    elapsed = time.perf_counter() - began
    if args.format == "json":
        print(json.dumps(_as_json(result, mentions, index), indent=2, ensure_ascii=False))
    elif args.format == "tsv":
        _tsv(result, sys.stdout)
    else:
        _table(result, sys.stdout, elapsed)
    return 0


def text_query(path: Path) -> tuple[Query, list[dict[str, object]]]:
    """Observed and excluded patient findings of a text, through the concept recogniser.

    A term is observed when any patient mention of it is affirmed, excluded when every patient
    mention is negated; mentions about relatives or differential diagnoses are ignored; an
    excluded term that is an ancestor of an observed one is dropped (the patient has a kind of it).
    """
    from kg.ontology import ONSET, Ontology
    from kg.recognize import Context, Recognizer
    from kg.similarity.search import Query

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read text: {exc}", path=str(path)) from exc
    recognizer = Recognizer.load()
    found = recognizer.annotate(text)
    affirmed: dict[str, None] = {}
    negated: dict[str, None] = {}
    for m in found:
        if m.context is not Context.PATIENT:
            continue
        (negated if m.negated else affirmed)[m.hpo_id] = None
    ontology = Ontology.load()
    observed_anc = set().union(*(ontology.ancestors(t) for t in affirmed)) if affirmed else set()
    excluded = [t for t in negated if t not in affirmed and t not in observed_anc]
    onset = tuple(t for t in affirmed if ontology.is_a(t, ONSET) and t != ONSET)
    observed = tuple(t for t in affirmed if not ontology.is_a(t, ONSET))
    mentions: list[dict[str, object]] = [{"hpo_id": m.hpo_id, "label": m.label, "text": m.text, "start": m.start, "end": m.end,
                 "negated": m.negated, "context": m.context.value} for m in found]
    if not observed:
        raise InputError("the recogniser found no affirmed patient finding", path=str(path))
    return Query(observed, tuple(excluded), onset), mentions


def _all_pairs(args: argparse.Namespace, index: object) -> int:
    from kg import progress
    from kg.similarity.pairs import write_all_pairs

    method = args.method or "bma"
    if method == "calibrated":
        raise InputError("--all-pairs needs a set similarity (bma, funSimAvg, funSimMax, one-sided, simgic); "
                         "the calibrated ranking is patient -> disease only")
    counter: dict[str, progress.Counter] = {}

    def show(stage: str, n: int, total: int) -> None:
        c = counter.setdefault(stage, progress.Counter(stage, total))
        c.update(n - c.n)
        if n >= total:
            c.close()

    summary = write_all_pairs(index, args.all_pairs, method=method, measure=args.measure,  # type: ignore[arg-type]
                              corpus=args.corpus, progress=show)
    print(f"wrote {summary.path}: {summary.diseases} x {summary.diseases} {summary.method}"
          f"{'' if summary.method == 'simgic' else '-' + summary.measure} scores, corpus {summary.corpus}, "
          f"{summary.bytes / 1e6:.0f} MB in {summary.seconds:.1f} s")
    return 0


def _as_json(result: object, mentions: list[dict[str, object]], index: object) -> dict[str, object]:
    from dataclasses import asdict

    out = asdict(result)  # type: ignore[call-overload]
    out["hpo_version"] = index.hpo_version  # type: ignore[attr-defined]
    out["hpoa_version"] = index.hpoa_version  # type: ignore[attr-defined]
    if mentions:
        out["mentions"] = mentions
    return out


def _tsv(result: object, out: TextIO) -> None:
    print("rank\tdisease\tname\tscore\tshared\tbest_matches\tconflicts", file=out)
    for h in result.hits:  # type: ignore[attr-defined]
        best = ";".join(f"{m.query}>{m.matched or '-'}@{m.shared or '-'}={m.score:.4g}" for m in h.matches)
        print(f"{h.rank}\t{h.disease}\t{h.name}\t{h.score:.6g}\t{';'.join(h.shared)}\t{best}\t{';'.join(h.conflicts)}",
              file=out)


def _table(result: object, out: TextIO, elapsed: float) -> None:
    r = result
    method = r.method if r.method in ("calibrated", "simgic") else f"{r.method}-{r.measure}"  # type: ignore[attr-defined]
    print(f"{len(r.observed)} observed, {len(r.excluded)} excluded, {len(r.onset)} onset term(s); "  # type: ignore[attr-defined]
          f"method {method}, corpus {r.corpus} ({r.candidates} diseases); {elapsed * 1000:.0f} ms",  # type: ignore[attr-defined]
          file=out)
    if r.method == "calibrated":  # type: ignore[attr-defined]
        print("score = evidence of the terms below summed, the strongest counted half, minus what is against",
              file=out)
    for h in r.hits:  # type: ignore[attr-defined]
        print(f"\n{h.rank:>3}. {h.disease}  {h.name}  score {h.score:.3f}", file=out)
        if h.shared:
            print(f"     shared: {', '.join(h.shared)}", file=out)
        for m in h.matches:
            if m.matched is None:
                print(f"     {m.query} {m.query_label}: no match ({m.score:.2f})", file=out)
            elif m.matched == m.query:
                print(f"     {m.query} {m.query_label}: exact ({m.score:.2f})", file=out)
            else:
                via = "" if m.shared == m.matched else f" via {m.shared} {m.shared_label}"
                print(f"     {m.query} {m.query_label} ~ {m.matched} {m.matched_label}{via} ({m.score:.2f})", file=out)
        for c in h.conflicts:
            print(f"     against: {c}", file=out)
