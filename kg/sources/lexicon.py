"""Small curated vocabularies the document readers match against: treatments, diagnostic procedures,
laboratory analytes and vital signs (with the HPO term an abnormal value means), onset ages,
modes of inheritance.

Why curated tables and not free text: a treatment or a lab row is only useful in the graph when
it has a stable name and, where the field has one, an identifier. Identifiers are given only
where they are certain: ChEBI for single drugs (and drug classes ChEBI defines by role). MAxO
and NCIT are not vendored here and could not be checked offline, so procedures carry no
identifier rather than a guessed one. Every HPO ID below is checked against the vendored HPO
by ``tests/test_case_report.py`` (current, not obsolete, label as written).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TreatmentEntry:
    name: str
    category: str  # drug | drug-class | procedure | diet | device | therapy
    patterns: tuple[str, ...]  # regular expressions over the cleaned, lower-cased text
    identifiers: tuple[str, ...] = ()
    parent: str | None = None  # the drug class a drug belongs to (a class mention is subsumed)


_W = r"(?<![a-z])"  # word start
_E = r"(?![a-z])"  # word end

TREATMENTS: tuple[TreatmentEntry, ...] = (
    # drug classes (ChEBI roles)
    TreatmentEntry("glucocorticoid", "drug-class", (r"glucocorticoids?", r"(?:pulse )?steroids?", r"corticosteroids?"),
                   ("CHEBI:24261",)),
    TreatmentEntry("immunosuppressive agent", "drug-class",
                   (r"immunosuppressive (?:agents?|medications?|drugs?|therapy|treatment)", r"immunosuppressants?"),
                   ("CHEBI:35705",)),
    TreatmentEntry("antibiotic", "drug-class", (r"antibiotics?(?: therapy)?", r"anti-?infective drugs?"), ("CHEBI:33281",)),
    TreatmentEntry("anticonvulsant", "drug-class", (r"anti-?convulsants?", r"anti-?epileptic (?:drugs?|medications?)",
                                                   r"anti-?seizure medications?"), ("CHEBI:35623",)),
    # single drugs (ChEBI)
    TreatmentEntry("methylprednisolone", "drug", (r"methylprednisolone",), ("CHEBI:6888",), "glucocorticoid"),
    TreatmentEntry("prednisolone", "drug", (r"prednisolone",), ("CHEBI:8378",), "glucocorticoid"),
    TreatmentEntry("prednisone", "drug", (r"prednisone",), ("CHEBI:8382",), "glucocorticoid"),
    TreatmentEntry("hydrocortisone", "drug", (r"hydrocortisone",), ("CHEBI:17650",), "glucocorticoid"),
    TreatmentEntry("dexamethasone", "drug", (r"dexamethasone",), ("CHEBI:41879",), "glucocorticoid"),
    TreatmentEntry("azathioprine", "drug", (r"azathioprine",), ("CHEBI:2948",), "immunosuppressive agent"),
    TreatmentEntry("cyclophosphamide", "drug", (r"cyclophosphamide",), ("CHEBI:4027",), "immunosuppressive agent"),
    TreatmentEntry("hydroxychloroquine", "drug", (r"hydroxychloroquine",), ("CHEBI:5801",), "immunosuppressive agent"),
    TreatmentEntry("methotrexate", "drug", (r"methotrexate",), ("CHEBI:44185",), "immunosuppressive agent"),
    TreatmentEntry("mycophenolate mofetil", "drug", (r"mycophenolate(?: mofetil)?",), ("CHEBI:8764",),
                   "immunosuppressive agent"),
    TreatmentEntry("rituximab", "drug", (r"rituximab",), (), "immunosuppressive agent"),
    TreatmentEntry("beta blocker", "drug-class", (r"beta[- ]?blockers?", r"beta-adrenergic (?:blockers?|antagonists?)"),
                   ("CHEBI:35530",)),
    TreatmentEntry("colchicine", "drug", (r"colchicine",), ("CHEBI:23359",)),
    TreatmentEntry("cysteamine", "drug", (r"cysteamine",), ("CHEBI:17141",)),
    TreatmentEntry("penicillamine", "drug", (r"(?:d-)?penicillamine",)),
    TreatmentEntry("zinc", "drug", (r"zinc(?: acetate| salts?| therapy)?",)),
    TreatmentEntry("nitisinone", "drug", (r"nitisinone",)),
    TreatmentEntry("deferoxamine", "drug", (r"deferoxamine", r"desferrioxamine"), ("CHEBI:4356",)),
    TreatmentEntry("levothyroxine", "drug", (r"levothyroxine",), ("CHEBI:18332",)),
    TreatmentEntry("baclofen", "drug", (r"baclofen",), ("CHEBI:2972",)),
    TreatmentEntry("oxygen", "therapy", (r"(?:home |supplemental )?oxygen(?: therapy| supplementation| via [a-z ]*?cannula)?",),
                   ("CHEBI:15379",)),
    TreatmentEntry("intravenous immunoglobulin", "drug", (r"intravenous immunoglobulins?(?: \(ivig\))?(?: therapy| treatment)?",
                                                          r"ivig(?: therapy| treatment)?")),
    TreatmentEntry("vitamin supplementation", "therapy", (r"vitamin(?: [a-e]\d*)? supplement(?:s|ation)?",)),
    TreatmentEntry("enzyme replacement therapy", "therapy", (r"enzyme replacement therapy", r"\bert\b")),
    TreatmentEntry("growth hormone therapy", "therapy", (r"growth hormone (?:therapy|treatment|injections)",)),
    # procedures and supportive care
    TreatmentEntry("exchange transfusion", "procedure", (r"(?:blood )?exchange transfusions?",)),
    TreatmentEntry("blood transfusion", "procedure", (r"(?:blood|red (?:blood )?cell) transfusions?", r"transfusions?")),
    TreatmentEntry("liver transplantation", "procedure", (r"liver transplant(?:ation)?s?",)),
    TreatmentEntry("kidney transplantation", "procedure", (r"(?:kidney|renal) transplant(?:ation)?s?",)),
    TreatmentEntry("lung transplantation", "procedure", (r"lung transplant(?:ation)?s?",)),
    TreatmentEntry("hematopoietic stem cell transplantation", "procedure",
                   (r"(?:bone marrow|(?:hematopoietic |haematopoietic )?stem cell) transplant(?:ation)?s?",)),
    TreatmentEntry("plasmapheresis", "procedure", (r"plasmapheresis", r"plasma exchange")),
    TreatmentEntry("dialysis", "procedure", (r"(?:hemo|haemo|peritoneal )?dialysis",)),
    TreatmentEntry("phlebotomy", "procedure", (r"(?:therapeutic )?phlebotomy", r"venesection")),
    TreatmentEntry("chelation therapy", "therapy", (r"(?:iron )?chelation(?: therapy)?",)),
    TreatmentEntry("mechanical ventilation", "procedure", (r"mechanical ventilation",)),
    TreatmentEntry("non-invasive ventilation", "procedure",
                   (r"non-?invasive (?:positive pressure )?ventilation(?: \((?:nppv|niv)\))?", r"\bnppv\b", r"\bniv\b",
                    r"\bbipap\b", r"\bcpap\b")),
    TreatmentEntry("respiratory therapy", "therapy", (r"(?:supportive )?respiratory therapy",)),
    TreatmentEntry("physical therapy", "therapy", (r"physical therapy", r"physiotherapy")),
    TreatmentEntry("occupational therapy", "therapy", (r"occupational therapy",)),
    TreatmentEntry("speech therapy", "therapy", (r"speech(?:-language)? therapy",)),
    TreatmentEntry("surgery", "procedure", (r"surg(?:ery|ical (?:removal|repair|correction))",)),
    TreatmentEntry("gluten-free diet", "diet", (r"gluten-?free diet",)),
    TreatmentEntry("low-protein diet", "diet", (r"low-?protein diet",)),
    TreatmentEntry("ketogenic diet", "diet", (r"ketogenic diet",)),
    TreatmentEntry("genetic counseling", "therapy", (r"genetic counsell?ing",)),
)

DIAGNOSTIC_PROCEDURES: tuple[tuple[str, str], ...] = (
    ("laboratory tests", r"laboratory (?:tests?|testing|studies)|blood tests?"),
    ("imaging", r"imaging(?: studies| tests)?"),
    ("chest X-ray", r"chest (?:x-?ray|radiograph)s?"),
    ("computed tomography", r"\bct\b(?: scans?)?|computed tomography"),
    ("magnetic resonance imaging", r"\bmri\b(?: scans?)?|magnetic resonance imaging"),
    ("lung biopsy", r"lung biops(?:y|ies)"),
    ("liver biopsy", r"liver biops(?:y|ies)"),
    ("kidney biopsy", r"(?:kidney|renal) biops(?:y|ies)"),
    ("skin biopsy", r"skin biops(?:y|ies)"),
    ("muscle biopsy", r"muscle biops(?:y|ies)"),
    ("bronchoscopy", r"bronchoscopy"),
    ("bronchoalveolar lavage", r"bronchoalveolar lavage"),
    ("pulmonary function tests", r"(?:pulmonary|lung) function tests?"),
    ("genetic testing", r"genetic test(?:s|ing)|molecular genetic testing|gene sequencing"),
    ("echocardiography", r"echocardiogra(?:m|phy)|cardiac ultrasound"),
    ("electrocardiography", r"electrocardiogra(?:m|phy)|\becg\b|\bekg\b"),
    ("electroencephalography", r"electroencephalogra(?:m|phy)|\beeg\b"),
    ("urine tests", r"urine tests?|urinalysis"),
    ("newborn screening", r"newborn screening"),
    ("physical examination", r"physical exam(?:ination)?s?|clinical exam(?:ination)?"),
)


@dataclass(frozen=True, slots=True)
class Analyte:
    key: str
    patterns: tuple[str, ...]  # full-match regexes over the lower-cased row name (unit removed)
    low: str | None = None  # HPO term for a value below the range
    high: str | None = None  # HPO term for a value above the range
    positive: str | None = None  # HPO term for a positive qualitative result (urine protein: proteinuria)
    category: str = "laboratory"
    group: str | None = None  # only in this table group (urinalysis, ...)


ANALYTES: tuple[Analyte, ...] = (
    Analyte("red_blood_cells", (r"red blood cells?", r"rbc", r"erythrocytes?"), "HP:0020060", "HP:0020059"),
    Analyte("haemoglobin", (r"ha?emoglobin", r"hb", r"hgb"), "HP:0020062", "HP:0001900"),
    Analyte("haematocrit", (r"ha?ematocrit", r"hct"), "HP:0031851", "HP:0001899"),
    Analyte("white_blood_cells", (r"white blood cells?", r"wbc", r"leukocytes?"), "HP:0001882", "HP:0001974"),
    Analyte("neutrophils", (r"neutrophils?",), None, "HP:0011897"),
    Analyte("lymphocytes", (r"lymphocytes?",), "HP:0001888", None),
    Analyte("eosinophils", (r"eosinophils?",)),
    Analyte("basophils", (r"basophils?",)),
    Analyte("monocytes", (r"monocytes?",)),
    Analyte("platelets", (r"platelets?(?: counts?)?", r"plt"), "HP:0001873", "HP:0001894"),
    Analyte("total_protein", (r"total protein",)),
    Analyte("albumin", (r"albumin",), "HP:0003073", None),
    Analyte("ast", (r"ast", r"aspartate aminotransferase"), None, "HP:0031956"),
    Analyte("alt", (r"alt", r"alanine aminotransferase"), None, "HP:0031964"),
    Analyte("ldh", (r"ldh", r"lactate dehydrogenase"), "HP:0045041", "HP:0025435"),
    Analyte("bun", (r"bun", r"blood urea nitrogen"), "HP:0031969", "HP:0003138"),
    Analyte("creatinine", (r"creatinine",), "HP:0012101", "HP:0003259"),
    Analyte("sodium", (r"na", r"sodium"), "HP:0002902", "HP:0003228"),
    Analyte("potassium", (r"k", r"potassium"), "HP:0002900", "HP:0002153"),
    Analyte("chloride", (r"cl", r"chloride"), "HP:0003113", "HP:0011423"),
    Analyte("iron", (r"fe", r"(?:serum )?iron"), "HP:0040303", "HP:0003452"),
    Analyte("ferritin", (r"ferritin",), "HP:0012343", "HP:0003281"),
    Analyte("crp", (r"c[- ]?reactive protein", r"crp"), None, "HP:0011227"),
    Analyte("pt", (r"pt", r"prothrombin time"), None, "HP:0008151"),
    Analyte("aptt", (r"a?ptt", r"activated partial thromboplastin time"), None, "HP:0003645"),
    Analyte("d_dimer", (r"d-?dimer",), None, "HP:0033106"),
    Analyte("bnp", (r"bnp", r"brain natriuretic peptide"), None, "HP:0033534"),
    Analyte("igg", (r"immunoglobulin g", r"igg"), "HP:0004315", "HP:0003237"),
    Analyte("iga", (r"immunoglobulin a", r"iga"), "HP:0002720", "HP:0003261"),
    Analyte("igm", (r"immunoglobulin m", r"igm"), "HP:0002850", "HP:0003496"),
    Analyte("c3", (r"c3", r"complement c3"), "HP:0005421", None),
    Analyte("c4", (r"c4", r"complement c4"), "HP:0045042", None),
    Analyte("ch50", (r"ch50",)),
    Analyte("ana", (r"ana", r"antinuclear antibod(?:y|ies)")),
    Analyte("anti_dsdna", (r"(?:anti-?)?dsdna",)),
    Analyte("anti_cardiolipin", (r"acl", r"anti-?cardiolipin(?: antibody)?")),
    Analyte("rheumatoid_factor", (r"rf", r"rheumatoid factor")),
    Analyte("anti_ccp", (r"(?:anti-?)?ccp",)),
    Analyte("anti_ars", (r"a?rs",)),
    Analyte("anti_scl70", (r"(?:anti-?)?scl-?70",)),
    Analyte("anti_centromere", (r"aca",)),
    Analyte("anti_topoisomerase", (r"top ?1",)),
    Analyte("anti_rnp", (r"(?:anti-?)?rnp",)),
    Analyte("anti_ssa", (r"(?:anti-?)?ss-?a",)),
    Analyte("anti_ssb", (r"(?:anti-?)?ss-?b",)),
    Analyte("mpo_anca", (r"mpo-?anca",)),
    Analyte("pr3_anca", (r"pr3-?anca",)),
    Analyte("anti_gbm", (r"anti-?gbm",)),
    Analyte("urine_protein", (r"protein",), positive="HP:0000093", group="urinalysis"),
    Analyte("urine_blood", (r"blood",), positive="HP:0000790", group="urinalysis"),
    Analyte("urine_glucose", (r"sugar", r"glucose"), positive="HP:0003076", group="urinalysis"),
    Analyte("ph", (r"ph",), "HP:0001941", "HP:0001948", category="blood gas"),
    Analyte("pao2", (r"pao2", r"arterial oxygen (?:tension|pressure)"), "HP:0012418", None, category="blood gas"),
    Analyte("paco2", (r"paco2", r"arterial carbon dioxide (?:tension|pressure)"), "HP:0012417", "HP:0012416",
            category="blood gas"),
    Analyte("bicarbonate", (r"hco3 ?[−-]?", r"bicarbonate"), "HP:0032066", "HP:0032067", category="blood gas"),
    # lung function (percent predicted rows carry the flag; absolute rows have a predicted value)
    Analyte("fev1", (r"fev1",), category="lung-function"),
    Analyte("fvc", (r"fvc",), category="lung-function"),
    Analyte("tlc", (r"tlc",), category="lung-function"),
    Analyte("rv", (r"rv",), category="lung-function"),
    Analyte("fev1_fvc", (r"fev1/fvc(?: ratio)?",), "HP:0030877", None, category="lung-function"),
    Analyte("fev1_pct_pred", (r"fev1 ?%pred",), "HP:0032342", None, category="lung-function"),
    Analyte("fvc_pct_pred", (r"fvc ?%pred",), "HP:0032341", None, category="lung-function"),
    Analyte("tlc_pct_pred", (r"tlc ?%pred",), "HP:0033169", None, category="lung-function"),
    Analyte("dlco_pct_pred", (r"dlco ?%pred",), "HP:0045051", "HP:0045050", category="lung-function"),
    Analyte("dlco_va", (r"dlco/va(?: ratio)?",), category="lung-function"),
)


@dataclass(frozen=True, slots=True)
class VitalSign:
    key: str
    pattern: str  # regex with a group 'v' (and 'v2' for blood pressure) over cleaned text
    unit: str
    low: float | None
    high: float | None
    hpo_low: str | None
    hpo_high: str | None
    category: str = "vital-sign"


_NUM = r"(?P<v>\d+(?:\.\d+)?)"
#: Standard adult reference limits, used only because reports rarely print them for vital signs
#: (``ref_source='standard'`` on the record says so).
VITAL_SIGNS: tuple[VitalSign, ...] = (
    VitalSign("body_temperature", r"(?:body )?temperature (?:of |was )?" + _NUM + r" ?°? ?C", "Cel", 36.0, 37.9,
              "HP:0002045", "HP:0001945"),
    VitalSign("heart_rate", r"(?:pulse|heart rate)(?: rate)? (?:of |was )?" + _NUM + r" ?(?:beats|bpm|/min)", "/min",
              60, 100, "HP:0001662", "HP:0001649"),
    VitalSign("respiratory_rate", r"respiratory rate (?:of |was )?" + _NUM + r" ?(?:breaths|/min)", "/min", 12, 20,
              None, "HP:0002789"),
    VitalSign("systolic_blood_pressure", r"blood pressure (?:of |was )?" + _NUM + r" ?/ ?(?P<v2>\d+) ?mm ?hg",
              "mm[Hg]", 90, 139, "HP:0002615", "HP:0004421"),
    VitalSign("oxygen_saturation", r"(?:oxygen saturation|spo2|sao2) (?:of |was )?" + _NUM + r" ?%", "%", 95, 100,
              "HP:0012418", None),
    VitalSign("body_height", r"(?:body )?height (?:of |was )?" + _NUM + r" ?cm", "cm", None, None, None, None,
              "anthropometry"),
    VitalSign("body_weight", r"(?:body )?weight (?:of |was )?" + _NUM + r" ?kg", "kg", None, None, None, None,
              "anthropometry"),
)

#: HPO onset classes with the ages (years) they cover, from the HPO definitions; used to pick the
#: smallest class that covers a stated age range. Congenital/neonatal bounds in years.
ONSET_CLASSES: tuple[tuple[str, float, float], ...] = (
    ("HP:0003577", 0.0, 0.0),  # Congenital onset
    ("HP:0003623", 0.0, 28 / 365.25),  # Neonatal onset
    ("HP:0003593", 28 / 365.25, 1.0),  # Infantile onset
    ("HP:0011463", 1.0, 5.0),  # Childhood onset
    ("HP:0003621", 5.0, 15.0),  # Juvenile onset
    ("HP:0410280", 0.0, 15.0),  # Pediatric onset
    ("HP:0011462", 16.0, 40.0),  # Young adult onset
    ("HP:0003596", 40.0, 60.0),  # Middle age onset
    ("HP:0003584", 60.0, 150.0),  # Late onset
    ("HP:0003581", 16.0, 150.0),  # Adult onset
)
ONSET_WORDS: dict[str, tuple[float, float]] = {
    "birth": (0.0, 0.0), "infancy": (28 / 365.25, 1.0), "early childhood": (1.0, 5.0), "childhood": (1.0, 15.0),
    "adolescence": (10.0, 19.0), "adulthood": (16.0, 150.0), "middle age": (40.0, 60.0),
}

#: Phrases naming a mode of inheritance -> HP term under HP:0000005 (longest first when matching).
INHERITANCE_MODES: tuple[tuple[str, str], ...] = (
    (r"autosomal dominant", "HP:0000006"),
    (r"autosomal recessive", "HP:0000007"),
    (r"x-linked recessive", "HP:0001419"),
    (r"x-linked dominant", "HP:0001423"),
    (r"x-linked", "HP:0001417"),
    (r"y-linked", "HP:0001450"),
    (r"mitochondrial(?: inheritance| pattern| dna)", "HP:0001427"),
    (r"multifactorial", "HP:0001426"),
    (r"somatic mosaicism", "HP:0001442"),
)
