"""The recogniser's dictionary: every HPO name reduced to keys, built once and cached.

Names come from the ontology layer (``kg.ontology.Ontology``) for the terms under the roots
(phenotypic abnormality, mode of inheritance, onset; not the roots themselves): labels and
exact synonyms (layperson, British spelling, plural and abbreviation synonyms included) first,
then related and narrow synonyms, then broad ones, each at a lower priority. Measured on GSC+
(``benchmarks/recognize_gsc.py``): related synonyms add recall ("hearing loss", "epilepsy"),
broad and narrow ones neither help nor hurt there and carry clinical words ("rash"). Obsolete
terms are left out, so every reported ID is current; alt_ids are not names, so nothing needs
remapping at match time. A two-letter abbreviation, or one shared by two terms, is left out.

Each name is indexed as its key sequence ("renal hypoplasia" -> ``kidney hypoplasia``, with
the prefixes of every sequence so a scan stops as soon as no name can continue), with its
other word orders ("hypoplasia of the kidney"; "absence of speech" for "Absent speech"), and as
a bag of content keys for word-order-free matching. One-word names are indexed by their lighter
single key. When two terms share a key, the better source wins (label, exact, related/narrow,
broad; an exact word order before a variant or a bag), then the lower HPO ID; where the text
is written exactly as one of the names, that name's term wins (``alternatives``). A key that
only related, narrow or broad synonyms of several terms give goes to the one the others are
kinds of ("spleen abnormality" -> Abnormality of the spleen), or to none.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg import paths
from kg.errors import KgError
from kg.model import Term
from kg.ontology import MODE_OF_INHERITANCE, ONSET, PHENOTYPIC_ABNORMALITY, Ontology
from kg.recognize.normalize import (
    ABBREVIATION_MARK,
    EQUIVALENT_TABLES,
    FUNCTION_WORDS,
    SKIPPED,
    Normalizer,
    raw_tokens,
    spell,
)

log = logging.getLogger(__name__)

#: Branches recognised by default: phenotypes, modes of inheritance, ages of onset.
DEFAULT_ROOTS: tuple[str, ...] = (PHENOTYPIC_ABNORMALITY, MODE_OF_INHERITANCE, ONSET)
KEEP_CACHES = 3  # cached indexes kept per hp.obo (other options, or the previous code)
#: Bumped whenever the index layout or the way it is built changes.
INDEX_FORMAT = 6

# Priorities: lower wins when two names give the same key.
LABEL, EXACT, ABBREVIATION, RELATED, BROAD = 0, 1, 2, 3, 4
FALLBACK = 5  # a name made by a rule (``measure-names``): used only where no other name has the key
SCOPE_PRIORITY = {"RELATED": RELATED, "NARROW": RELATED, "BROAD": BROAD}
INVERTED = 10  # added for an "X of Y" <-> "Y X" variant
BAG_PRIORITY = 20  # added for a word-order-free match
APOSTROPHES = frozenset({"'", "\u2019", "\u2018", "`"})
MAX_BAG = 6  # content words at most in a word-order-free match


#: Optional matching mechanisms, each measured on GSC+ (docs/decisions/0007).
FEATURES: dict[str, str] = {
    "glued-names": "a token glued from two one-word names, or a name and a word, is split "
                   "(\"hemoptysisanemia\") when the token is no word of the HPO's text",
    "adverbs": "an adverb is keyed as its adjective (\"developmentally delayed\" is \"developmental delay\")",
    "slash": "a slash coordinates like \"or\" (\"palmar/plantar pits\", \"cleft lip/palate\")",
    "modifiers": "laterality and severity words inside a name are passed over (\"dysplastic left kidney\"; "
                 "data/modifiers.tsv)",
    "abbreviation-definitions": "a short form the text defines (\"iron deficiency anemia (IDA)\") names the "
                                "long form's term after it, and a short form defined as something else "
                                "names nothing (kg/recognize/abbreviations.py)",
    "crossing": "with nested mentions, a name that crosses a chosen one (neither holds the other) is "
                "reported too (\"malformed nose with broad bridge\")",
    "shared-both-sides": "coordination shares a modifier before and a head after the list at once "
                         "(\"posterior subcapsular or capsular cataract\")",
    "unambiguous-synonyms": "a key given only by related, narrow or broad synonyms is used only when "
                            "they are synonyms of one term",
    "obsolete-names": "the label and exact synonyms of an obsolete term replaced by one current term are "
                      "broad names of that term (\"psychomotor retardation\" -> Global developmental delay)",
    "at-birth": "\"at birth\" in the text is the word \"neonatal\" (\"hypotonia at birth\" is Neonatal hypotonia)",
    "singular-names": "where terms share a key, the name written as the text is up to number wins (\"renal "
                      "malformations\" is Renal malformation, not Renal anomaly), when no name is written exactly so",
    "general-first": "where names of a term and of its descendants give one key from equally good sources, "
                     "the key goes to the most general of them, not to the lower HPO ID",
    "absent-adjectives": "a word that says a finding is absent names it, negated (\"afebrile\": Fever, "
                         "excluded; data/absent.tsv)",
    "not-findings": "a name inside a phrase that only looks like a finding names nothing (\"the short arm "
                    "of chromosome 1\"; data/not_findings.tsv)",
    "comma-names": "a name with one comma is matched as written, comma included (\"Intellectual disability, "
                   "severe\"), and in the order \"severe intellectual disability\"",
    "inverted-phrases": "a problem-list inversion may have a name of up to three words before the comma "
                        "(\"mental retardation, profound\"), not only one word",
    "severity-ranges": "a range of severities before a name gives both (\"mild to moderate hearing loss\")",
    "comma-adjectives": "two words before a head with a comma between them share it (\"cup-shaped, anteverted "
                        "pinnae\"), when both make names",
    "predicates": "a quality said after what it qualifies names the finding (\"serum creatine kinase was "
                  "elevated\", \"the liver was enlarged\"; \"was not enlarged\" excludes it; data/predicates.tsv)",
    "measure-names": "names of measurements are also named without the measure noun (\"Low platelet count\" "
                      "is \"low platelets\", \"platelets were low\")",
    "slash-names": "a name with a slash or a colon is also matched as written, the mark included "
                   "(\"Aplasia/Hypoplasia of the thumb\", \"Increased CD4:CD8 ratio\"): the text's mark is a "
                   "token, which the plain keys drop",
}


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """What goes into the index; part of the cache key."""

    roots: tuple[str, ...] = DEFAULT_ROOTS
    #: synonym scopes indexed besides EXACT (RELATED, NARROW, BROAD); see the module docstring
    scopes: tuple[str, ...] = ("RELATED", "NARROW", "BROAD")
    #: when set, only synonyms of these types (e.g. "layperson") are taken from ``scopes``
    scope_types: tuple[str, ...] | None = None
    min_letters: int = 3  # single-word names shorter than this are left out (abbreviations: 3)
    #: word-equivalence tables applied to names and text alike (``kg/recognize/data``)
    tables: tuple[str, ...] = EQUIVALENT_TABLES
    #: matching mechanisms switched on (``FEATURES``); the GSC+ benchmark's ``--ablation``
    #: measures each by leaving it out
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise KgError(f"unknown recogniser feature(s) {', '.join(unknown)}; known: {', '.join(FEATURES)}")

    def has(self, feature: str) -> bool:
        return feature in self.features


DEFAULT_OPTIONS = IndexOptions(features=tuple(FEATURES))


@dataclass
class Index:
    """Everything the matcher needs, picklable; ``terms[i]`` is ``(hpo_id, label)``."""

    hpo_version: str | None
    hpo_sha256: str | None
    options: IndexOptions
    normalizer: Normalizer
    terms: list[tuple[str, str]] = field(default_factory=list)
    #: ``parents[i]``: positions in ``terms`` of the is_a parents of ``terms[i]`` (indexed ones)
    parents: list[tuple[int, ...]] = field(default_factory=list)
    singles: dict[str, tuple[int, int]] = field(default_factory=dict)  # one-word names: single key
    sequences: dict[str, tuple[int, int]] = field(default_factory=dict)  # full keys -> (term, priority)
    prefixes: set[str] = field(default_factory=set)
    bags: dict[frozenset[str], tuple[int, int]] = field(default_factory=dict)
    bag_words: set[str] = field(default_factory=set)
    bag_pairs: set[str] = field(default_factory=set)  # "a b" for two different words of one bag
    glue_pairs: set[str] = field(default_factory=set)  # "k1 k2" that start or make a sequence
    #: every word of the HPO's text (names, definitions, comments; all terms) and its full key:
    #: a token that is one of these is a word, never two glued ones
    words: frozenset[str] = frozenset()
    #: keys naming several terms: (single keys of the name as written, term, priority)
    alternatives: dict[str, tuple[tuple[str, int, int], ...]] = field(default_factory=dict)
    #: bags naming several terms: (content words as written, singular, sorted; term, priority)
    bag_alternatives: dict[frozenset[str], tuple[tuple[str, int, int], ...]] = field(default_factory=dict)


HYPHENS = frozenset({"-", "\u2010", "\u2011"})
NAME_MARKS = "/:"  # punctuation a name keeps as a token with "slash-names"


def name_words(name: str, joinable: frozenset[str] = frozenset(), keep: str = "") -> list[str]:
    """The words of a name that get keys, as written: punctuation (but the characters in
    ``keep``), articles and possessive 's dropped; "Pre-auricular" becomes one word when
    "preauricular" is in ``joinable``."""
    out: list[str] = []
    tokens = raw_tokens(name)
    skip_next = after_apostrophe = False
    for k, (raw, start, end) in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        if raw in HYPHENS and out and out[-1] == tokens[k - 1][0] and k + 1 < len(tokens) \
                and tokens[k - 1][2] == start and tokens[k + 1][1] == end and tokens[k + 1][0].isalpha() \
                and (out[-1] + tokens[k + 1][0]).lower() in joinable:
            out[-1] += tokens[k + 1][0]
            skip_next = True
            continue
        if raw in SKIPPED:
            after_apostrophe = raw in APOSTROPHES
            continue
        if after_apostrophe and raw in ("s", "S"):
            after_apostrophe = False
            continue
        after_apostrophe = False
        if raw[0].isalnum() or raw in keep and out and k + 1 < len(tokens):
            out.append(raw)
    return out


def read_at_birth(words: list[str]) -> list[str]:
    """A name's "at birth" as the text's is read (feature "at-birth"): "neonatal", in its
    place ("Macrocephaly at birth" is keyed "macrocephaly neonatal", like the text)."""
    out: list[str] = []
    for word in words:
        if word.lower() == "birth" and out and out[-1].lower() == "at":
            out[-1] = "neonatal"
        else:
            out.append(word)
    return out


def name_keys(normalizer: Normalizer, name: str, joinable: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(single, full) keys of a name's words (see ``name_words``)."""
    return [normalizer.keys(raw) for raw in name_words(name, joinable)]


