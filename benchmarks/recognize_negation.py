#!/usr/bin/env python
"""Negation and context on clinical sentences written for this project, against fenominal.

The sentences live in ``tests/fixtures/recognize/``: ``negation.tsv`` (the development set the
rules in ``kg/recognize/data/context.tsv`` were written against), four held-out sets, each
written after the previous round of fixes and scored once before any further change, and
``comparison.tsv`` (findings likened to a disease: "resembles", "mimics"), scored once before
its rules were written (first scores in docs/decisions/0007-phenotype-recogniser.md; this
script shows today's).
Each row names the HPO IDs the sentence must yield as negated, as positive, as a relative's
finding and as a diagnosis under consideration.

For a negated finding: *negated* when every mention of that ID is negated, *positive* when one
is not (the failure that matters: an absent finding recorded as present), *missed* when the
term is not found at all. fenominal 0.3.4 marks negated mentions ``excluded``; it has no
family or differential context, so those columns are left empty for it.

    python benchmarks/recognize_negation.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.ontology import Ontology

SETS = ("negation.tsv", "negation_heldout1.tsv", "negation_heldout2.tsv", "negation_heldout3.tsv", "negation_heldout4.tsv",
        "comparison.tsv")
FIXTURES = REPO / "tests" / "fixtures" / "recognize"

#: (hpo_id, negated, context) per mention
Found = list[tuple[str, bool, str | None]]


def read_set(path: Path) -> list[tuple[str, list[list[str]]]]:
    rows = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    for line in lines[1:]:
        cells = (line.split("\t") + [""] * 5)[:5]
        rows.append((cells[0], [[i for i in c.split(",") if i] for c in cells[1:]]))
    return rows


def evaluate(rows: list[tuple[str, list[list[str]]]], annotate: Callable[[str], Found]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for sentence, (negated, positive, family, differential) in rows:
        found: dict[str, list[tuple[bool, str | None]]] = {}
        for hpo_id, neg, context in annotate(sentence):
            found.setdefault(hpo_id, []).append((neg, context))
        for hpo_id in negated:
            counts["negated findings"] += 1
            if hpo_id not in found:
                counts["negated: missed"] += 1
            elif all(neg for neg, _ in found[hpo_id]):
                counts["negated: reported negated"] += 1
            else:
                counts["negated: reported POSITIVE"] += 1
        for hpo_id in positive:
            counts["positive findings"] += 1
            counts["positive: found, not negated"] += hpo_id in found and not any(n for n, _ in found[hpo_id])
            counts["positive: the patient's"] += hpo_id in found and not any(
                n or c not in (None, "patient") for n, c in found[hpo_id])  # None: the tool has no context
        for label, ids, want in (("family", family, "family"), ("differential", differential, "differential")):
            for hpo_id in ids:
                counts[f"{label} findings"] += 1
                counts[f"{label}: right context"] += hpo_id in found and all(c == want for _, c in found[hpo_id])
    return counts


def main() -> int:
    from kg.recognize import Recognizer

    onto = Ontology.load()
    recognizer = Recognizer.load()
    tools: dict[str, Callable[[str], Found]] = {
        "rdkg": lambda s: [(m.hpo_id, m.negated, m.context.value) for m in recognizer.annotate(s)]}
    try:
        sys.path.insert(0, str(REPO / "benchmarks"))
        import fenominal
        from recognize_gsc import obographs  # the same hp.json the GSC+ benchmark uses

        from kg import paths
        from kg.ontology import sha256_of

        cache = paths.cache_dir() / f"fenominal-{sha256_of(paths.HP_OBO)[:20]}-v2"
        cache.mkdir(parents=True, exist_ok=True)
        miner = fenominal.Fenominal(str(obographs(onto, cache)))
        tools["fenominal 0.3.4"] = lambda s: [(h["termId"], bool(h["excluded"]), None)
                                             for h in json.loads(miner.map_text(s))]
    except ImportError as exc:
        print(f"fenominal not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)
    keys = ("negated findings", "negated: reported negated", "negated: reported POSITIVE", "negated: missed",
            "positive findings", "positive: found, not negated", "positive: the patient's", "family findings", "family: right context",
            "differential findings", "differential: right context")
    for name in SETS:
        rows = read_set(FIXTURES / name)
        print(f"\n{name}: {len(rows)} sentences")
        results = {tool: evaluate(rows, run) for tool, run in tools.items()}
        print(f"  {'':32}" + "".join(f"{tool:>18}" for tool in results))
        for key in keys:
            print(f"  {key:32}" + "".join(f"{r[key]:>18}" for r in results.values()))
        for tool, r in results.items():
            share = r["negated: reported negated"] / r["negated findings"] if r["negated findings"] else 0.0
            print(f"  {tool}: {share:.1%} of negated findings reported negated, "
                  f"{r['negated: reported POSITIVE']} reported as positive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
