"""Claim text to matching terms: numbers, number words, dates, units, names and negation brought to one form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")

URL = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|\bwww\.\S+|\b\w+\.com/\S*")
HANDLE = re.compile(r"@\w+")
HASHTAG = re.compile(r"#(\w+)")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+(?:['’][A-Za-z]+)*|%|\$|£|€")

UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
SCALES["dozen"] = 12
SCALE_ABBREVIATIONS = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
MONTHS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}
FULL_MONTHS = frozenset(MONTHS.values()) | {"may"}
# "1st", "22nd", "3rd", "100th": the letters after the digits say nothing a figure does not.
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# "World War II", "WWII", "WW2", "WW 2": one war, one form ("world war wwii"; no figure).
WORLD_WAR = re.compile(r"\b(?:world\s+war|ww)\s*(ii|i|2|1)\b", re.IGNORECASE)
# A date written with slashes ("1/6/2020", "06/01/20"): its year is kept, its day and month are no figures.
SLASH_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/(\d{4}|\d{2})\b")
# "U.S.", "U.S.A.", "U.K.", "D.C.": one word each, as "US", "UK" and "DC" are written.
INITIALISM = re.compile(r"\b((?:[A-Za-z]\.){2,})(?![A-Za-z])")
UNIT_WORDS = {
    "percent": "percent",
    "per": None,
    "%": "percent",
    "pct": "percent",
    "km": "kilometre",
    "kms": "kilometre",
    "kilometer": "kilometre",
    "kilometers": "kilometre",
    "kilometres": "kilometre",
    "mi": "mile",
    "miles": "mile",
    "kg": "kilogram",
    "kgs": "kilogram",
    "kilograms": "kilogram",
    "kilo": "kilogram",
    "kilos": "kilogram",
    "lb": "pound",
    "lbs": "pound",
    "$": "dollar",
    "usd": "dollar",
    "dollars": "dollar",
    "bucks": "dollar",
    "£": "pound",
    "€": "euro",
    "euros": "euro",
    "m": "metre",
    "meters": "metre",
    "metres": "metre",
    "meter": "metre",
    "ft": "foot",
    "feet": "foot",
    "yrs": "year",
    "hrs": "hour",
    "mins": "minute",
}
# Words a claim and its retelling use for the same thing ("pic" and "photograph", "POTUS" and "president").
SYNONYMS = {
    "photo": "photograph",
    "photos": "photograph",
    "pic": "photograph",
    "pics": "photograph",
    "picture": "photograph",
    "pictures": "photograph",
    "image": "photograph",
    "images": "photograph",
    "footage": "video",
    "clip": "video",
    "videos": "video",
    "potus": "president",
    "dems": "democrat",
    "dem": "democrat",
    "gop": "republican",
    "mum": "mother",
    "mom": "mother",
    "mommy": "mother",
    "dad": "father",
    "kids": "children",
    "kid": "child",
    "usa": "us",
    "america": "us",
    "american": "us",
    "americans": "us",
    "cop": "police",
    "cops": "police",
    "aoc": "ocasio",
    "obamacare": "affordable",
    "nyc": "new york",
    "uk": "britain",
    "british": "britain",
}
# Past forms of common irregular verbs the stemmer leaves apart from their verb ("rose" and "rise", "shot" and
# "shoot", "said" and "say").
IRREGULAR_VERBS = {
    "rose": "rise",
    "risen": "rise",
    "fell": "fall",
    "fallen": "fall",
    "said": "say",
    "says": "say",
    "took": "take",
    "taken": "take",
    "went": "go",
    "gone": "go",
    "made": "make",
    "won": "win",
    "lost": "lose",
    "paid": "pay",
    "bought": "buy",
    "sold": "sell",
    "shot": "shoot",
    "ate": "eat",
    "eaten": "eat",
    "wrote": "write",
    "written": "write",
    "ran": "run",
    "gave": "give",
    "given": "give",
    "told": "tell",
    "found": "find",
    "thought": "think",
    "brought": "bring",
    "met": "meet",
    "caught": "catch",
    "stole": "steal",
    "stolen": "steal",
    "hid": "hide",
    "hidden": "hide",
    "knew": "know",
    "known": "know",
    "saw": "see",
    "seen": "see",
    "threw": "throw",
    "thrown": "throw",
    "wore": "wear",
    "worn": "wear",
    "drove": "drive",
    "driven": "drive",
    "spoke": "speak",
    "spoken": "speak",
    "broke": "break",
    "broken": "break",
    "chose": "choose",
    "chosen": "choose",
    "began": "begin",
    "begun": "begin",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "fought": "fight",
    "taught": "teach",
    "sought": "seek",
    "held": "hold",
    "kept": "keep",
    "slept": "sleep",
    "fled": "flee",
    "led": "lead",
    "fed": "feed",
    "bit": "bite",
    "bitten": "bite",
    "hung": "hang",
    "sang": "sing",
    "sung": "sing",
    "swore": "swear",
    "sworn": "swear",
    "died": "die",
    "dying": "die",
    "killed": "kill",
}
NEGATIONS = {
    "not",
    "no",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "without",
    "cannot",
    "fake",
    "hoax",
    "false",
    "deny",
    "denies",
    "denied",
}
STOPWORDS = frozenset(
    """