def inverted(keys: list[str]) -> list[str] | None:
    """"H of M" -> "M H" and "M H" -> "H of M" (two words), or None."""
    if keys.count("of") == 1:
        at = keys.index("of")
        head, tail = keys[:at], keys[at + 1:]
        if head and tail and len(head) <= 3 and len(tail) <= 3:
            return tail + head
        return None
    if len(keys) == 2 and "of" not in keys:
        return [keys[1], "of", keys[0]]
    return None


def variants(keys: list[str], absent: str, absence: str, impairment: str = "", impaired: str = ""
             ) -> list[list[str]]:
    """Other word orders a name is written in: "X of Y" <-> "Y X" (``inverted``),
    "Absent X" -> "absence of X" ("absence of speech" is the finding "Absent speech"), and
    "X impairment" -> "impaired X" ("impaired hearing", "hearing was impaired": Hearing
    impairment; "impaired" is a word for "decreased", "impairment" is not)."""
    return [variant for variant, _ in variants_as_written(keys, keys, absent, absence, impairment, impaired)]


def variants_as_written(keys: list[str], written: list[str], absent: str, absence: str, impairment: str = "",
                        impaired: str = "") -> list[tuple[list[str], list[str]]]:
    """``variants`` of the keys, each with the name's words as written put the same way
    ("Kidney malformation" -> "malformation of kidney"), decided on the keys alone so the two
    never disagree ("Missing teeth" is keyed "absent tooth": "absence of teeth")."""
    out = []
    flipped = inverted(keys)
    if flipped:
        out.append((flipped, inverted(written) or written))
    if len(keys) >= 2 and keys[0] == absent and keys[1] != "of":
        out.append(([absence, "of", *keys[1:]], ["absence", "of", *written[1:]]))
    if impairment and len(keys) >= 2 and keys[-1] == impairment and "of" not in keys:
        out.append(([impaired, *keys[:-1]], ["impaired", *written[:-1]]))
    return out


