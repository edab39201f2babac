"""Download new HPO releases (``hp.obo``, ``phenotype.hpoa``) without ever losing the old ones.

Why this module is careful: a build is only as good as its inputs, and the usual failure of
a download is not an error message but a silently truncated file. So:

* requests with a connect/read timeout, and retries with exponential backoff on connection
  errors (refused, reset, stalled, truncated body) and on HTTP 5xx / 429 (``Retry-After``
  honoured, capped); any other status fails at once with the status in the message;
* conditional requests: the ETag / Last-Modified recorded in the data manifest are sent back
  (``If-None-Match`` / ``If-Modified-Since``) when the file on disk is still the recorded one,
  and a 304 -- or a 200 with identical content -- leaves everything as it is;
* the body streams into a temporary file beside its target (so the final rename is atomic on
  the same file system), with a progress line on a terminal; a body shorter than its
  ``Content-Length`` or a text that does not end in a newline is refused as truncated;
* the complete file must *parse* -- the ontology with :class:`kg.ontology.Ontology`, the
  annotations with :mod:`kg.sources.hpoa` against that ontology -- and state the requested
  release, before anything is replaced;
* only when every requested file is downloaded and checked are they renamed over the old
  ones and the manifest rewritten (also atomically). Any failure, including Ctrl-C, removes
  the temporary files and leaves the previous files and manifest byte-identical.

Files are stored gzipped (deterministically: no name, mtime 0) under the same layout as the
vendored data (:data:`kg.manifest.HP_OBO`, :data:`kg.manifest.HPOA`), so ``kg build --inputs
DIR`` reads a fetched directory exactly like the repository.
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from kg import __version__, manifest, paths, progress
from kg.errors import DownloadError, InputError, KgError
from kg.report import Report

log = logging.getLogger(__name__)

GITHUB_RELEASES = "https://github.com/obophenotype/human-phenotype-ontology/releases"
_RELEASE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
#: An annotation file with more unusable rows than this is taken to be corrupt, not merely imperfect.
MAX_BAD_ROW_FRACTION = 0.01
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Source:
    """One downloadable input: where its releases live and where it is stored."""

    name: str  # "hpo" | "hpoa", the CLI's word for it
    filename: str  # upstream file name
    rel: str  # stored path relative to the inputs root
    latest_url: str
    release_url: str  # with {release} for YYYY-MM-DD

    def url(self, release: str | None = None, mirror: str | None = None) -> str:
        """The official URL, or ``MIRROR/FILE`` / ``MIRROR/RELEASE/FILE`` for a mirror."""
        if mirror:
            base = mirror.rstrip("/")
            return f"{base}/{release}/{self.filename}" if release else f"{base}/{self.filename}"
        return self.release_url.format(release=release) if release else self.latest_url


SOURCES: dict[str, Source] = {
    "hpo": Source("hpo", "hp.obo", manifest.HP_OBO, "http://purl.obolibrary.org/obo/hp.obo",
                  "http://purl.obolibrary.org/obo/hp/releases/{release}/hp.obo"),
    "hpoa": Source("hpoa", "phenotype.hpoa", manifest.HPOA, f"{GITHUB_RELEASES}/latest/download/phenotype.hpoa",
                   GITHUB_RELEASES + "/download/v{release}/phenotype.hpoa"),
}


@dataclass(frozen=True, slots=True)
class Policy:
    """How hard to try: timeouts in seconds, extra attempts, backoff base (doubles each retry)."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise InputError(f"timeout must be positive, got {self.timeout}")
        if self.retries < 0:
            raise InputError(f"retries must be 0 or more, got {self.retries}")
        if self.backoff < 0:
            raise InputError(f"backoff must be 0 or more, got {self.backoff}")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file."""

    name: str
    path: str  # relative to the inputs root
    status: str  # "updated" | "new" | "unchanged"
    url: str
    version: str | None
    sha256: str
    size: int
    reason: str = ""  # for "unchanged": "HTTP 304" or "same content"
    row_problems: int = 0  # rows the annotation reader skipped (reported again by the build)
    attempts: int = 1


@dataclass
class _Pending:
    source: Source
    url: str
    tmp: Path | None = None  # downloaded, gzipped, not yet checked
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    attempts: int = 0
    version: str | None = None
    entry: manifest.Entry | None = None
    row_problems: int = 0


class _Retryable(Exception):
    """A failure worth another attempt (connection trouble, 5xx, truncated body)."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


