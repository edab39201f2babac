"""``kg extract FILE|URL ... [--kind gard|qa|case-report|auto] [--out DIR]``: documents -> reviewable JSON records.

Each document is read by the reader of its kind (detected when not given), its disease resolved
against the HPO annotations, and written as one JSON file per document into ``--out`` (or, without
it, as a JSON array on standard output). URLs are fetched with requests. One unreadable document
is reported and the others are still written; the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from kg.errors import DownloadError, InputError, KgError
from kg.report import stderr_report

USER_AGENT = "rdkg-extract (+https://w3id.org/rdkg)"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("extract", help="read GARD / Q&A pages and case reports into JSON records",
                              description="Read documents (plain text or HTML files, or URLs) into reviewable JSON "
                                          "records: phenotypes, inheritance, treatments, prevalence, references, "
                                          "organisations, a case report's case; the disease resolved to OMIM/ORPHA.")
    p.add_argument("sources", nargs="+", metavar="FILE|URL", help="document files or http(s) URLs")
    p.add_argument("--kind", choices=["auto", "gard", "qa", "case-report"], default="auto",
                   help="kind of document (default: detected from the text)")
    p.add_argument("--out", "-o", type=Path, metavar="DIR", help="write one <name>.json per document into DIR")
    p.add_argument("--retrieved", metavar="YYYY-MM-DD",
                   help="retrieval date to record (default: today for URLs, the file's modification date for files)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a URL (default 30)")
    p.set_defaults(func=run)


def fetch(url: str, *, timeout: float) -> tuple[bytes, str | None, str | None]:
    """(body, media type, charset) of a URL; DownloadError on any failure."""
    import requests

    try:
        response = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except requests.RequestException as exc:
        raise DownloadError(f"{url}: {exc}") from exc
    if response.status_code != 200:
        raise DownloadError(f"{url}: HTTP {response.status_code}")
    content_type = response.headers.get("Content-Type", "")
    media_type = content_type.split(";")[0].strip().lower() or None
    charset = None
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
    return response.content, media_type, charset


def run(args: argparse.Namespace) -> int:
    from kg.sources.documents import Extraction, dumps, json_name, read_document, to_json  # noqa: F401

    if args.retrieved:
        try:
            datetime.date.fromisoformat(args.retrieved)
        except ValueError as exc:
            raise InputError(f"--retrieved must be YYYY-MM-DD, not {args.retrieved!r}") from exc
    report = stderr_report()
    extraction = Extraction.default()
    records = []
    failed = 0
    for source in args.sources:
        try:
            if source.startswith(("http://", "https://")):
                raw, media_type, charset = fetch(source, timeout=args.timeout)
                retrieved = args.retrieved or datetime.date.today().isoformat()
            else:
                path = Path(source)
                if not path.is_file():
                    raise InputError("no such file", path=source)
                raw, media_type, charset = path.read_bytes(), None, None
                retrieved = args.retrieved or datetime.datetime.fromtimestamp(
                    path.stat().st_mtime, tz=datetime.timezone.utc).date().isoformat()
            record = read_document(raw, source=source, kind=args.kind, extraction=extraction, report=report,
                                   retrieved=retrieved, media_type=media_type, charset=charset)
        except KgError as exc:
            print(f"kg extract: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        records.append(record)
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            target = args.out / json_name(record)
            tmp = target.with_suffix(".json.tmp")
            tmp.write_text(dumps(record), encoding="utf-8")
            tmp.replace(target)
            _summary(record, target)
    if args.out is None and records:
        data = [json.loads(dumps(r)) for r in records]
        json.dump(data if len(data) > 1 else data[0], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    return 1 if failed else 0


def _summary(record: object, target: Path) -> None:
    r = record
    res = r.resolution  # type: ignore[attr-defined]
    node = res.node if res is not None and res.node else "unresolved"
    case = r.case  # type: ignore[attr-defined]
    counts = (f"{len(r.phenotypes)} phenotypes, {len(r.treatments)} treatments, "  # type: ignore[attr-defined]
              f"{len(r.references)} references" if case is None else  # type: ignore[attr-defined]
              f"{len(case.findings)} findings, {len(case.measurements)} measurements, {len(case.treatments)} treatments")
    print(f"{target}: {r.document.kind.value} '{r.disease.name}' -> {node}; {counts}", file=sys.stderr)  # type: ignore[attr-defined]
