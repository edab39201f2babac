"""The data manifest (``data/manifest.json``): where every input file came from.

One entry per input file, keyed by its path relative to the *inputs root* (the repository
for the vendored data, or the directory ``kg fetch --to DIR`` wrote): source URL, release
version, sha256 of the stored file and of its uncompressed content, size, licence, the date
it was retrieved and the HTTP validators (ETag / Last-Modified) that let ``kg fetch`` ask
"has it changed?" without downloading it again.

Why a manifest at all: the build records the versions and checksums of its inputs in the
dataset description, and a user must be able to tell which release a graph was built from
and whether the files on disk are still the ones recorded (:func:`verify`).

The file is written atomically (temporary file + ``os.replace``) with sorted keys, so it is
either the previous complete manifest or the new one, and rewriting the same entries gives
byte-identical output.

Typical use::

    man = manifest.load(root)                   # Manifest (empty when the file is missing)
    entry = man.get(manifest.HP_OBO)            # Entry | None
    man = man.with_entry(manifest.describe_file(root, manifest.HP_OBO, url=..., version=...))
    manifest.save(man, root)
    problems = manifest.verify(man, root)       # [] when every file matches its sha256
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError

#: Layout of an inputs root (the repository itself, or a ``kg fetch --to DIR`` directory).
HP_OBO = "ontologies/hp.obo.gz"
HPOA = "data/hpo/phenotype.hpoa.gz"
MANIFEST = "data/manifest.json"

#: The licence of both HPO files, as the HPO project states it.
HPO_LICENCE = ("HPO licence: free to use and redistribute unmodified, with attribution "
               "(https://hpo.jax.org/app/license)")

FORMAT = 1
_FIELDS_REQUIRED = ("url", "sha256", "size", "licence", "retrieved")


@dataclass(frozen=True, slots=True)
class Entry:
    """One input file as recorded: what it is, where it came from, and its checksums."""

    path: str  # relative to the inputs root, '/'-separated, e.g. "ontologies/hp.obo.gz"
    url: str  # the URL it was downloaded from (or the official release URL of a vendored copy)
    version: str | None  # release version stated inside the file (data-version / #version)
    sha256: str  # of the file as stored
    size: int  # bytes as stored
    licence: str
    retrieved: str  # ISO date (YYYY-MM-DD) the content was retrieved
    content_sha256: str | None = None  # of the uncompressed content (what upstream serves)
    etag: str | None = None
    last_modified: str | None = None
    note: str | None = None  # free text, e.g. how a vendored copy was obtained

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        del data["path"]
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_json(cls, path: str, data: Mapping[str, Any], *, where: str) -> Entry:
        if not isinstance(data, Mapping):
            raise InputError("manifest entry is not an object", path=where, identifier=path)
        missing = [k for k in _FIELDS_REQUIRED if k not in data]
        if missing:
            raise InputError(f"manifest entry lacks {', '.join(missing)}", path=where, identifier=path)
        known = {f.name for f in dataclasses.fields(cls)} - {"path"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"manifest entry has unknown fields {', '.join(unknown)}", path=where,
                             identifier=path)
        strings = [k for k in known if k != "size"]
        for key in strings:
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise InputError(f"manifest field {key!r} must be a string", path=where, identifier=path)
        if not isinstance(data["size"], int) or isinstance(data["size"], bool) or data["size"] < 0:
            raise InputError("manifest field 'size' must be a non-negative integer", path=where,
                             identifier=path)
        for key in ("sha256", "content_sha256"):
            value = data.get(key)
            if value is not None and not _is_sha256(value):
                raise InputError(f"manifest field {key!r} is not a sha256 hex digest", path=where,
                                 identifier=path)
        try:
            _dt.date.fromisoformat(data["retrieved"])
        except ValueError:
            raise InputError("manifest field 'retrieved' is not an ISO date", path=where,
                             identifier=path) from None
        return cls(path=path, **{k: data.get(k) for k in known})  # absent optional fields are None


@dataclass(frozen=True)
class Manifest:
    """All entries of one manifest file, by relative path. Immutable: ``with_entry`` copies."""

    entries: Mapping[str, Entry] = field(default_factory=dict)

    def get(self, path: str) -> Entry | None:
        return self.entries.get(path)

    def __iter__(self) -> Iterator[Entry]:
        return (self.entries[k] for k in sorted(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def with_entry(self, entry: Entry) -> Manifest:
        entries = dict(self.entries)
        entries[entry.path] = entry
        return Manifest(entries)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "files": {k: self.entries[k].to_json() for k in sorted(self.entries)}}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- reading and writing ---------------------------------------------------------------------

def manifest_path(root: Path | str) -> Path:
    """Where the manifest of an inputs root lives."""
    return Path(root) / MANIFEST


def load(root: Path | str, *, required: bool = False) -> Manifest:
    """Read the manifest of an inputs root; an absent file is an empty manifest unless ``required``."""
    path = manifest_path(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise InputError("data manifest not found", path=str(path)) from None
        return Manifest()
    except OSError as exc:
        raise InputError(f"cannot read data manifest: {exc.strerror or exc}", path=str(path)) from exc
    return loads(raw, where=str(path))


def loads(raw: bytes | str, *, where: str = "manifest.json") -> Manifest:
    """Parse manifest JSON; anything malformed is an :class:`InputError` naming ``where``."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"data manifest is not valid JSON: {exc}", path=where, line=line) from None
    except RecursionError:
        raise InputError("data manifest is nested too deeply", path=where) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise InputError("data manifest must be an object with a 'files' object", path=where)
    if data.get("format") != FORMAT:
        raise InputError(f"unsupported data manifest format {data.get('format')!r} (expected {FORMAT})",
                         path=where)
    entries = {}
    for key, value in data["files"].items():
        _check_relative(key, where)
        entries[key] = Entry.from_json(key, value, where=where)
    return Manifest(entries)


