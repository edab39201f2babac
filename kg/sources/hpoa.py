"""Reader of the HPO disease annotations, ``phenotype.hpoa``.

Upstream: https://github.com/obophenotype/human-phenotype-ontology/releases (file
``phenotype.hpoa``; format: https://obophenotype.github.io/human-phenotype-ontology/annotations/phenotype_hpoa/).
Twelve tab-separated columns after ``#key: value`` header lines. Every row of all five
aspects is read; a malformed row is reported (file, line, identifier) and skipped, and the
rest of the file still builds. Obsolete and alternative HPO IDs are mapped to the current
term with a counted warning.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from kg import paths
from kg.curie import is_curie, is_iri
from kg.errors import InputError
from kg.model import Annotation, Aspect, Biocuration, Evidence, Frequency, HpoaHeader, Sex
from kg.ontology import FREQUENCY, Ontology
from kg.report import Report

COLUMNS = ("database_id", "disease_name", "qualifier", "hpo_id", "reference", "evidence",
           "onset", "frequency", "sex", "modifier", "aspect", "biocuration")

# ASCII: "\d" would also match other scripts' digits (HP:٠٠٠١٢٥٠), which are not identifiers.
_DISEASE = re.compile(r"(OMIM:\d{6}|ORPHA:\d+|DECIPHER:\d+)\Z", re.ASCII)
_HP = re.compile(r"HP:\d{7}\Z", re.ASCII)
_RATIO = re.compile(r"(\d{1,9})/(\d{1,9})\Z", re.ASCII)  # bounded: int() refuses over 4,300 digits
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d{1,9})?)\s*%\Z", re.ASCII)
_CURATION = re.compile(r"(.+?)\[(\d{4}-\d{2}-\d{2})\]\Z", re.ASCII)
_REFERENCE = re.compile(
    r"(?:PMID:\d+|OMIM:\d{6}|ORPHA:\d+|DECIPHER:\d+|ISBN(?:-1[03])?:[0-9][0-9X\-]{8,16}|https?://\S+)\Z", re.ASCII)
_ISBN_PREFIX = re.compile(r"ISBN(?:-1[03])?:")
_ASPECTS = {a.value: a for a in Aspect}
_EVIDENCE = {e.value: e for e in Evidence}
_SEX = {"MALE": Sex.MALE, "FEMALE": Sex.FEMALE}


class RowError(ValueError):
    """One row is unusable; carries the identifier to name in the report."""

    def __init__(self, message: str, identifier: str | None = None) -> None:
        super().__init__(message)
        self.identifier = identifier


def read(handle: IO[str] | IO[bytes] | Iterable[str | bytes], *, path: str = "<phenotype.hpoa>",
         report: Report | None = None, ontology: Ontology | None = None,
         header_out: list[HpoaHeader] | None = None) -> Iterator[Annotation]:
    """Yield one :class:`Annotation` per valid row; report and skip invalid ones.

    ``handle`` yields lines (text or bytes). The column header must be present and exact,
    otherwise the whole file is unusable and :class:`InputError` is raised. With an
    ``ontology``, HPO IDs are checked and alt/obsolete IDs mapped to current terms.
    """
    report = report if report is not None else Report()
    fields: dict[str, str] = {}
    seen: dict[str, int] = {}
    resolved: dict[str, tuple[str | None, str]] = {}
    caches: dict[str, dict] = {"curation": {}, "frequency": {}, "reference": {}}
    header_seen = False
    number = 0
    for number, raw in enumerate(handle, start=1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.error("hpoa-encoding", f"not UTF-8 ({exc.reason} at byte {exc.start}); row skipped",
                             path=path, line=number)
                continue
        else:
            line = raw
        if number == 1:
            line = line.lstrip("\ufeff")
        line = line.rstrip("\r\n")
        if not header_seen:
            if line.startswith("#"):
                if ":" in line:
                    key, value = line[1:].split(":", 1)
                    fields[key.strip()] = value.strip()
                continue
            if not line.strip():
                continue
            columns = tuple(c.strip() for c in line.split("\t"))
            if columns != COLUMNS:
                raise InputError(f"wrong column header: expected {'|'.join(COLUMNS)}, found {'|'.join(columns)}",
                                 path=path, line=number)
            header_seen = True
            if header_out is not None:
                header_out.append(HpoaHeader(version=fields.get("version") or fields.get("date"), fields=fields))
            continue
        if not line.strip():
            continue
        try:
            annotation = _parse_row(line, number, ontology, resolved, caches, report, path)
        except RowError as exc:
            report.error("hpoa-row", str(exc), path=path, line=number, identifier=exc.identifier)
            continue
        key = annotation.row_key
        first = seen.get(key)
        if first is not None:
            report.error("hpoa-duplicate", f"duplicate of line {first}; row skipped", path=path, line=number,
                         identifier=annotation.disease_id)
            continue
        seen[key] = number
        yield annotation
    if not header_seen:
        raise InputError("no column header line (database_id\\tdisease_name\\t...) found", path=path,
                         line=number or None)


def _parse_row(line: str, number: int, ontology: Ontology | None, resolved: dict[str, tuple[str | None, str]],
               caches: dict[str, dict], report: Report, path: str) -> Annotation:
    cells = line.split("\t")
    if len(cells) != len(COLUMNS):
        raise RowError(f"expected {len(COLUMNS)} tab-separated columns, found {len(cells)}")
    (database_id, name, qualifier, hpo_id, reference, evidence, onset, frequency, sex, modifier,
     aspect, biocuration) = [c.strip() for c in cells]
    if not _DISEASE.match(database_id):
        raise RowError(f"bad disease ID {database_id!r} (OMIM:nnnnnn, ORPHA:n or DECIPHER:n)", database_id or None)
    if qualifier not in ("", "NOT"):
        raise RowError(f"bad qualifier {qualifier!r} (empty or NOT)", database_id)
    aspect_value = _ASPECTS.get(aspect)
    if aspect_value is None:
        raise RowError(f"bad aspect {aspect!r} (P, I, C, M or H)", database_id)
    evidence_value = _EVIDENCE.get(evidence)
    if evidence_value is None:
        raise RowError(f"unknown evidence code {evidence!r} (IEA, PCS or TAS)", database_id)
    current = _current_hp(hpo_id, "hpo_id", database_id, ontology, resolved, report, path, number)
    onset_id = _current_hp(onset, "onset", database_id, ontology, resolved, report, path, number) if onset else None
    sex_value = None
    if sex:
        sex_value = _SEX.get(sex.upper())
        if sex_value is None:
            raise RowError(f"bad sex {sex!r} (MALE or FEMALE)", database_id)
    modifiers = tuple(dict.fromkeys(
        _current_hp(m.strip(), "modifier", database_id, ontology, resolved, report, path, number)
        for m in modifier.split(";") if m.strip()))
    reference_cache = caches["reference"]
    parsed = reference_cache.get(reference)
    if parsed is None:
        parsed = reference_cache[reference] = _references(reference)
    references, dropped = parsed
    for written in dropped:
        report.warning("hpoa-reference", f"malformed reference {written!r} dropped; row kept",
                       path=path, line=number, identifier=database_id)
    curation_cache = caches["curation"]
    curations = curation_cache.get(biocuration)
    if curations is None:
        curations = curation_cache[biocuration] = _curations(biocuration)
    freq = None
    if frequency:
        freq_cache = caches["frequency"]
        freq = freq_cache.get(frequency)
        if freq is None:
            freq = freq_cache[frequency] = _frequency(frequency, database_id, ontology)
    return Annotation(
        disease_id=database_id, disease_name=name, negated=qualifier == "NOT", hpo_id=current,
        references=references, evidence=evidence_value, aspect=aspect_value,
        onset=onset_id, frequency=freq, sex=sex_value, modifiers=modifiers, biocuration=curations, line=number,
        original_hpo_id=hpo_id if current != hpo_id else None,
        row_key="\t".join((database_id, qualifier, hpo_id, reference, evidence, onset, frequency,  # noqa: FLY002
                           sex.upper(), modifier, aspect)))


def _current_hp(value: str, column: str, disease: str, ontology: Ontology | None,
                resolved: dict[str, tuple[str | None, str]], report: Report, path: str, number: int) -> str:
    if not _HP.match(value):
        raise RowError(f"bad HPO ID {value!r} in column {column} (HP: and 7 digits)", disease)
    if ontology is None:
        return value
    hit = resolved.get(value)
    if hit is None:
        resolution = ontology.resolve(value)
        hit = resolved[value] = (resolution.current, resolution.reason)
    current, reason = hit
    if current is None:
        what = "unknown" if reason == "unknown" else "obsolete with no replacement"
        raise RowError(f"{column} {value} is {what} in HPO {ontology.version}", disease)
    if current != value:
        report.warning(f"hpo-id-{reason.replace('_', '-')}", f"{column} {value} mapped to current term {current} "
                       f"({'alternative ID' if reason == 'alt_id' else 'obsolete, replaced'})",
                       path=path, line=number, identifier=disease)
    return current


def _frequency(raw: str, disease: str, ontology: Ontology | None) -> Frequency:
    if _HP.match(raw):
        if ontology is not None and not (raw in ontology and ontology.is_a(raw, FREQUENCY)):
            raise RowError(f"frequency {raw} is not a frequency term (HP:0040279 subclass)", disease)
        return Frequency(raw=raw, term=raw)
    match = _RATIO.match(raw)
    if match:
        count, total = int(match.group(1)), int(match.group(2))
        if total == 0 or count > total:
            raise RowError(f"impossible frequency {raw!r} (n/m needs 0 <= n <= m, m > 0)", disease)
        return Frequency(raw=raw, count=count, total=total)
    match = _PERCENT.match(raw)
    if match:
        percent = float(match.group(1))
        if percent > 100:
            raise RowError(f"impossible frequency {raw!r} (over 100%)", disease)
        return Frequency(raw=raw, percent=percent)
    raise RowError(f"bad frequency {raw!r} (an HP frequency term, n/m or x%)", disease)


def _references(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The valid references of a reference cell (ISBNs normalised), and the malformed ones as written."""
    kept: list[str] = []
    dropped: list[str] = []
    for written in (r.strip() for r in raw.split(";")):
        if not written:
            continue
        ref = written
        if _REFERENCE.match(ref) and ref.startswith("ISBN"):
            ref = "ISBN:" + _ISBN_PREFIX.sub("", ref).replace("-", "")
        # URLs must be IRIs a parser accepts (the mapping writes them as they are); CURIEs must
        # match their prefix's pattern (an ISBN has 10 or 13 digits once its hyphens are gone).
        if _REFERENCE.match(written) and (is_iri(ref) if ref.startswith("http") else is_curie(ref)):
            kept.append(ref)
        else:
            dropped.append(written)
    return tuple(dict.fromkeys(kept)), tuple(dropped)