def resolve_names(which: str) -> list[Source]:
    """``hpo`` | ``hpoa`` | ``all`` -> sources, ontology first (the annotations are checked against it)."""
    if which == "all":
        return [SOURCES["hpo"], SOURCES["hpoa"]]
    if which not in SOURCES:
        raise InputError(f"unknown input {which!r}: choose hpo, hpoa or all")
    return [SOURCES[which]]


def fetch(which: str = "all", *, to: Path | str | None = None, release: str | None = None,
          mirror: str | None = None, policy: Policy = Policy(), force: bool = False,
          session: requests.Session | None = None,
          sleep: Callable[[float], None] = time.sleep) -> list[Outcome]:
    """Download, check and install the requested inputs into the inputs root ``to``.

    Returns one :class:`Outcome` per file. Raises :class:`DownloadError` (or
    :class:`InputError` for bad arguments / an unreadable manifest) with the previous files
    and manifest untouched.
    """
    root = Path(to) if to is not None else paths.HOME
    if release is not None and not _RELEASE.match(release):
        raise InputError(f"release must be a date like 2025-01-16, got {release!r}")
    if mirror is not None and not re.match(r"https?://", mirror):
        raise InputError(f"mirror must be an http(s) URL, got {mirror!r}")
    sources = resolve_names(which)
    old = manifest.load(root)  # a corrupt manifest stops us before any download
    own_session = session is None
    session = session or _session()
    pending = [_Pending(s, s.url(release, mirror)) for s in sources]
    try:
        for item in pending:
            _download(session, item, root, old, policy, force, sleep)
        ontology = None
        for item in pending:
            ontology = _check(item, root, old, release, ontology)
        return _install(pending, root, old)
    finally:
        for item in pending:
            if item.tmp is not None:
                _unlink(item.tmp)
        if own_session:
            session.close()


# -- downloading ---------------------------------------------------------------------------------

def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = f"rdkg/{__version__} (kg fetch; +https://w3id.org/rdkg/)"
    return session


def _conditional_headers(item: _Pending, root: Path, old: manifest.Manifest, force: bool) -> dict[str, str]:
    entry = old.get(item.source.rel)
    target = root / item.source.rel
    if force or entry is None or entry.url != item.url or not target.is_file():
        return {}
    if manifest.sha256_file(target) != entry.sha256:
        return {}  # the file changed since it was recorded: its validators no longer describe it
    headers = {}
    if entry.etag:
        headers["If-None-Match"] = entry.etag
    if entry.last_modified:
        headers["If-Modified-Since"] = entry.last_modified
    return headers


def _download(session: requests.Session, item: _Pending, root: Path, old: manifest.Manifest,
              policy: Policy, force: bool, sleep: Callable[[float], None]) -> None:
    headers = _conditional_headers(item, root, old, force)
    attempts = policy.retries + 1
    last = ""
    for attempt in range(1, attempts + 1):
        item.attempts = attempt
        try:
            _attempt(session, item, root, headers, policy)
            return
        except _Retryable as exc:
            last = str(exc)
            if attempt == attempts:
                break
            wait = policy.backoff * 2 ** (attempt - 1)
            if exc.wait is not None:
                wait = max(wait, min(exc.wait, policy.max_retry_after))
            note = f"{item.url}: {last}; retrying in {wait:.1f} s (attempt {attempt + 1} of {attempts})"
            if progress.enabled():  # on a terminal say why it waits; in logs and scripts only with -v
                print(f"  {note}", file=sys.stderr, flush=True)
            else:
                log.info(note)
            sleep(wait)
    raise DownloadError(f"cannot download {item.source.filename} from {item.url}: {last} "
                        f"(after {attempts} attempt{'s' if attempts > 1 else ''}); {_kept(root, item)}")