a about above after again against all am an and any are aren as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself of off on once only or other
our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves s t rt via amp
""".split()
)


@dataclass(frozen=True)
class Analysis:
    """What a text offers to matching: its terms, and the facts a checker compares (figures, names, years, negation)."""

    terms: tuple[str, ...]
    numbers: frozenset[str]
    names: frozenset[str]
    years: frozenset[str]
    negated: bool
    # Words of the text's @handles ("@realDonaldTrump": real, donald, trump), stemmed; handles are not terms.
    handles: frozenset[str] = frozenset()

    @cached_property
    def term_set(self) -> frozenset[str]:
        """The distinct terms."""
        return frozenset(self.terms)


def handle_words(text: str) -> frozenset[str]:
    """The stemmed words of a text's @handles, split at camelCase and underscores (words of 3 letters or more)."""
    words = set()
    for handle in HANDLE.findall(text):
        for word in CAMEL.sub(" ", handle[1:]).replace("_", " ").split():
            word = word.lower()
            if len(word) > 2 and word.isalpha() and word not in STOPWORDS:
                words.add(stem(word))
    return frozenset(words)


def clean_text(text: str) -> str:
    """Drop links and handles; split hashtags and camelCase into words; bring initialisms, wars and dates to one form."""
    text = URL.sub(" ", text)
    text = HANDLE.sub(" ", text)
    text = HASHTAG.sub(lambda m: CAMEL.sub(" ", m.group(1)), text)
    text = INITIALISM.sub(lambda m: m.group(1).replace(".", ""), text)
    text = WORLD_WAR.sub(lambda m: " world war ww" + ("ii" if m.group(1).lower() in ("ii", "2") else "i") + " ", text)
    text = SLASH_DATE.sub(lambda m: " " + (m.group(1) if len(m.group(1)) == 4 else "20" + m.group(1)) + " ", text)
    return text


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Snowball (Porter 2) stem of a lower-case word."""
    stemmed: str = _STEMMER.stemWord(word)  # snowballstemmer ships no type hints
    return stemmed


def _number_value(token: str) -> str | None:
    digits = token.replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return _format_number(value)


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _words(text: str) -> list[str]:
    """Lower-case tokens, with number words and scale words folded into digit strings."""
    raw = [t.lower().replace("’", "'") for t in TOKEN.findall(text)]
    out: list[str] = []
    i = 0
    while i < len(raw):
        token = raw[i]
        number = _number_value(token) if token[0].isdigit() else None
        if number is None and (token in UNITS or token in TENS):
            spelled = 0
            j = i
            while j < len(raw) and (raw[j] in UNITS or raw[j] in TENS or raw[j] == "and" and j > i):
                if raw[j] != "and":
                    spelled += UNITS.get(raw[j], 0) + TENS.get(raw[j], 0)
                j += 1
            if raw[j - 1] == "and":
                j -= 1
            number, i = str(spelled), j - 1
        elif number is None and token == "a" and i + 1 < len(raw) and raw[i + 1] in SCALES:
            number = "1"
        elif number is None and token in ORDINALS:
            number = str(ORDINALS[token])
        if number is not None:
            value = float(number)
            if token[0].isdigit() and i + 1 < len(raw) and raw[i + 1] in ORDINAL_SUFFIXES:
                i += 1  # "22nd" is 22
            while i + 1 < len(raw) and (raw[i + 1] in SCALES or raw[i + 1] in SCALE_ABBREVIATIONS):
                value *= SCALES.get(raw[i + 1]) or SCALE_ABBREVIATIONS[raw[i + 1]]
                i += 1
            out.append(_format_number(value))
            if i + 1 < len(raw) and raw[i + 1] == "x":
                out.append("times")  # "10x the amount" is "ten times the amount"
                i += 1
        elif token == "per" and i + 1 < len(raw) and raw[i + 1] == "cent":
            out.append("percent")
            i += 1
        else:
            out.append(token)
        i += 1
    return out


def _names(text: str) -> set[str]:
    """Capitalised words that do not open a sentence, lower-cased (a cheap stand-in for named entities)."""
    names = set()
    previous = "."
    for match in re.finditer(r"[A-Za-z][A-Za-z'’]*|[.!?:\"“]", text):
        word = match.group()
        if word[0].isupper() and previous not in '.!?:"“' and word.lower() not in STOPWORDS and len(word) > 1:
            names.add(word.lower())
        previous = word
    return names


def _calendar_days(words: list[str]) -> set[int]:
    """Positions of the day in a date ("December 11, 2019", "11 December"): a day of the month, not a figure."""
    days = set()
    for position, word in enumerate(words):
        if word.isdigit() and 1 <= int(word) <= 31:
            before = words[position - 1] if position else ""
            after = words[position + 1] if position + 1 < len(words) else ""
            if MONTHS.get(before, before) in FULL_MONTHS or MONTHS.get(after, after) in FULL_MONTHS:
                days.add(position)
    return days


@lru_cache(maxsize=4096)
def analyse(text: str) -> Analysis:
    """Turn a claim or review text into matching terms and the facts compared when re-ranking."""
    cleaned = clean_text(text)
    terms: list[str] = []
    numbers: set[str] = set()
    years: set[str] = set()
    negated = False
    words = _words(cleaned)
    days = _calendar_days(words)
    for position, word in enumerate(words):
        if word.endswith("n't") or word in NEGATIONS:
            negated = True
            if word.endswith("n't"):
                word = word[:-3] or word
                if word in STOPWORDS:
                    continue
        if word[0].isdigit():
            if position in days:
                continue  # "11" in "December 11" says when, not how many: neither a figure nor a word to match
            numbers.add(word)
            if len(word) == 4 and word[:2] in ("19", "20"):
                years.add(word)
            terms.append(word)
            continue
        word = MONTHS.get(word, word)
        word = SYNONYMS.get(word, word)
        word = IRREGULAR_VERBS.get(word, word)
        unit = UNIT_WORDS.get(word, word)
        if unit is None or unit in STOPWORDS:
            continue
        if word in STOPWORDS:
            continue
        terms.append(stem(unit))
    handles = handle_words(text)
    # A handle often names who the claim is about ("@PnBRock", "@IlhanMN"): its words not said otherwise are
    # search terms too (sorted: set order changes between runs, and word pairs depend on the order).
    terms += sorted(handles.difference(terms))
    return Analysis(tuple(terms), frozenset(numbers), frozenset(_names(cleaned)), frozenset(years), negated, handles)