def _curations(raw: str) -> tuple[Biocuration, ...]:
    out = []
    for item in (part.strip() for part in raw.split(";")):
        if not item:
            continue
        match = _CURATION.match(item)
        out.append(Biocuration(match.group(1), match.group(2)) if match else Biocuration(item, None))
    return tuple(dict.fromkeys(out))


def open_lines(path: Path) -> Iterator[bytes]:
    """Lines of a plain or gzipped file as bytes; a truncated gzip is an InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    count = 0
    try:
        with opener(path, "rb") as handle:  # type: ignore[operator]
            for count, line in enumerate(handle, start=1):
                yield line
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(f"truncated or corrupt gzip after line {count}: {exc}", path=str(path)) from exc


def load(path: Path | str | None = None, *, ontology: Ontology | None = None, report: Report | None = None,
         header_out: list[HpoaHeader] | None = None) -> list[Annotation]:
    """Read a whole phenotype.hpoa (default: the vendored release) into a list."""
    path = Path(path or paths.HPOA)
    return list(read(open_lines(path), path=str(path), report=report, ontology=ontology, header_out=header_out))


def read_header(path: Path | str | None = None) -> HpoaHeader:
    """Only the ``#key: value`` lines (release version etc.), without reading the rows."""
    path = Path(path or paths.HPOA)
    fields: dict[str, str] = {}
    for raw in open_lines(path):
        line = raw.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
        if not line.startswith("#"):
            break
        if ":" in line:
            key, value = line[1:].split(":", 1)
            fields[key.strip()] = value.strip()
    return HpoaHeader(version=fields.get("version") or fields.get("date"), fields=fields)
