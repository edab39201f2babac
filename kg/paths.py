"""Where the project's vendored inputs and default outputs live.

The repository is the data home: ``ontologies/`` and ``data/`` sit beside the ``kg``
package (installed editable, as the README says). ``KG_HOME`` overrides it, e.g. for a
wheel install next to a copy of the data.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME = Path(os.environ.get("KG_HOME", Path(__file__).resolve().parent.parent))
ONTOLOGIES = HOME / "ontologies"
DATA = HOME / "data"
QUERIES = HOME / "queries"
MANIFEST = DATA / "manifest.json"
HP_OBO = ONTOLOGIES / "hp.obo.gz"
HPOA = DATA / "hpo" / "phenotype.hpoa.gz"
DOCUMENT_RECORDS = DATA / "documents"
SHAPES = ONTOLOGIES / "shapes.ttl"

#: ``kg build`` writes here unless told otherwise; ``kg query``/``serve`` read from here.
DEFAULT_BUILD = Path(os.environ.get("KG_BUILD_DIR", "build"))


def cache_dir() -> Path:
    """Cache for expensive derived data (parsed ontology, recogniser index), keyed by input sha256."""
    base = os.environ.get("KG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "rdkg")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path