def save(manifest: Manifest, root: Path | str) -> Path:
    """Write the manifest atomically: readers see the old file or the new one, never a mix."""
    path = manifest_path(root)
    atomic_write_bytes(path, manifest.dumps().encode("utf-8"))
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- describing and checking files -------------------------------------------------------------

def file_digests(path: Path | str) -> tuple[str, int, str]:
    """(sha256 of the file, its size, sha256 of its uncompressed content) in one pass each.

    The content digest is the same as the file digest for a plain file; for gzip (detected by
    its magic number) it is the digest of the decompressed bytes, which is what upstream serves.
    """
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    if head != b"\x1f\x8b":
        return digest.hexdigest(), size, digest.hexdigest()
    content = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                content.update(block)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"truncated or corrupt gzip: {exc}", path=str(path)) from None
    return digest.hexdigest(), size, content.hexdigest()


def describe_file(root: Path | str, rel: str, *, url: str, version: str | None, licence: str = HPO_LICENCE,
                  retrieved: str | None = None, etag: str | None = None, last_modified: str | None = None,
                  note: str | None = None) -> Entry:
    """An :class:`Entry` for the file ``root/rel`` as it is now on disk (digests computed here)."""
    _check_relative(rel, str(root))
    sha, size, content = file_digests(Path(root) / rel)
    return Entry(path=rel, url=url, version=version, sha256=sha, size=size, licence=licence,
                 retrieved=retrieved or today(), content_sha256=content, etag=etag,
                 last_modified=last_modified, note=note)


def verify(manifest: Manifest, root: Path | str) -> list[str]:
    """One readable line per recorded file that is missing or differs from its recorded sha256."""
    problems = []
    for entry in manifest:
        path = Path(root) / entry.path
        if not path.is_file():
            problems.append(f"{entry.path}: recorded in the manifest but missing")
            continue
        sha = sha256_file(path)
        if sha != entry.sha256:
            problems.append(f"{entry.path}: sha256 {sha[:12]}... differs from the manifest's "
                            f"{entry.sha256[:12]}... (file changed since it was recorded)")
    return problems


def input_versions(root: Path | str, files: tuple[str, ...] = (HP_OBO, HPOA)) -> list[Entry]:
    """What the build records about its inputs: the manifest entry of each file, checked.

    A file whose sha256 matches its entry gets that entry (URL, version, licence...). A file
    that is not recorded, or was changed since, gets a fresh entry with ``url`` set to its
    local path and ``version`` None, so the dataset description never claims a release the
    bytes do not come from.
    """
    man = load(root)
    out = []
    for rel in files:
        path = Path(root) / rel
        if not path.is_file():
            raise InputError("input file not found", path=str(path))
        entry = man.get(rel)
        if entry is not None and sha256_file(path) == entry.sha256:
            out.append(entry)
        else:
            sha, size, content = file_digests(path)
            out.append(Entry(path=rel, url=path.resolve().as_uri(), version=None, sha256=sha, size=size,
                             licence=entry.licence if entry else "unknown", retrieved=today(),
                             content_sha256=content,
                             note="not recorded in the data manifest" if entry is None
                             else "changed since recorded in the data manifest"))
    return out


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def today() -> str:
    return _dt.date.today().isoformat()


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _check_relative(rel: str, where: str) -> None:
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise InputError(f"manifest key must be a relative '/'-separated path: {rel!r}", path=where)
