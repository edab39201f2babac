"""Rare-disease documents: kind detection, dispatch to the right reader, extracted-record JSON files,
and loading a directory of both for the build.

``READERS`` is the registry of document kinds. ``detect_kind`` scores the text for the marks of
each kind (a GARD page's "Other Names:" and HPO table, a Q&A page's questions, a case report's
patient and section headings) and refuses a text that has none clearly. ``load_directory`` reads
every document (``.txt``, ``.html``, ``.htm``) and every extracted-record file (``.json``) in a
folder; a broken one is reported into the :class:`~kg.report.Report` and skipped, the rest load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import __version__
from kg.docrecords import FORMAT, DocumentRecord, Kind, from_json, to_json
from kg.errors import InputError, KgError
from kg.report import Report
from kg.sources import case_report, gard, qa_page
from kg.sources.facts import Recognizer
from kg.sources.text import SourceText, load_text

READERS: dict[Kind, Callable[..., DocumentRecord]] = {
    Kind.GARD: gard.read_text,
    Kind.QA: qa_page.read_text,
    Kind.CASE_REPORT: case_report.read_text,
}
DOCUMENT_SUFFIXES = (".txt", ".text", ".html", ".htm")

_MARKS: dict[Kind, tuple[tuple[str, int], ...]] = {
    Kind.GARD: ((r"Genetic and Rare Diseases Information Center|\bGARD\b", 3), (r"^\s*Other Names\s*:", 4),
                (r"HPO ID|Human Phenotype Ontology", 3), (r"^\s*Last updated:\s*\d{1,2}/\d{1,2}/\d{4}", 2),
                (r"^\s*(?:Symptoms|Cause|Inheritance|Diagnosis|Treatment|Prognosis|Statistics)\s*$", 1)),
    Kind.QA: ((r"^\s*(?:What|How|Is|Are|Can|Does)\b[^\n?]{3,200}\?\s*$", 2), (r"Last updated on", 2),
              (r"RareGuru|questions? (?:and|&) answers?", 3), (r"^\s*Name\s*:", 1)),
    Kind.CASE_REPORT: (((r"^\s*(?:SUMMARY|BACKGROUND|CASE PRESENTATION|DIFFERENTIAL DIAGNOSIS|OUTCOME AND FOLLOW-UP|"
                         r"DISCUSSION|Learning points|Case report|Case presentation|Investigations)\s*$"), 2),
                       (r"\b(?:our|the) patient\b", 1), (r"\b\d{1,3}[- ]year[- ]old\b|\bin (?:his|her) \d0s\b", 2),
                       (r"\bwas (?:admitted|hospitali[sz]ed|referred)\b|\bpresented with\b", 1)),
}
_CAPS = {Kind.GARD: 12, Kind.QA: 10, Kind.CASE_REPORT: 12}


def detect_kind(text: str, *, path: str) -> Kind:
    """The kind whose marks dominate; InputError naming the file when none does clearly."""
    scores = {}
    for kind, marks in _MARKS.items():
        score = 0
        for pattern, weight in marks:
            score += weight * min(3, len(re.findall(pattern, text, re.MULTILINE | re.IGNORECASE)))
        scores[kind] = min(score, _CAPS[kind] * 2)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0].value))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 5 or top - second < 3:
        detail = ", ".join(f"{k.value} {v}" for k, v in ranked)
        raise InputError(f"unknown kind of document (scores: {detail}); pass --kind gard|qa|case-report", path=path)
    return best


@dataclass(frozen=True, slots=True)
class Extraction:
    """What a caller needs to read documents: the recogniser, the ontology and the disease index."""

    recognizer: Recognizer | None = None
    ontology: Any = None
    index: Any = None  # kg.resolve.DiseaseIndex

    @classmethod
    def default(cls) -> Extraction:
        """The vendored HPO, its recogniser and the HPOA disease names."""
        from kg.ontology import Ontology
        from kg.recognize import Recognizer as HpoRecognizer
        from kg.resolve import DiseaseIndex

        return cls(HpoRecognizer.load().annotate, Ontology.load(), DiseaseIndex.load())


def read_document(raw: bytes, *, source: str, kind: Kind | str | None = None, extraction: Extraction = Extraction(),
                  report: Report | None = None, retrieved: str | None = None, media_type: str | None = None,
                  charset: str | None = None) -> DocumentRecord:
    """Bytes of one document -> its record (resolved when an index is given). Raises InputError."""
    from kg.resolve import resolve

    src: SourceText = load_text(raw, path=source, media_type=media_type, charset=charset)
    if kind in (None, "auto"):
        kind = detect_kind(src.text, path=source)
    kind = Kind(kind)
    record = READERS[kind](src, source=source, recognizer=extraction.recognizer, ontology=extraction.ontology,
                           report=report, retrieved=retrieved)
    if extraction.index is not None:
        record = resolve(record, extraction.index, report=report)
    return record


# -- JSON files of extracted records ----------------------------------------------------------------------
def dumps(record: DocumentRecord) -> str:
    """Reviewable JSON of one record (stable key order, UTF-8, one field per line)."""
    data = {"format": FORMAT, "software": f"rdkg {__version__}", "record": to_json(record)}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def loads(text: str, *, path: str) -> DocumentRecord:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}", path=path, line=exc.lineno) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not an extracted-record file (expected format {FORMAT!r})", path=path)
    return from_json(DocumentRecord, data.get("record"), path=path)  # type: ignore[no-any-return]


def json_name(record: DocumentRecord) -> str:
    """File name for a record: the source's stem, made safe."""
    stem = re.sub(r"\.(?:txt|text|html?)$", "", record.document.source.rstrip("/").rsplit("/", 1)[-1], flags=re.IGNORECASE)
    return (re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or record.document.sha256[:16]) + ".json"


def load_directory(folder: Path | str, *, report: Report, extraction: Extraction | None = None,
                   retrieved: str | None = None) -> list[DocumentRecord]:
    """Every document and extracted-record file in ``folder`` (not recursive), sorted by name.
    Documents are read with ``extraction`` (default: the vendored HPO, recogniser and HPOA names,
    loaded only when there is a document to read). A record whose document sha256 was already
    loaded is skipped, so a folder may hold a document and its extracted JSON side by side."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("documents folder not found", path=str(folder))
    records: list[DocumentRecord] = []
    seen: set[str] = set()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix not in DOCUMENT_SUFFIXES + (".json",):
            report.warning("documents/skipped-file", "not a document (.txt/.html) or record (.json) file; ignored",
                           path=str(path))
            continue
        try:
            if suffix == ".json":
                record = loads(path.read_text(encoding="utf-8"), path=str(path))
            else:
                if extraction is None:
                    extraction = Extraction.default()
                record = read_document(path.read_bytes(), source=str(path), extraction=extraction, report=report,
                                       retrieved=retrieved or _mtime_date(path))
        except (KgError, UnicodeDecodeError, OSError) as exc:
            report.error("documents/unreadable", str(getattr(exc, "reason", exc)), path=str(path))
            continue
        if record.document.sha256 in seen:
            report.warning("documents/duplicate", "same document as one already loaded; skipped", path=str(path))
            continue
        seen.add(record.document.sha256)
        records.append(record)
    return records


def _mtime_date(path: Path) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.timezone.utc).date().isoformat()
