"""``kg build``: HPO + HPO annotations (+ documents, + similarity) -> graph files, atomically.

Everything is written into a staging directory beside the output and swapped into place
only when complete: an error, Ctrl-C or SIGTERM leaves the previous build (or nothing),
never a partial file. The same inputs give byte-identical graph files.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg import __version__, paths
from kg.atomic import replace_directory
from kg.curie import DEFAULT_BASE, normalise_base
from kg.describe import DatasetCounts, FileDescription, InputDescription, count, created_on, dataset_triples
from kg.errors import InputError
from kg.export import Format, WrittenFile, group, write_graph
from kg.ontology import Ontology, sha256_of
from kg.progress import step
from kg.rdf.hpo import hpo_triples
from kg.rdf.hpoa import hpoa_groups
from kg.report import Report
from kg.sources import hpoa as hpoa_reader

HPO_RELEASE_URL = "http://purl.obolibrary.org/obo/hp/releases/{version}/hp.obo"
HPOA_RELEASE_URL = ("https://github.com/obophenotype/human-phenotype-ontology/releases/download/"
                    "v{version}/phenotype.hpoa")
HPO_LICENCE = "https://hpo.jax.org/app/license"
BUILD_SUMMARY = "build.json"
MEDIA_TYPES = {Format.TURTLE: "text/turtle", Format.NTRIPLES: "application/n-triples"}


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; every field has the default ``kg build`` uses."""

    out: Path = paths.DEFAULT_BUILD
    formats: tuple[Format, ...] = (Format.TURTLE,)
    compress: bool = False
    base_iri: str = DEFAULT_BASE
    hp_obo: Path = paths.HP_OBO
    hpoa: Path = paths.HPOA
    #: folders of documents (.txt/.html) and/or extracted records (.json); the committed seed
    #: records in data/documents are included unless ``default_documents`` is False.
    documents: tuple[Path, ...] = ()
    default_documents: bool = True
    #: per disease, its K most similar diseases as association nodes (0 = none)
    similar_top: int = 0
    #: also load the embedded query store now (else the first ``kg query`` makes it, once):
    #: it costs several times the rest of the build, so it is opt-in
    store: bool = False


@dataclass
class BuildResult:
    out: Path
    files: list[WrittenFile] = field(default_factory=list)
    inputs: list[InputDescription] = field(default_factory=list)
    counts: DatasetCounts = field(default_factory=DatasetCounts)
    timings: dict[str, float] = field(default_factory=dict)
    annotations: int = 0
    diseases: int = 0
    negated: int = 0
    inheritance: int = 0
    documents: int = 0


def find_inputs(directory: Path) -> tuple[Path, Path]:
    """hp.obo[.gz] and phenotype.hpoa[.gz] in a directory of fetched files (``kg build --inputs``).

    Flat, or laid out like the repository as ``kg fetch --to DIR`` writes it (kg.manifest.HP_OBO, HPOA).
    """
    found = []
    for names in (("hp.obo", "hp.obo.gz", "ontologies/hp.obo.gz"),
                  ("phenotype.hpoa", "phenotype.hpoa.gz", "data/hpo/phenotype.hpoa.gz")):
        hit = next((directory / n for n in names if (directory / n).is_file()), None)
        if hit is None:
            raise InputError(f"no {' or '.join(names)} in input directory", path=str(directory))
        found.append(hit)
    return found[0], found[1]


def _check_output_dir(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / BUILD_SUMMARY).exists())):
        raise InputError("refusing to replace: exists and is not a kg build output (no build.json)", path=str(out))


def _clean_stale_staging(out: Path) -> None:
    """Remove staging dirs left by builds that were killed (SIGKILL cannot be cleaned up).

    A build stopped inside ``_swap_into_place`` leaves the previous output as ``.NAME.old-PID``:
    it is put back when the output is missing (stopped between the two renames), else removed.
    """
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    for old in sorted(out.parent.glob(f".{out.name}.old-*")):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            if not out.exists():
                os.replace(old, out)
            else:
                shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_into_place(staging: Path, out: Path) -> None:
    replace_directory(staging, out)


