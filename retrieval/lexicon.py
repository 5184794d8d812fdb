"""Words crosscheck knows: what figures count, what actions they measure, and their synonyms.

Plain tables, so that a word missing for a new corpus is one line to add.
"""

import re

# Counted things: word form -> category. Categories are singular nouns; "aerial weapon" is what
# air forces count when they say "targets" or "air weapons": drones and missiles together.
THINGS: dict[str, str] = {}
_THING_FORMS = {
    "drone": "drone drones uav uavs shahed shaheds shahed-type",
    "missile": "missile missiles",
    "aerial weapon": "target targets weapon weapons",
    "rocket": "rocket rockets",
    "shell": "shell shells",
    "person": "people person persons civilian civilians resident residents other others "
    "adult adults woman women man men victim victims casualty casualties "
    "worker workers journalist journalists staff inhabitants",
    "child": "child children kid kids minor minors",
    "soldier": "soldier soldiers troop troops serviceman servicemen",
    "prisoner": "prisoner prisoners pow pows captive captives",
    "ambulance": "ambulance ambulances",
    "vehicle": "vehicle vehicles car cars",
    "school": "school schools kindergarten kindergartens",
    "building": "building buildings house houses home homes apartment apartments "
    "high-rise high-rises block blocks",
    "location": "location locations site sites place places",
    "district": "district districts",
    "region": "region regions oblast oblasts",
    "city": "city cities town towns village villages",
    "neighborhood": "neighborhood neighborhoods neighbourhood neighbourhoods",
    "station": "station stations substation substations",
    "nation": "nation nations country countries",
    "ton": "ton tons tonne tonnes",
    "kilometer": "kilometer kilometers kilometre kilometres km",
    "mile": "mile miles",
    "meter": "meter meters metre metres",
    "hour": "hour hours",
    "minute": "minute minutes",
    "day": "day days",
    "week": "week weeks",
    "month": "month months",
    "year": "year years",
    "percent": "percent per-cent pct %",
    "dollar": "dollar dollars dlrs usd",
    "euro": "euro euros",
    "pound": "pound pounds stg",
    "share": "share shares",
    "barrel": "barrel barrels bpd",
    "job": "job jobs",
    "age": "year-old",
}
for _category, _forms in _THING_FORMS.items():
    for _form in _forms.split():
        THINGS[_form] = _category
THING_WORDS = {category: tuple(forms.split()[:4]) for category, forms in _THING_FORMS.items()}
CATEGORIES = frozenset(_THING_FORMS)

# A figure of one of these measures a quantity of the unit rather than counting things.
UNIT_DIMENSIONS = {
    "kilometer": ("length", 1000.0),
    "mile": ("length", 1609.344),
    "meter": ("length", 1.0),
    "hour": ("duration", 3600.0),
    "minute": ("duration", 60.0),
    "day": ("duration", 86400.0),
    "week": ("duration", 604800.0),
    "month": ("duration", 2629746.0),
    "year": ("duration", 31556952.0),
    "ton": ("mass", 1000.0),
    "percent": ("ratio", 0.01),
    "age": ("age", 1.0),
}

# Combined categories: what "drones and missiles" counts.
AERIAL = "aerial weapon"
PARTS = {AERIAL: frozenset({"drone", "missile"})}

# Action verbs: word form -> canonical action.
ACTIONS: dict[str, str] = {}
_ACTION_FORMS = {
    "launched": "launch launched launches launching fire fired fires firing sent send sends "
    "sending unleashed",
    "intercepted": "intercept intercepted intercepts intercepting downed downing "
    "neutralize neutralise neutralized neutralised repelled",
    "hit": "hit hits hitting struck",
    "injured": "injure injured injures injuring injury injuries wound wounded wounding wounds "
    "hurt hurting harmed",
    "killed": "kill killed kills killing died dead death deaths die dying",
    "hospitalized": "hospitalized hospitalised hospitalization hospital",
    "damaged": "damage damaged damages damaging destroyed destroying destroy",
    "removed": "remove removed removing cleared haul hauled hauling",
    "lived": "live lives living inhabit inhabited",
    "crashed": "crash crashed crashing",
    "fell": "fell fall falling fallen",
    "lasted": "lasted lasting",
    "jammed": "jammed jam jamming lost",
    "exchanged": "exchange exchanged exchanging swap swapped released freed",
    "included": "include included includes including comprised comprising comprise "
    "consisted totaled totalled",
}
for _action, _forms in _ACTION_FORMS.items():
    for _form in _forms.split():
        ACTIONS[_form] = _action
ACTION_WORDS = {action: tuple(forms.split()) for action, forms in _ACTION_FORMS.items()}
ACTION_WORDS["intercepted"] += ("shot down",)

# Things an action counts when the noun is left out ("23 were wounded": 23 people).
DEFAULT_THING = {
    "injured": "person",
    "killed": "person",
    "hospitalized": "person",
    "lived": "person",
}

# Words that mark the event a duration or length belongs to.
EVENT_WORDS = frozenset(
    "attack attacks assault bombardment barrage strike strikes raid raids shelling onslaught "
    "offensive".split()
)

MONTHS = (
    "january february march april may june july august september october november december"
).split()
MONTH_PATTERN = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?"
)
SIDES = {
    "russian": "Russian",
    "russia": "Russian",
    "russia’s": "Russian",
    "russia's": "Russian",
    "ukrainian": "Ukrainian",
    "ukraine": "Ukrainian",
    "ukraine’s": "Ukrainian",
    "ukraine's": "Ukrainian",
}


def thing_of(word: str) -> str | None:
    """The category a word counts, or None."""
    return THINGS.get(word.lower().strip(".,;:"))


def action_of(word: str, following: str = "") -> str | None:
    """The canonical action of a verb form (``following`` is the next word), or None."""
    word = word.lower().strip(".,;:")
    if word in _SHOOT:
        return "intercepted" if following.lower() == "down" else None
    return ACTIONS.get(word)


_SHOOT = frozenset({"shot", "shoot", "shoots", "shooting", "gunned", "bring", "brought"})
# Words for one subject: a question about the war finds "invasion", one about rubble "debris".
SUBJECT_SYNONYMS = (
    frozenset({"war", "invasion", "conflict"}),
    frozenset({"rubble", "debris", "wreckage"}),
)
WEAPONS = frozenset({"drone", "missile", AERIAL, "rocket", "shell"})
SCOPE_PHRASES = re.compile(
    r"\b(?:in the (?:conflict|war)|during the war|so far this year|in total since|"
    r"since the full-scale invasion)\b",
    re.IGNORECASE,
)