def comma_parts(normalizer: Normalizer, name: str, joinable: frozenset[str] = frozenset()
                ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
    """(single, full) keys of the two parts of a name with one comma ("Hearing loss,
    sensorineural", "High, arched palate"), or None; the part after it is at most three words
    and no list ("and", "or")."""
    head, sep, tail = name.partition(",")
    if not sep or "," in tail:
        return None
    head_pairs = name_keys(normalizer, head, joinable)
    tail_pairs = name_keys(normalizer, tail, joinable)
    if not head_pairs or not tail_pairs or len(tail_pairs) > 3 or {"and", "or"} & {f for _, f in tail_pairs}:
        return None
    return head_pairs, tail_pairs


def comma_variants(head: list[str], tail: list[str]) -> list[tuple[list[str], int]]:
    """A comma name's keys as a text writes it, comma included (the plain keys drop punctuation,
    and a text's comma is a token), and in the order "sensorineural hearing loss" (at the lower
    priority of a variant)."""
    return [(head + [","] + tail, 0), (tail + head, INVERTED)]


MEASURE_NAME = re.compile(r"^(?P<what>(?:increased|elevated|high|decreased|reduced|low|abnormal|absent)\s.+?)"
                          r"\s+(?:count|counts|level|levels|concentration|concentrations)$", re.IGNORECASE)


def _measure_names(terms: list[Term]) -> list[tuple[Term, str, int]]:
    """"Low platelet" for "Low platelet count", "Elevated serum ferritin" for "Elevated serum
    ferritin level", as fallback names: clinical text drops the measure noun ("low platelets",
    "platelets were low"). A fallback name is dropped wherever any other name has its key
    ("Decreased hemoglobin", a related synonym of Anemia, keeps it)."""
    out = []
    for term in terms:
        for text in (term.label, *(s.text for s in term.synonyms if s.scope == "EXACT")):
            match = MEASURE_NAME.match(text.strip())
            if match:
                out.append((term, match["what"], FALLBACK))
    return out


def _replaced_names(onto: Ontology, selected: set[str]) -> list[tuple[Term, str, int]]:
    """Label and exact synonyms of each obsolete term replaced by one current term, as broad
    names of that term: older texts use the words of retired terms ("psychomotor retardation",
    now Global developmental delay). The obsolete term itself is never reported, and a current
    name with the same key wins (broad is the lowest source)."""
    out = []
    for term in sorted((t for t in onto.terms.values() if t.obsolete and len(t.replaced_by) == 1),
                       key=lambda t: t.id):
        target = term.replaced_by[0]
        if target not in selected or onto[target].obsolete:
            continue
        label = term.label[len("obsolete "):] if term.label.lower().startswith("obsolete ") else term.label
        for text in (label, *(s.text for s in term.synonyms if s.scope == "EXACT")):
            out.append((onto[target], text, BROAD))
    return out


def _names(term: Term, options: IndexOptions) -> Iterable[tuple[str, int]]:
    yield term.label, LABEL
    for syn in term.synonyms:
        if syn.scope == "EXACT":
            yield syn.text, ABBREVIATION if syn.type == "abbreviation" else EXACT
        elif syn.scope in options.scopes and (options.scope_types is None or syn.type in options.scope_types):
            yield syn.text, SCOPE_PRIORITY.get(syn.scope, BROAD)


def build(onto: Ontology, options: IndexOptions = DEFAULT_OPTIONS) -> Index:
    """Build the index from a loaded ontology (a few seconds for the full HPO)."""
    selected: set[str] = set()
    for root in options.roots:
        if root not in onto:
            raise KgError(f"recogniser root {root} is not in the ontology ({onto.source})")
        selected |= onto.descendants(root, include_self=False)  # "Onset" itself names nothing
    terms = sorted((onto[i] for i in selected if not onto[i].obsolete), key=lambda t: t.id)
    names = [(term, text, priority) for term in terms
             for text, priority in _names(term, options)]
    if options.has("obsolete-names"):
        names += _replaced_names(onto, selected)
    if options.has("measure-names"):
        names += _measure_names(terms)
    vocabulary = {raw for _, text, _ in names for raw, _, _ in raw_tokens(text) if raw[0].isalpha()}
    joinable = frozenset(w.lower() for w in vocabulary)
    normalizer = Normalizer(vocabulary, (text for _, text, _ in names if " " not in text.strip()), options.tables,
                            adverbs=options.has("adverbs"))
    absent, absence = normalizer.key("absent"), normalizer.key("absence")
    impairment, impaired = normalizer.key("impairment"), normalizer.key("impaired")
    comma_names = options.has("comma-names")
    at_birth = options.has("at-birth")
    slash_names = options.has("slash-names")
    variant_forms = options.has("singular-names")
    bag_forms: dict[frozenset[str], list[tuple[str, int, int]]] = defaultdict(list)
    #: names with a comma: their variants are added once every name is known
    commas: list[tuple[list[tuple[str, str]], list[tuple[str, str]], int, int]] = []
    index = Index(onto.version, onto.sha256, options, normalizer)
    index.words = dictionary(onto, normalizer)
    term_index: dict[str, int] = {}
    sequences: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    bags: dict[frozenset[str], list[tuple[int, int]]] = defaultdict(list)
    singles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for term, text, priority in names:
        words = name_words(text, joinable)
        if at_birth:
            words = read_at_birth(words)
        pairs = [normalizer.keys(w) for w in words]
        keys = [full for _, full in pairs]
        if not keys or not _worth_indexing(keys, options):
            continue
        t = term_index.setdefault(term.id, len(index.terms))
        if t == len(index.terms):
            index.terms.append((term.id, term.label))
        if len(keys) == 1:
            singles[pairs[0][0]].append((priority, t))
            continue
        spelled = [spell(w.lower()) for w in words]
        written = " ".join(spelled)
        sequences[" ".join(keys)].append((priority, t, written))
        # a variant's words as written, reordered the same way ("Kidney malformation" is written
        # "malformation of kidney" in that order), so the text can still say which name it wrote
        for variant, as_written in variants_as_written(keys, spelled, absent, absence, impairment, impaired):
            form = " ".join(as_written) if variant_forms else ""
            sequences[" ".join(variant)].append((priority + INVERTED, t, form))
        if slash_names and ("/" in text or ":" in text):
            slashed = [normalizer.keys(w)[1] if w not in NAME_MARKS else w
                       for w in name_words(text, joinable, keep=NAME_MARKS)]
            if slashed != keys:
                sequences[" ".join(slashed)].append((priority, t, ""))
        if comma_names and "," in text:
            parts = comma_parts(normalizer, text, joinable)
            if parts is not None:
                commas.append((parts[0], parts[1], priority, t))
        content = [k for k in keys if k not in FUNCTION_WORDS]
        if 2 <= len(set(content)) == len(content) <= MAX_BAG:
            bags[frozenset(content)].append((priority + BAG_PRIORITY, t))
            if variant_forms:  # the content words as written (singular), to tell names apart later
                bag_forms[frozenset(content)].append((" ".join(sorted(
                    normalizer.singular(w) for w, k in zip(spelled, keys) if k not in FUNCTION_WORDS)), t,
                    priority + BAG_PRIORITY))
    for head_pairs, tail_pairs, priority, t in commas:
        tail = [full for _, full in tail_pairs]
        head = [full for _, full in head_pairs]
        if (" ".join(tail) in sequences or len(tail) == 1 and tail_pairs[0][0] in singles) and \
                (" ".join(head) in sequences or len(head) == 1 and head_pairs[0][0] in singles):
            continue  # "Cleft lip, cleft palate" written so in a text is a list of two findings
        for variant, extra in comma_variants([full for _, full in head_pairs], tail):
            sequences[" ".join(variant)].append((priority + extra, t, ""))
    unambiguous = options.has("unambiguous-synonyms")
    general_first = options.has("general-first")

    def choose(candidates: list) -> tuple[int, int] | None:
        """(term, priority) for a key: the best name source, then the lower HPO ID; with
        "unambiguous-synonyms", a key that only related, narrow or broad synonyms of several
        terms give goes to the one of them the others are all kinds of, or to none."""
        if any(c[0] % INVERTED != FALLBACK for c in candidates):
            candidates = [c for c in candidates if c[0] % INVERTED != FALLBACK]
        best = min(candidates, key=lambda c: (c[0], index.terms[c[1]][0]))
        found = {c[1] for c in candidates}
        if general_first and len(found) > 1:
            tied = {index.terms[c[1]][0]: c[1] for c in candidates if c[0] == best[0]}
            for hpo_id, t in sorted(tied.items()):
                if len(tied) > 1 and all(onto.is_a(other, hpo_id) for other in tied):
                    best = (best[0], t)
                    break
        if not unambiguous or best[0] % INVERTED < RELATED or len(found) == 1:
            return best[1], best[0]
        ids = {index.terms[t][0]: t for t in found}
        for hpo_id, t in sorted(ids.items()):
            if all(onto.is_a(other, hpo_id) for other in ids):
                return t, min(c[0] for c in candidates if c[1] == t)
        return None

    for key, candidates in singles.items():
        if key.startswith(ABBREVIATION_MARK) and len({c[1] for c in candidates}) > 1:
            continue  # an abbreviation shared by two terms is ambiguous
        chosen = choose(candidates)
        if chosen is not None:
            index.singles[key] = chosen
    for key, found in sequences.items():
        chosen = choose(found)
        if chosen is None:
            continue
        t, priority = chosen
        index.sequences[key] = (t, priority)
        if len({c[1] for c in found}) > 1:
            index.alternatives[key] = tuple(sorted(
                ((form, c, p) for p, c, form in found if form), key=lambda a: (a[2], index.terms[a[1]][0])))
        parts = key.split(" ")
        for n in range(1, len(parts)):
            index.prefixes.add(" ".join(parts[:n]))
        index.glue_pairs.add(" ".join(parts[:2]))
    position = {hpo_id: i for i, (hpo_id, _) in enumerate(index.terms)}
    index.parents = [tuple(sorted(position[p] for p in onto[hpo_id].parents if p in position))
                     for hpo_id, _ in index.terms]
    for bag, candidates in bags.items():
        chosen = choose(candidates)
        if chosen is None:
            continue
        index.bags[bag] = chosen
        if len({c[1] for c in candidates}) > 1 and bag_forms.get(bag):
            index.bag_alternatives[bag] = tuple(sorted(set(bag_forms[bag]), key=lambda a: (a[2], index.terms[a[1]][0])))
        index.bag_words |= bag
        index.bag_pairs.update(f"{a} {b}" for a in bag for b in bag if a != b)
    return index


def dictionary(onto: Ontology, normalizer: Normalizer) -> frozenset[str]:
    """The words of all the ontology's text, lowercased and spelled, with their full keys."""
    words: set[str] = set()
    for term in onto.terms.values():
        for text in (term.label, term.definition or "", term.comment or "", *(s.text for s in term.synonyms)):
            words.update(spell(raw.lower()) for raw, _, _ in raw_tokens(text) if raw.isalpha())
    return frozenset(words | {normalizer.word_keys(w)[1] for w in words})


def _worth_indexing(keys: list[str], options: IndexOptions) -> bool:
    """Leave out names that are only function words, numbers or too short to be safe."""
    if all(k in FUNCTION_WORDS or k.isdigit() for k in keys):
        return False
    if len(keys) == 1:
        key = keys[0]
        if key.startswith(ABBREVIATION_MARK):
            return len(key) - 1 >= 3  # two-letter abbreviations (BO, MI, RA) are too ambiguous
        return len(key) >= options.min_letters
    return True


# -- caching ---------------------------------------------------------------------------------
def _fingerprint(options: IndexOptions) -> str:
    """Hash of everything besides hp.obo that shapes the index: tables, options, format."""
    digest = hashlib.sha256(f"{INDEX_FORMAT}|{options!r}".encode())
    data = resources.files("kg.recognize").joinpath("data")
    for name in sorted(p.name for p in data.iterdir() if p.name.endswith(".tsv")):
        digest.update(name.encode())
        digest.update(data.joinpath(name).read_bytes())
    for module in ("normalize.py", "lexicon.py"):
        digest.update(resources.files("kg.recognize").joinpath(module).read_bytes())
    return digest.hexdigest()[:16]


def load_index(path: Path | str | None = None, options: IndexOptions = DEFAULT_OPTIONS, *,
               use_cache: bool = True) -> Index:
    """The index for an hp.obo (default: the vendored one), from cache when it is current."""
    from kg.ontology import sha256_of

    obo = Path(path or paths.HP_OBO)
    if not obo.exists():
        from kg.errors import OntologyError
        raise OntologyError("ontology file not found", path=str(obo))
    cache = paths.cache_dir() / f"recognizer-{sha256_of(obo)[:20]}-{_fingerprint(options)}.pickle"
    if use_cache and cache.exists():
        try:
            with open(cache, "rb") as handle:
                index = pickle.load(handle)
            if isinstance(index, Index):
                return index
        except Exception:  # noqa: BLE001 -- a corrupt cache is rebuilt, never trusted
            log.warning("ignoring unreadable recogniser cache %s", cache)
    index = build(Ontology.load(obo, use_cache=use_cache), options)
    if use_cache:
        tmp = cache.with_suffix(f".{id(index)}.tmp")
        with open(tmp, "wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
        _prune(cache)
    return index


def _prune(cache: Path, keep: int = KEEP_CACHES) -> None:
    """Drop all but the newest ``keep`` indexes of the same hp.obo (older code or options)."""
    siblings = sorted(cache.parent.glob(cache.name.rsplit("-", 1)[0] + "-*.pickle"),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in siblings[keep:]:
        if old != cache:
            old.unlink(missing_ok=True)