def _attempt(session: requests.Session, item: _Pending, root: Path, headers: Mapping[str, str],
             policy: Policy) -> None:
    target = root / item.source.rel
    try:
        response = session.get(item.url, headers=dict(headers), stream=True,
                               timeout=(policy.timeout, policy.timeout))
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema) as exc:
        raise DownloadError(f"invalid URL {item.url}: {exc}") from None
    except (requests.RequestException, OSError) as exc:
        raise _Retryable(_describe(exc)) from None
    with response:
        status = response.status_code
        if status == 304 and headers:
            item.not_modified = True
            return
        if status >= 500 or status == 429:
            raise _Retryable(f"HTTP {status} {response.reason or ''}".strip(),
                             wait=_retry_after(response.headers.get("Retry-After")))
        if status != 200:
            raise DownloadError(f"cannot download {item.source.filename} from {item.url}: HTTP {status} "
                                f"{response.reason or ''}".rstrip() + f"; {_kept(root, item)}")
        tmp = _stream(response, item, target)
    item.tmp = tmp
    item.etag = response.headers.get("ETag")
    item.last_modified = response.headers.get("Last-Modified")


def _stream(response: requests.Response, item: _Pending, target: Path) -> Path:
    """Body -> gzipped temporary file beside ``target``; the body must be complete and end in a newline."""
    expected = response.headers.get("Content-Length")
    encoded = bool(response.headers.get("Content-Encoding", "").strip() not in ("", "identity"))
    total = int(expected) if expected and expected.isdigit() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    bar = _Bar(item.source.filename, None if encoded else total)
    try:
        with os.fdopen(fd, "wb") as raw:
            first = b""
            last_byte = b""
            sink = None
            for chunk in response.iter_content(_CHUNK):
                if not chunk:
                    continue
                if sink is None:
                    first = chunk[:2]
                    sink = raw if first == b"\x1f\x8b" else gzip.GzipFile(
                        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
                sink.write(chunk)
                last_byte = chunk[-1:]
                bar.update(len(chunk))
            if sink is not None and sink is not raw:
                sink.close()
            raw.flush()
            os.fsync(raw.fileno())
        bar.close()
        received = response.raw.tell() if hasattr(response.raw, "tell") else bar.done
        if total is not None and received < total:
            raise _Retryable(f"truncated body: {received} of {total} bytes (Content-Length)")
        if sink is None:
            raise _Retryable("empty body")
        if first != b"\x1f\x8b" and last_byte != b"\n":
            raise _Retryable(f"truncated body: {bar.done} bytes not ending in a newline")
        os.chmod(tmp, 0o644)
        return tmp
    except (requests.RequestException, OSError) as exc:
        bar.close()
        _unlink(tmp)
        raise _Retryable(_describe(exc)) from None
    except BaseException:
        bar.close()
        _unlink(tmp)
        raise


def _describe(exc: BaseException) -> str:
    """One readable phrase for a requests/urllib3 failure (their str() nests several reprs)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout) or "Read timed out" in text:
        return "server stopped sending (read timed out)"
    if "IncompleteRead" in text or "Connection broken" in text or isinstance(
            exc, requests.exceptions.ChunkedEncodingError):
        return "connection broken mid-body (truncated)"
    if "reset" in text.lower():
        return "connection reset by peer"
    if "refused" in text.lower():
        return "connection refused"
    if "Name or service not known" in text or "NameResolutionError" in text:
        return "host name not resolved"
    return f"{type(exc).__name__}: {text[:200]}"


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


# -- checking ------------------------------------------------------------------------------------

def _check(item: _Pending, root: Path, old: manifest.Manifest, release: str | None, ontology):
    """Parse the downloaded file; returns the ontology to check annotations against."""
    from kg.ontology import Ontology

    if item.not_modified:
        item.entry = old.get(item.source.rel)
        if item.source.name == "hpo":
            return Ontology.load(root / item.source.rel)
        return ontology
    assert item.tmp is not None
    what = f"downloaded {item.source.filename} from {item.url}"
    try:
        if item.source.name == "hpo":
            ontology = Ontology.load(item.tmp)
            item.version = ontology.version
        else:
            if ontology is None:
                existing = root / manifest.HP_OBO
                ontology = Ontology.load(existing if existing.is_file() else paths.HP_OBO)
            item.version, item.row_problems = _check_hpoa(item.tmp, item.source.filename, ontology)
    except KgError as exc:
        reason = getattr(exc, "reason", str(exc))
        line = getattr(exc, "line", None)
        raise DownloadError(f"{what} is unusable: {'line ' + str(line) + ': ' if line else ''}{reason}; "
                            f"{_kept(root, item)}") from None
    if release is not None and item.version != release:
        raise DownloadError(f"{what} states release {item.version or '(none)'}, not the requested {release}; "
                            f"{_kept(root, item)}")
    return ontology


def _check_hpoa(path: Path, name: str, ontology) -> tuple[str | None, int]:
    from kg.model import HpoaHeader
    from kg.sources import hpoa

    report = Report()
    header: list[HpoaHeader] = []
    rows = sum(1 for _ in hpoa.read(hpoa.open_lines(path), path=name, report=report, ontology=ontology,
                                   header_out=header))
    bad = report.count("error")
    if rows == 0:
        raise InputError("no usable annotation rows")
    if bad > MAX_BAD_ROW_FRACTION * (rows + bad):
        first = next((str(p) for p in report.problems if p.severity == "error"), "")
        raise InputError(f"{bad} of {rows + bad} rows unusable, more than {MAX_BAD_ROW_FRACTION:.0%} "
                         f"(first: {first})")
    return (header[0].version if header else None), bad


# -- installing ----------------------------------------------------------------------------------

def _install(pending: list[_Pending], root: Path, old: manifest.Manifest) -> list[Outcome]:
    """Rename every checked file over its target, then write the manifest: all checks passed."""
    new = old
    outcomes = []
    renames: list[tuple[Path, Path]] = []
    for item in pending:
        rel = item.source.rel
        previous = old.get(rel)
        if item.not_modified:
            assert previous is not None
            outcomes.append(Outcome(item.source.name, rel, "unchanged", item.url, previous.version, previous.sha256,
                                    previous.size, reason="HTTP 304", attempts=item.attempts))
            continue
        assert item.tmp is not None
        entry = manifest.describe_file(root, os.path.relpath(item.tmp, root).replace(os.sep, "/"), url=item.url,
                                       version=item.version, licence=manifest.HPO_LICENCE, etag=item.etag,
                                       last_modified=item.last_modified)
        entry = dataclasses.replace(entry, path=rel)
        target = root / rel
        same = (previous is not None and target.is_file() and previous.content_sha256 == entry.content_sha256
                and manifest.sha256_file(target) == previous.sha256)
        if same:
            assert previous is not None
            if (previous.etag, previous.last_modified, previous.url) != (entry.etag, entry.last_modified, entry.url):
                new = new.with_entry(dataclasses.replace(previous, etag=entry.etag,
                                                         last_modified=entry.last_modified, url=entry.url))
            outcomes.append(Outcome(item.source.name, rel, "unchanged", item.url, previous.version, previous.sha256,
                                    previous.size, reason="same content", row_problems=item.row_problems,
                                    attempts=item.attempts))
            continue
        renames.append((item.tmp, target))
        new = new.with_entry(entry)
        outcomes.append(Outcome(item.source.name, rel, "updated" if target.exists() else "new", item.url,
                                entry.version, entry.sha256, entry.size, row_problems=item.row_problems,
                                attempts=item.attempts))
    for tmp, target in renames:
        os.replace(tmp, target)
        manifest.fsync_dir(target.parent)
    if new is not old:
        manifest.save(new, root)
    return outcomes


def _kept(root: Path, item: _Pending) -> str:
    target = root / item.source.rel
    return f"kept the previous {target}" if target.exists() else f"nothing written to {target}"


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


# -- progress --------------------------------------------------------------------------------------

class _Bar:
    """``hp.obo: 3.1 / 9.6 MB (32%)`` redrawn a few times a second on a terminal."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.show = progress.enabled()
        self._last = 0.0

    def update(self, n: int) -> None:
        self.done += n
        if self.show and time.perf_counter() - self._last > 0.2:
            self._last = time.perf_counter()
            self._draw()

    def _draw(self, end: str = "") -> None:
        mb = self.done / 1e6
        text = f"{mb:.1f} / {self.total / 1e6:.1f} MB ({100 * self.done // self.total}%)" if self.total else \
            f"{mb:.1f} MB"
        print(f"\r  {self.label}: {text}   ", end=end, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.show:
            self._draw(end="\n")
            self.show = False


def format_outcomes(outcomes: Iterable[Outcome]) -> list[str]:
    """Readable lines for the CLI."""
    lines = []
    for o in outcomes:
        detail = f" ({o.reason})" if o.reason else ""
        rows = f", {o.row_problems} rows skipped by the reader" if o.row_problems else ""
        lines.append(f"{o.name}: {o.status}{detail} {o.path} release {o.version or '?'} "
                     f"sha256 {o.sha256[:12]} {o.size / 1e6:.1f} MB from {o.url}{rows}")
    return lines
