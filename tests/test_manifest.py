"""kg.manifest: the data manifest round-trips, is written atomically and catches changed files."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import manifest, paths
from kg.errors import InputError

URL = "http://127.0.0.1/hp.obo"


def _write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_vendored_manifest_matches_the_vendored_files():
    man = manifest.load(paths.HOME, required=True)
    assert sorted(e.path for e in man) == [manifest.HPOA, manifest.HP_OBO]
    assert manifest.verify(man, paths.HOME) == []
    for entry in man:
        assert entry.version == "2025-01-16"
        assert "2025-01-16" in entry.url
        assert "HPO licence" in entry.licence
    # the two digests are the ones /work/shared/hpo/MANIFEST.md publishes for the .gz files
    assert man.get(manifest.HP_OBO).sha256 == "e6b4aa91091cdacf1022162336023347d30365aa2dff7aa371d79f362f91cf96"
    assert man.get(manifest.HPOA).sha256 == "ecf4a6f0b305386a950d14fd057fb82c2759413a387794f6a8b51875e6ade07a"


def test_round_trip_is_byte_identical(tmp_path):
    _write(tmp_path, manifest.HP_OBO, gzip.compress(b"format-version: 1.2\n", mtime=0))
    entry = manifest.describe_file(tmp_path, manifest.HP_OBO, url=URL, version="2025-01-16",
                                   retrieved="2025-02-01", etag='"abc"', last_modified="Thu, 16 Jan 2025 00:00:00 GMT")
    path = manifest.save(manifest.Manifest().with_entry(entry), tmp_path)
    first = path.read_bytes()
    again = manifest.load(tmp_path)
    assert again.get(manifest.HP_OBO) == entry
    manifest.save(again, tmp_path)
    assert path.read_bytes() == first
    assert json.loads(first)["files"][manifest.HP_OBO]["etag"] == '"abc"'


def test_entry_without_optional_fields_round_trips(tmp_path):
    """Regression (found by the fuzz profile): None fields are not written, and reading must not need them."""
    _write(tmp_path, "x.txt", b"plain")
    entry = manifest.describe_file(tmp_path, "x.txt", url=URL, version=None)
    manifest.save(manifest.Manifest().with_entry(entry), tmp_path)
    assert "version" not in json.loads(manifest.manifest_path(tmp_path).read_text())["files"]["x.txt"]
    assert manifest.load(tmp_path).get("x.txt") == entry


def test_digests_of_a_gzip_file_cover_file_and_content(tmp_path):
    content = b"#version: 2025-01-16\nrow\n"
    packed = gzip.compress(content, mtime=0)
    _write(tmp_path, manifest.HPOA, packed)
    before = manifest.today()
    entry = manifest.describe_file(tmp_path, manifest.HPOA, url=URL, version=None)
    assert entry.sha256 == hashlib.sha256(packed).hexdigest()
    assert entry.content_sha256 == hashlib.sha256(content).hexdigest()
    assert entry.size == len(packed)
    assert entry.retrieved in {before, manifest.today()}  # (a run across midnight UTC)


def test_plain_file_content_digest_equals_file_digest(tmp_path):
    _write(tmp_path, "a/b.txt", b"plain")
    entry = manifest.describe_file(tmp_path, "a/b.txt", url=URL, version=None)
    assert entry.sha256 == entry.content_sha256 == hashlib.sha256(b"plain").hexdigest()


def test_truncated_gzip_is_an_input_error(tmp_path):
    packed = gzip.compress(b"x" * 10000, mtime=0)
    _write(tmp_path, manifest.HPOA, packed[: len(packed) // 2])
    with pytest.raises(InputError, match="truncated or corrupt gzip"):
        manifest.describe_file(tmp_path, manifest.HPOA, url=URL, version=None)


def test_verify_names_changed_and_missing_files(tmp_path):
    _write(tmp_path, "x.txt", b"one")
    _write(tmp_path, "y.txt", b"two")
    man = manifest.Manifest()
    for rel in ("x.txt", "y.txt"):
        man = man.with_entry(manifest.describe_file(tmp_path, rel, url=URL, version=None))
    assert manifest.verify(man, tmp_path) == []
    (tmp_path / "x.txt").write_bytes(b"ONE")
    (tmp_path / "y.txt").unlink()
    problems = manifest.verify(man, tmp_path)
    assert len(problems) == 2
    assert problems[0].startswith("x.txt: sha256 ") and "differs" in problems[0]
    assert problems[1] == "y.txt: recorded in the manifest but missing"


def test_input_versions_trusts_only_matching_entries(tmp_path):
    _write(tmp_path, manifest.HP_OBO, b"obo")
    _write(tmp_path, manifest.HPOA, b"hpoa")
    man = manifest.Manifest().with_entry(
        manifest.describe_file(tmp_path, manifest.HP_OBO, url=URL, version="2025-01-16"))
    man = man.with_entry(manifest.describe_file(tmp_path, manifest.HPOA, url=URL, version="2025-01-16"))
    manifest.save(man, tmp_path)
    (tmp_path / manifest.HPOA).write_bytes(b"edited")
    obo, hpoa = manifest.input_versions(tmp_path)
    assert obo.version == "2025-01-16" and obo.url == URL
    assert hpoa.version is None
    assert hpoa.url.startswith("file://") and hpoa.note == "changed since recorded in the data manifest"
    assert hpoa.sha256 == hashlib.sha256(b"edited").hexdigest()


def test_input_versions_of_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="input file not found"):
        manifest.input_versions(tmp_path)


def test_absent_manifest_is_empty_unless_required(tmp_path):
    assert len(manifest.load(tmp_path)) == 0
    with pytest.raises(InputError, match="data manifest not found"):
        manifest.load(tmp_path, required=True)


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ("[]", "must be an object with a 'files' object"),
    ('{"format": 9, "files": {}}', "unsupported data manifest format 9"),
    ('{"format": 1, "files": {"../x": {}}}', "relative '/'-separated path"),
    ('{"format": 1, "files": {"x": {"url": "u"}}}', "lacks sha256, size, licence, retrieved"),
    (('{"format": 1, "files": {"x": {"url": "u", "sha256": "zz", "size": 1, "licence": "l",'
     ' "retrieved": "2025-01-01"}}}'), "'sha256' is not a sha256 hex digest"),
    ('{"format": 1, "files": {"x": {"url": "u", "sha256": "' + "a" * 64 + '", "size": -1, "licence": "l",'
     ' "retrieved": "2025-01-01"}}}', "'size' must be a non-negative integer"),
    ('{"format": 1, "files": {"x": {"url": "u", "sha256": "' + "a" * 64 + '", "size": 1, "licence": "l",'
     ' "retrieved": "yesterday"}}}', "'retrieved' is not an ISO date"),
    ('{"format": 1, "files": {"x": {"url": 5, "sha256": "' + "a" * 64 + '", "size": 1, "licence": "l",'
     ' "retrieved": "2025-01-01"}}}', "'url' must be a string"),
    ('{"format": 1, "files": {"x": {"url": "u", "sha256": "' + "a" * 64 + '", "size": 1, "licence": "l",'
     ' "retrieved": "2025-01-01", "colour": "red"}}}', "unknown fields colour"),
])
def test_malformed_manifest_is_an_input_error_naming_the_file(text, message):
    with pytest.raises(InputError, match=message) as info:
        manifest.loads(text, where="data/manifest.json")
    assert str(info.value).startswith("data/manifest.json")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_manifest_bytes_raise_only_input_error(raw):
    try:
        manifest.loads(raw)
    except InputError:
        pass


def test_save_leaves_no_temporary_files_and_replaces_whole(tmp_path):
    _write(tmp_path, "x.txt", b"one")
    man = manifest.Manifest().with_entry(manifest.describe_file(tmp_path, "x.txt", url=URL, version=None))
    manifest.save(man, tmp_path)
    manifest.save(man, tmp_path)
    assert sorted(os.listdir(tmp_path / "data")) == ["manifest.json"]