def build(options: BuildOptions | None = None, *, report: Report | None = None,
          extra_graphs: list[tuple[str, Callable[[Ontology, Report], list[tuple[str, list[tuple[str, str]]]]]]] | None = None,
          ) -> BuildResult:
    """Build the graph files into ``options.out``; problems go to ``report``, fatal ones raise."""
    options = options or BuildOptions()
    report = report if report is not None else Report()
    base = normalise_base(options.base_iri)
    out = Path(options.out)
    _check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale_staging(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    result = BuildResult(out=out)
    try:
        _build_into(staging, options, base, report, result, extra_graphs or [])
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.files = [WrittenFile(out / f.path.name, f.triples, f.subjects, f.sha256, f.bytes) for f in result.files]
    return result


@contextmanager
def _timed(result: BuildResult, name: str) -> Iterator[None]:
    """Show the step's progress and record its wall time in ``result.timings``."""
    start = time.perf_counter()
    with step(name):
        yield
    result.timings[name] = round(time.perf_counter() - start, 3)


def _build_into(staging: Path, options: BuildOptions, base: str, report: Report, result: BuildResult,
                extra_graphs: list) -> None:
    with _timed(result, "load HPO"):
        ontology = Ontology.load(options.hp_obo)
    headers: list = []
    with _timed(result, "read HPO annotations"):
        annotations = hpoa_reader.load(options.hpoa, ontology=ontology, report=report, header_out=headers)
    hpoa_version = headers[0].version if headers else None
    result.annotations = len(annotations)
    result.diseases = len({a.disease_id for a in annotations})
    result.negated = sum(a.negated for a in annotations)
    result.inheritance = sum(1 for a in annotations if a.aspect.value == "I" and not a.negated)
    result.inputs = [
        InputDescription("hp.obo", "Human Phenotype Ontology", ontology.version, sha256_of(options.hp_obo),
                         HPO_RELEASE_URL.format(version=ontology.version) if ontology.version else None,
                         HPO_LICENCE, str(options.hp_obo)),
        InputDescription("phenotype.hpoa", "HPO annotations of rare diseases", hpoa_version,
                         sha256_of(options.hpoa),
                         HPOA_RELEASE_URL.format(version=hpoa_version) if hpoa_version else None,
                         HPO_LICENCE, str(options.hpoa)),
    ]
    graphs: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]] = []
    with _timed(result, "map HPO"):
        graphs.append(("hpo", group(hpo_triples(ontology))))
    with _timed(result, "map HPO annotations"):
        graphs.append(("hpoa", hpoa_groups(annotations, base_iri=base)))
    folders = ((paths.DOCUMENT_RECORDS,) if options.default_documents else ()) + tuple(options.documents)
    if folders:
        with _timed(result, "read and map documents"):
            graphs.append(("documents", _document_groups(folders, ontology, annotations, report, base, result)))
    del annotations
    if options.similar_top > 0:
        with _timed(result, f"top-{options.similar_top} similar diseases"):
            from kg.rdf.similarity import similarity_triples

            graphs.append(("similarity", group(similarity_triples(
                options.similar_top, hpo_path=options.hp_obo, hpoa_path=options.hpoa, base_iri=base))))
    for name, producer in extra_graphs:
        with _timed(result, f"map {name}"):
            graphs.append((name, producer(ontology, report)))
    files: list[FileDescription] = []
    for name, groups in graphs:
        count(groups, result.counts)
        for fmt in options.formats:
            with _timed(result, f"write {name}{fmt.suffix}"):
                written = write_graph(groups, staging, name, fmt=fmt, compress=options.compress, base_iri=base,
                                      grouped=True)
            result.files.append(written)
            files.append(FileDescription(name, written.path.name, written.triples, written.sha256, MEDIA_TYPES[fmt]))
    graphs.clear()
    result.counts.diseases = result.diseases
    with _timed(result, "write dataset description"):
        when = created_on()  # one instant for every format, so dataset.ttl and dataset.nt say the same
        for fmt in options.formats:
            written = write_graph(dataset_triples(inputs=result.inputs, files=files, counts=result.counts,
                                                  base_iri=base, when=when),
                                  staging, "dataset", fmt=fmt, compress=options.compress, base_iri=base)
            result.files.append(written)
    if options.store:
        with _timed(result, "load embedded store"):
            _create_store(staging, result)
    summary = {
        "software": f"rdkg {__version__}",
        "base_iri": base,
        "inputs": [vars_of(i) for i in result.inputs],
        "files": [{"name": f.path.name, "triples": f.triples, "sha256": f.sha256, "bytes": f.bytes}
                  for f in result.files],
        "counts": {"triples": result.counts.triples, "diseases": result.diseases, "documents": result.documents,
                   "annotations": result.annotations, "negated": result.negated,
                   "classes": dict(sorted(result.counts.classes.items()))},
        "problems": [{"severity": s, "category": c, "count": n} for s, c, n in report.summary_rows()],
        "timings_s": result.timings,
    }
    tmp = staging / (BUILD_SUMMARY + ".tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    tmp.replace(staging / BUILD_SUMMARY)


def _document_groups(folders: tuple[Path, ...], ontology: Ontology, annotations: list, report: Report, base: str,
                     result: BuildResult) -> list[tuple[str, list[tuple[str, str]]]]:
    """Documents and extracted records of every folder -> grouped triples; one bad document is skipped."""
    from kg.rdf.documents import document_triples
    from kg.resolve import DiseaseIndex
    from kg.sources import documents

    extraction = None
    if any(p.suffix.lower() in documents.DOCUMENT_SUFFIXES for f in folders if f.is_dir() for p in f.iterdir()):
        from kg.recognize import Recognizer

        extraction = documents.Extraction(Recognizer.load(options_obo(ontology)).annotate, ontology,
                                          DiseaseIndex.from_annotations(annotations))
    records = []
    seen: set[str] = set()
    for folder in folders:
        for record in documents.load_directory(folder, report=report, extraction=extraction):
            if record.document.sha256 in seen:
                report.warning("documents/duplicate", "same document already loaded from another folder; skipped",
                               path=record.document.source)
                continue
            seen.add(record.document.sha256)
            records.append(record)
    result.documents = len(records)
    return group(document_triples(records, base_iri=base))


def options_obo(ontology: Ontology) -> Path | None:
    return Path(ontology.source) if ontology.source else None


def _create_store(staging: Path, result: BuildResult) -> None:
    from kg import store  # the embedded store is made once here, not on every query

    store.create_embedded_store(staging, [f.path for f in result.files])


def vars_of(item: InputDescription) -> dict[str, object]:
    return {k: getattr(item, k) for k in item.__slots__}  # type: ignore[attr-defined]
