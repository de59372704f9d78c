"""Reading one sentence for attribution: the cue verb, who is before it and who is after it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .discourse import DESCRIPTOR_NOUNS, DOCUMENT_NOUNS, Memory
from .entities import (
    COMMON_SENTENCE_STARTERS,
    LOWER_BODY_NOUNS,
    ORG_WORDS,
    PLATFORMS,
    PRONOUNS,
    ROLE_NOUNS,
    Token,
    run_ending_at,
    run_starting_at,
    strip_titles,
    tokenize,
)
from .entities import TITLES as TITLE_WORDS
from .sources import SourceRegistry

SPEECH_VERBS = {
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "announced",
    "announces",
    "wrote",
    "writes",
    "posted",
    "posts",
    "tweeted",
    "claimed",
    "claims",
    "confirmed",
    "confirms",
    "noted",
    "notes",
    "explained",
    "warned",
    "warns",
    "argued",
    "argues",
    "insisted",
    "insists",
    "denied",
    "denies",
    "admitted",
    "acknowledged",
    "estimated",
    "estimates",
    "predicted",
    "urged",
    "urges",
    "reported",
    "reports",
    "cited",
    "quoted",
    "saying",
    "declared",
    "revealed",
    "disclosed",
    "asserted",
    "alleged",
    "alleges",
    "pledged",
}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    with resources.files("claims").joinpath("data/cue_lexicon.json").open(encoding="utf-8") as handle:
        lexicon: dict[str, Any] = json.load(handle)
        return lexicon


@lru_cache(maxsize=1)
def learned_cues() -> frozenset[str]:
    """Cue verbs learned from PolNeAR's training split (claims/data/cue_lexicon.json), beyond SPEECH_VERBS."""
    return frozenset(_lexicon()["words"]) - SPEECH_VERBS


@lru_cache(maxsize=1)
def speaking_nouns() -> frozenset[str]:
    """Common nouns that can head a source ("protesters", "economists"): ours plus PolNeAR's source heads."""
    return frozenset(PEOPLE_NOUNS | ROLE_NOUNS | set(_lexicon()["source_heads"]))


PUBLISHING_VERBS = {"reported", "reports", "wrote", "writes", "published"}
SKIPPABLE = {
    "also",
    "previously",
    "later",
    "earlier",
    "recently",
    "again",
    "has",
    "had",
    "have",
    "was",
    "were",
    "is",
    "are",
    "then",
    "further",
    "being",
    "be",
    "separately",
    "repeatedly",
    "publicly",
    "once",
    "first",
    "will",
    "would",
    "already",
    "officially",
    "often",
    "never",
    "always",
    "still",
    "now",
    "just",
    "even",
    "did",
    "does",
    "do",
    "not",
    "been",
    "may",
    "might",
    "could",
    "should",
    "can",
    "soon",
    "long",
    "all",
    "both",
    "too",
    "herself",
    "himself",
    "themselves",
    "itself",
    "last",
    "flatly",
}
CARRIER_NOUNS = {
    "statement",
    "report",
    "post",
    "release",
    "data",
    "figures",
    "study",
    "survey",
    "estimate",
    "estimates",
    "analysis",
    "letter",
    "video",
    "tweet",
}
AFFILIATION_ROLES = {
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "minister",
    "director",
    "head",
    "chief",
    "representative",
    "adviser",
    "advisor",
    "analyst",
    "researcher",
    "lecturer",
    "professor",
    "economist",
    "officer",
    "member",
    "executive",
    "chairman",
    "chairwoman",
    "president",
    "secretary",
}
AFTER_SPEAKER = {
    "on",
    "in",
    "at",
    "during",
    "after",
    "before",
    "who",
    "of",
    "when",
    "while",
    "as",
    "from",
    "with",
    "to",
    "last",
    "this",
    "yesterday",
    "today",
    "earlier",
    "later",
    "and",
    "but",
    "told",
    "wrote",
    "said",
    "the",
    "a",
    "an",
    "recently",
    "adding",
    "noting",
    "citing",
    "according",
    "via",
    "through",
}
PEOPLE_NOUNS = {
    "people",
    "voters",
    "critics",
    "experts",
    "analysts",
    "residents",
    "protesters",
    "supporters",
    "opponents",
    "officials",
    "lawmakers",
    "leaders",
    "members",
    "workers",
    "doctors",
    "scientists",
    "researchers",
    "economists",
    "investors",
    "traders",
    "police",
    "prosecutors",
    "witnesses",
    "students",
    "parents",
    "teachers",
    "activists",
    "advocates",
    "reporters",
    "journalists",
    "aides",
    "staff",
    "democrats",
    "republicans",
    "conservatives",
    "liberals",
    "americans",
    "citizens",
    "locals",
    "fans",
    "farmers",
    "nurses",
    "unions",
    "executives",
    "employees",
    "owners",
    "scholars",
    "observers",
    "diplomats",
    "sources",
    "campaign",
    "administration",
    "government",
    "company",
    "media",
    "ministry",
    "agency",
    "authorities",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "survey",
    "poll",
    "polls",
    "report",
    "study",
    "data",
    "statement",
    "group",
    "union",
    "party",
    "committee",
    "court",
    "judge",
    "department",
    "office",
    "council",
    "board",
    "commission",
    "team",
    "coalition",
    "organizers",
}
IRREGULAR_PAST = {
    "said",
    "told",
    "wrote",
    "thought",
    "felt",
    "saw",
    "knew",
    "sought",
    "spoke",
    "made",
    "took",
    "gave",
    "put",
    "set",
    "led",
    "held",
    "read",
    "found",
    "meant",
    "heard",
    "taught",
}
BE_FORMS = {"is", "are", "was", "were", "be", "been", "being"}
RELATIVE_PRONOUNS = {"who", "which", "that"}
# Words that end a noun phrase read leftwards from its head: determiners, prepositions, conjunctions, verbs.
NP_BOUNDARY = {
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "its",
    "his",
    "her",
    "their",
    "our",
    "my",
    "your",
    "of",
    "in",
    "on",
    "at",
    "for",
    "to",
    "from",
    "by",
    "with",
    "as",
    "and",
    "or",
    "but",
    "than",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "while",
    "if",
    "because",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "not",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "there",
    "where",
    "what",
    "how",
    "why",
    "also",
    "so",
    "about",
    "after",
    "before",
    "since",
    "into",
    "over",
    "under",
    "some",
    "many",
    "most",
    "all",
    "both",
    "each",
    "every",
    "any",
    "no",
}
NOT_SUBJECTS = NP_BOUNDARY | {
    "one",
    "others",
    "other",
    "thing",
    "things",
    "something",
    "nothing",
    "everything",
    "anything",
    "year",
    "years",
    "week",
    "weeks",
    "day",
    "days",
    "time",
    "times",
    "way",
    "month",
    "months",
    "hour",
    "hours",
    "minute",
    "minutes",
    "decade",
    "decades",
    "moment",
    "point",
    "lot",
    "itself",
    "himself",
    "herself",
    "themselves",
    "him",
    "them",
    "me",
    "us",
    "this",
    "again",
    "then",
    "later",
    "ago",
    "yet",
    "though",
    "however",
    "said",
    "says",
    "say",
    "just",
    "only",
    "even",
    "still",
    "too",
    "well",
    "back",
    "up",
    "out",
}
CALENDAR_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "today",
    "yesterday",
    "tonight",
    "tomorrow",
    "weekend",
    "morning",
    "afternoon",
    "evening",
    "night",
}
BODY_HEADS = {
    "campaign",
    "camp",
    "team",
    "coalition",
    "alliance",
    "industry",
    "lobby",
    "side",
    "administration",
    "union",
    "unions",
    "agencies",
    "companies",
    "firms",
    "groups",
    "parties",
    "ministries",
    "governments",
    "organizers",
    "organisers",
    "board",
    "panel",
    "tribunal",
    "jury",
    "hospital",
    "school",
    "university",
}
DOCUMENT_HEADS = {
    "report",
    "study",
    "survey",
    "poll",
    "polls",
    "data",
    "figures",
    "statement",
    "analysis",
    "review",
    "research",
    "records",
    "documents",
    "document",
    "filing",
    "memo",
    "letter",
    "release",
    "ad",
    "video",
    "tweet",
    "post",
    "audit",
    "investigation",
    "assessment",
    "estimate",
    "estimates",
    "census",
}
# unions used in hot paths, built once
_DESCRIBING = LOWER_BODY_NOUNS | DESCRIPTOR_NOUNS
_BODY_WORDS = LOWER_BODY_NOUNS | BODY_HEADS | ORG_WORDS
_ORG_OR_BODY = ORG_WORDS | LOWER_BODY_NOUNS
_BODY_HEADS_ALL = LOWER_BODY_NOUNS | BODY_HEADS
_CARRIERS = LOWER_BODY_NOUNS | {"figures", "data", "estimates", "records", "media"}
QUOTE_OPEN = "“«"
QUOTE_CLOSE = "”»"


@dataclass
class Found:
    """What one sentence says about its attribution, before earlier sentences are consulted."""

    source: str | None = None
    source_kind: str | None = None
    speaker: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    anaphor: str | None = None  # "pronoun", or the head noun of "the ministry", "the post"…
    affiliation: tuple[str, str | None] | None = None  # "X, a spokeswoman for Y": Y, if nothing better is said
    fallback: tuple[str, str, str | None] | None = None  # ("source"|"speaker", phrase, kind) when "the ministry" is new
    generic: bool = False  # the speaker is a common noun phrase ("both countries", "voters"), not a name
    label: bool = False  # "PENCE: …" opens a turn that the rest of its paragraph belongs to


class Classifier:
    """Tells whether a name is a source (outlet, body) or a speaker (person), using the registry."""

    def __init__(self, registry: SourceRegistry):
        self.registry = registry

    def name(
        self, tokens: list[Token], first: int, last: int, memory: Memory, *, outlet_slot: bool = False
    ) -> tuple[str, str, str | None] | None:
        """Classify tokens[first..last] as ("source", name, kind) or ("speaker", name, None) or None."""
        words = [t.text for t in tokens[first : last + 1]]
        words[-1] = words[-1].rstrip(".") if not words[-1].rstrip(".").isupper() or len(words[-1]) > 4 else words[-1]
        phrase = " ".join(words)
        found = self.registry.lookup(phrase)
        if found:
            return "source", found, self.registry.kind_of(found)
        lowered = {w.lower().rstrip(".") for w in words}
        described = first >= 1 and tokens[first - 1].lower in _DESCRIBING
        # people's names take no article: "the Irish Independent", "The Centers for Disease Control"
        definite = first >= 1 and tokens[first - 1].lower == "the" and not lowered & TITLE_WORDS
        if (
            lowered & ORG_WORDS
            or described
            or definite
            or (len(words) == 1 and len(words[0]) > 1 and words[0].isupper())
        ):
            if definite and not (lowered & ORG_WORDS or described) and outlet_slot:
                return "source", self.registry.canonical(phrase)[0], "outlet"
            name, kind = self.registry.canonical(phrase)
            return (
                "source",
                name,
                kind or _kind_from_words(lowered | ({tokens[first - 1].lower} if described else set())),
            )
        if all(w.removesuffix("’s").removesuffix("'s") in CALENDAR_WORDS for w in lowered):
            return None  # "said Tuesday", "Monday's" (but "Theresa May" is a name)
        if len(words) == 1:
            word = words[0]
            if word.lower() in PLATFORMS or word.lower() in COMMON_SENTENCE_STARTERS:
                return None
            if word in memory.surnames:
                return "speaker", memory.surnames[word], None
            if self.registry.demonym(word) and not word.endswith(("’s", "'s")):
                return "source", word, "government"
            if outlet_slot:
                return "source", word, "outlet"
            return "speaker", word, None
        name_words = strip_titles(words)
        while len(name_words) > 2 and self.registry.demonym(name_words[0]):
            name_words = strip_titles(name_words[1:])
        if outlet_slot:
            return "source", phrase, "outlet"
        name_words = _person_name(name_words)
        if 1 <= len(name_words) <= 4:
            return "speaker", " ".join(name_words), None
        return None


def _person_name(words: list[str]) -> list[str]:
    """The name inside a long run: "Charles B. Rangel of New York" → "Charles B. Rangel";
    "Interim DNC Chairwoman Donna Brazile" → "Donna Brazile"."""
    if len(words) <= 4:
        return words
    if "of" in words[2:]:  # a place or body after the name
        words = words[: words.index("of", 2)]
    titled = [i for i, w in enumerate(words) if w.lower().rstrip(".") in TITLE_WORDS]
    if titled and titled[-1] < len(words) - 1:
        words = words[titled[-1] + 1 :]
    return words if len(words) <= 4 else words[-3:]


def _kind_from_words(words: set[str]) -> str:
    if words & {
        "ministry",
        "government",
        "office",
        "department",
        "authority",
        "commission",
        "council",
        "kremlin",
        "police",
        "army",
        "forces",
        "command",
        "administration",
        "cabinet",
    }:
        return "government"
    if words & {
        "press",
        "news",
        "times",
        "post",
        "journal",
        "media",
        "television",
        "tv",
        "radio",
        "telegraph",
        "herald",
        "tribune",
        "gazette",
        "broadcasting",
        "daily",
    }:
        return "outlet"
    return "organisation"


def _subject_before(tokens: list[Token], verb: int, classify: Classifier, memory: Memory) -> Found | None:
    """Find who did the saying, reading back from the verb over adverbs and an appositive."""
    index = verb - 1
    while index >= 0:
        token = tokens[index]
        if (
            token.lower.removesuffix("’s").removesuffix("'s") in CALENDAR_WORDS
            and index >= 1
            and tokens[index - 1].lower in {"on", "last", "this", "late", "early", "next"}
        ):
            index -= 2  # "The Times on Saturday wrote"
            continue
        if token.capitalised or not (token.lower in SKIPPABLE or _is_adverb(token)):
            break
        if token.lower in BE_FORMS and tokens[verb].lower.rstrip(".").endswith(("ed", "told", "said")):
            return None  # "12 cases were confirmed": passive, the subject is not who said it
        index -= 1
    if index < 0:
        return None
    if tokens[index].text == ")":  # "the Centers for … (CDC) reported", "Paul D. Ryan (R-Wis.) said"
        opening = next((i for i in range(index - 1, max(-1, index - 8), -1) if tokens[i].text == "("), None)
        if opening is not None and opening >= 1:
            index = opening - 1
    if tokens[index].lower in RELATIVE_PRONOUNS and index >= 2 and tokens[index - 1].text == ",":
        index -= 2  # "Trump, who has accused …": the antecedent before the comma
    if tokens[index].text == ",":  # "Martin Sebena, a lecturer at …, told": skip the appositive
        comma = index - 1
        while comma >= 0 and tokens[comma].text not in {",", "“", "”", '"'}:
            comma -= 1
        opening_run = run_starting_at(tokens, 0)
        if opening_run is not None and opening_run[1] + 1 < comma and tokens[opening_run[1] + 1].text == ",":
            # "Jean-Marc Ayrault, the foreign minister of France, a permanent member …, said": the opening name
            named = _from_run(tokens, opening_run, classify, memory)
            if named is not None and named.speaker:
                named.affiliation = _affiliation(tokens, opening_run[1] + 2, index, classify, memory)
                return named
        if comma >= 1 and tokens[comma].text == ",":
            inner = run_ending_at(tokens, index - 1)
            if inner is not None and inner[0] == comma + 1 and run_ending_at(tokens, comma - 1) is None:
                # "The state's campaign chairman, Phil Lovas, said"; "The club that runs the race, SCC Events, said"
                named = _from_run(tokens, inner, classify, memory)
                described = {t.lower for t in tokens[:comma]} & _BODY_WORDS
                if (
                    named is not None
                    and named.speaker
                    and described
                    and tokens[0].lower in {"the", "a", "an"}
                    and tokens[1].lower in described
                ):
                    return Found(source=named.speaker, source_kind=_kind_from_words(described), spans=named.spans)
                if named is not None and (named.speaker or named.source):
                    return named
            run = run_ending_at(tokens, comma - 1)
            result = _from_run(tokens, run, classify, memory) if run else None
            if result:
                result.spans = []  # the cue is the verb phrase, not the whole appositive
                result.affiliation = _affiliation(tokens, comma + 1, index, classify, memory)
            return result
        return None
    token = tokens[index]
    if token.lower in PRONOUNS:
        return Found(anaphor="pronoun", spans=[(token.start, token.end)])
    if not token.capitalised and token.is_word:
        head = token.lower
        owner = _owner_of_phrase(tokens, index)
        if owner is not None:
            return owner
        if head in ROLE_NOUNS:  # "a WHO spokesperson said", "Ukrainian officials said"
            run = run_ending_at(tokens, index - 1)
            if (
                run
                and run[0] == run[1]
                and classify.registry.demonym(tokens[run[0]].text)
                and not tokens[run[0]].text.endswith(("’s", "'s"))
            ):
                return Found(
                    source=f"{tokens[run[0]].text} {head}",
                    source_kind="official",
                    spans=[(tokens[run[0]].start, token.end)],
                )
            if run:
                result = _from_run(tokens, run, classify, memory)
                if result and result.source:
                    # "a CDC spokesperson": the person speaks for the CDC, which is on record unless an outlet is
                    name = " ".join(t.text for t in tokens[run[0] : run[1] + 1])
                    return Found(
                        speaker=f"{name} {token.text}",
                        affiliation=(result.source, result.source_kind),
                        spans=[*result.spans, (token.start, token.end)],
                    )
            if head in {"statement", "post"}:
                return Found(anaphor=head, spans=[(token.start, token.end)])
            return _common_noun_subject(tokens, index, classify)
        if index >= 1 and tokens[index - 1].capitalised and tokens[index - 1].is_word and index - 1 > 0:
            return _common_noun_subject(tokens, index, classify)  # "the FNV union said": a named body, not "the union"
        if head in LOWER_BODY_NOUNS or head in {"post", "statement", "release", "report"}:
            first = index
            while (
                first - 1 >= 0
                and tokens[first - 1].is_word
                and tokens[first - 1].lower not in {"the", "a", "an", "its", "their"}
                and not tokens[first - 1].capitalised
                and first > index - 3
            ):
                first -= 1
            determiner = tokens[first - 1].lower if first >= 1 else ""
            if determiner == "the" or first == index:
                phrase = " ".join(t.text for t in tokens[first : index + 1])
                start = tokens[first - 1].start if determiner == "the" else tokens[first].start
                if first == index:
                    found = _common_noun_subject(tokens, index, classify) or Found()
                    found.fallback = (
                        ("source", found.source, found.source_kind)
                        if found.source
                        else ("speaker", found.speaker, None)
                        if found.speaker
                        else None
                    )
                    found.source = found.speaker = None
                    found.anaphor, found.spans = head, [(start, token.end)]
                    return found
                return Found(source=phrase, source_kind=_kind_from_words({head}), spans=[(start, token.end)])
        return _common_noun_subject(tokens, index, classify)
    run = run_ending_at(tokens, index)
    if (
        run
        and run[0] == run[1]
        and run[0] >= 1
        and tokens[run[0] - 1].lower == "the"
        and token.lower.rstrip(".") in _ORG_OR_BODY
        and not classify.registry.lookup(token.text)
    ):
        return Found(anaphor=token.lower.rstrip("."), spans=[(tokens[run[0] - 1].start, token.end)])
    subject = _from_run(tokens, run, classify, memory) if run else None
    if subject is None and index == 0:
        subject = _common_noun_subject(tokens, index, classify)  # "Officials said", "Critics argue"
    return subject


def _owner_of_phrase(tokens: list[Token], head: int) -> Found | None:
    """ "Lawyers for the council argued", "a spokesman for the ministry said": the noun before "for"/"of" speaks."""
    first = head
    while (
        first - 1 >= 0
        and tokens[first - 1].is_word
        and tokens[first - 1].lower not in {"for", "of"}
        and head - first < 4
        and tokens[first - 1].lower not in {"said", "says"}
    ):
        first -= 1
    if first < 2 or tokens[first - 1].lower not in {"for", "of"}:
        return None
    speaker = tokens[first - 2]
    if not speaker.is_word or speaker.lower not in speaking_nouns() or speaker.lower in {"one", "some", "many", "most"}:
        return None
    affiliation = " ".join(t.text for t in tokens[first : head + 1] if t.lower not in {"the", "a", "an"})
    start = first - 2
    while (
        start - 1 >= 0
        and tokens[start - 1].is_word
        and tokens[start - 1].lower not in NP_BOUNDARY
        and start > first - 5
    ):
        start -= 1
    phrase = " ".join(t.text for t in tokens[start : first - 1])
    return Found(
        speaker=phrase,
        affiliation=(affiliation, "organisation"),
        generic=True,
        spans=[(tokens[start].start, tokens[head].end)],
    )


def _learned_cue_subject(tokens: list[Token], verb: int, classify: Classifier, memory: Memory) -> Found | None:
    """The subject of a cue learned from data, held to a stricter standard than "said": many such words are
    nouns as often as verbs ("swing states", "late-night calls"), so the subject must look like one."""
    word = tokens[verb].lower.rstrip(".")
    previous = tokens[verb - 1] if verb else None
    if word.endswith("ing"):
        if previous is not None and previous.text == ",":  # "Clinton spoke out, arguing that …": the clause's subject
            return _sentence_subject(tokens, verb, classify, memory)
        before = verb - 1
        while before >= 0 and (_is_adverb(tokens[before]) or tokens[before].lower in {"also", "still", "now", "been"}):
            before -= 1
        if before < 0 or tokens[before].lower not in BE_FORMS:  # "tweets criticizing X" is no attribution
            return None
    subject = _subject_before(tokens, verb, classify, memory)
    if subject is None or not (subject.source or subject.speaker or subject.anaphor):
        return None
    if subject.anaphor == "pronoun":
        return None  # "since it launched its war": a pronoun before a learned cue is too weak to carry a speaker
    if subject.generic:
        head = (subject.speaker or "").split()[-1].lower()
        start = next((i for i, t in enumerate(tokens) if t.start == subject.spans[0][0]), 0) if subject.spans else 0
        owned = start >= 1 and (
            tokens[start - 1].lower in {"his", "her", "their", "its", "our"}
            or tokens[start].lower.endswith(("’s", "'s"))
        )
        if head not in speaking_nouns() and not (owned and head.endswith("s")):
            return None  # "the box labeled", "this month announced"; but "his surrogates called"
    base_form = not word.endswith(("s", "ed", "ing")) and word not in IRREGULAR_PAST
    if base_form and not _plural(subject, tokens, verb):
        return None  # "Apple Music show": a singular name takes "shows"; "show" here is a noun
    return subject


def _passive(tokens: list[Token], verb: int) -> bool:
    before = verb - 1
    while before >= 0 and (_is_adverb(tokens[before]) or tokens[before].lower in {"also", "first", "later", "been"}):
        before -= 1
    return before >= 0 and tokens[before].lower in BE_FORMS


def _plural(subject: Found, tokens: list[Token], verb: int) -> bool:
    name = (subject.speaker or subject.source or "").split()
    head = name[-1].lower() if name else ""
    if subject.anaphor == "pronoun":
        return any(t.lower in {"they", "we", "i", "you"} for t in tokens[max(0, verb - 4) : verb])
    return head.endswith("s") or head in PEOPLE_NOUNS or " and " in " ".join(name)


def _sentence_subject(tokens: list[Token], stop: int, classify: Classifier, memory: Memory) -> Found | None:
    """The subject that opens the sentence ("Hillary Clinton spoke out …"), if it is a name or a pronoun."""
    if not tokens or stop == 0:
        return None
    if tokens[0].lower in PRONOUNS:
        return Found(anaphor="pronoun", spans=[(tokens[0].start, tokens[0].end)])
    run = run_starting_at(tokens, 0)
    if run is None or run[1] + 1 >= stop or tokens[run[1] + 1].capitalised or not tokens[run[1] + 1].is_word:
        return None
    return _from_run(tokens, run, classify, memory)


def _is_adverb(token: Token) -> bool:
    return (
        token.is_word
        and not token.capitalised
        and len(token.lower) > 4
        and token.lower.endswith("ly")
        and token.lower not in {"only", "family", "early", "italy", "ally", "assembly", "july"}
    )


def _common_noun_subject(tokens: list[Token], head: int, classify: Classifier) -> Found | None:
    """A subject that is no proper name: "voters say", "the FNV union said", "12 percent said", "polls show"."""
    token = tokens[head]
    if not token.is_word and not token.text[:1].isdigit():
        return None
    if token.lower in NOT_SUBJECTS or token.lower in PRONOUNS or token.lower in CALENDAR_WORDS:
        return None
    first = head
    while first - 1 >= 0 and head - first < 4:
        previous = tokens[first - 1]
        if (
            not (previous.is_word or previous.text[:1].isdigit() or previous.text in {"’s", "'s", "-"})
            or previous.lower in NP_BOUNDARY
            or previous.lower in SPEECH_VERBS
        ):
            break
        first -= 1
    words = tokens[first : head + 1]
    while words and words[0].lower in NP_BOUNDARY:
        words = words[1:]
    if not words:
        return None
    phrase = " ".join(t.text for t in words)
    lowered = {t.lower for t in words}
    span = [(words[0].start, token.end)]
    named = classify.registry.lookup(phrase)
    if named:
        return Found(source=named, source_kind=classify.registry.kind_of(named), spans=span)
    if token.lower in DOCUMENT_HEADS or lowered & ORG_WORDS or token.lower in _BODY_HEADS_ALL:
        return Found(source=phrase, source_kind=_kind_from_words(lowered), spans=span)
    owned = first >= 1 and tokens[first - 1].lower in {"his", "her", "their", "its", "our"}
    if (
        token.lower not in speaking_nouns()
        and not (owned and token.lower.endswith("s"))
        and not token.text[:1].isdigit()
        and token.lower not in {"percent", "%"}
    ):
        return None  # "Other photos posted on Monday showed …": photos say nothing
    return Found(speaker=phrase, spans=span, generic=True)


def _from_run(
    tokens: list[Token], run: tuple[int, int], classify: Classifier, memory: Memory, *, outlet_slot: bool = False
) -> Found | None:
    first, last = run
    kind = classify.name(tokens, first, last, memory, outlet_slot=outlet_slot)
    if kind is None:
        return None
    span = [(tokens[first].start, tokens[last].end)]
    if kind[0] == "source":
        return Found(source=kind[1], source_kind=kind[2], spans=span)
    return Found(speaker=kind[1], spans=span)


def _phrase_after(tokens: list[Token], start: int, classify: Classifier, memory: Memory) -> Found | None:
    """Read the source named after "according to" / "reported" / "told" / "citing"."""
    end = start
    while (
        end < len(tokens)
        and end - start < 8
        and tokens[end].is_word
        and tokens[end].text not in {"that", "which", "who", "when", "as", "on", "in"}
    ):
        end += 1
    if end == start:
        return None
    words = tokens[start:end]
    if words and words[0].lower in {"the", "a", "an"}:
        words = words[1:]
    if not words:
        return None
    if len(words) > 2 and words[0].lower in CARRIER_NOUNS and words[1].lower in {"from", "by", "of"}:
        # "according to a statement from the Interior Ministry": the source is who issued it
        return _phrase_after(tokens, tokens.index(words[1]) + 1, classify, memory)
    phrase = " ".join(t.text for t in words).rstrip(".")
    if len(words) == 1 and tokens[start].lower == "the" and words[0].lower.rstrip(".") in DOCUMENT_NOUNS:
        # "according to the statement": the statement named earlier, whoever issued it
        return Found(anaphor=DOCUMENT_NOUNS[words[0].lower.rstrip(".")], spans=[(words[0].start, words[0].end)])
    found = classify.registry.lookup(phrase)
    span = [(words[0].start, words[-1].end)]
    if found:
        return Found(source=found, source_kind=classify.registry.kind_of(found), spans=span)
    offset = start + (1 if tokens[start].lower in {"the", "a", "an"} else 0)
    run = run_starting_at(tokens, offset)
    if run:
        run = (run[0], min(run[1], end - 1))
    if run and run[0] <= run[1]:
        result = _from_run(tokens, run, classify, memory)
        if result:
            return result
    if words[-1].lower.rstrip(".") in _CARRIERS:
        name, kind = classify.registry.canonical(phrase)
        return Found(source=name, source_kind=kind or "organisation", spans=span)
    for index in range(offset, end):  # "the state weather agency AEMET": the name inside the phrase
        run = run_starting_at(tokens, index)
        if run and run[1] < end:
            result = _from_run(tokens, run, classify, memory)
            if result and result.source:
                return result
    return None


def _affiliation(
    tokens: list[Token], start: int, stop: int, classify: Classifier, memory: Memory
) -> tuple[str, str | None] | None:
    """In an appositive ("a spokeswoman for the water authority"), the body the speaker speaks for."""
    for index in range(start, min(stop, len(tokens) - 1)):
        if tokens[index].lower in AFFILIATION_ROLES and tokens[index + 1].lower in {"for", "at", "of", "with"}:
            found = _phrase_after(tokens, index + 2, classify, memory)
            if found and found.source:
                return found.source, found.source_kind
            if found and found.speaker:
                return found.speaker, "organisation"
    return None


def _appositive_after(
    tokens: list[Token], run_end: int, classify: Classifier, memory: Memory
) -> tuple[str, str | None] | None:
    """ "said Anna Nowak, a spokeswoman for the regional water authority": read the appositive after a name."""
    if (
        run_end + 2 < len(tokens)
        and tokens[run_end + 1].text == ","
        and tokens[run_end + 2].lower in {"a", "an", "the"}
    ):
        return _affiliation(tokens, run_end + 3, run_end + 9, classify, memory)
    return None


def _merge(target: Found, other: Found | None) -> None:
    if other is None:
        return
    target.spans.extend(other.spans)
    if other.source and not target.source:
        target.source, target.source_kind = other.source, other.source_kind
    if other.speaker and not target.speaker:
        target.speaker = other.speaker
    if other.anaphor and not target.anaphor:
        target.anaphor = other.anaphor
        target.fallback = other.fallback
    if other.affiliation and not target.affiliation:
        target.affiliation = other.affiliation
    target.generic = target.generic or (other.generic and target.speaker == other.speaker)


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """Every word that can open an attribution, for a quick test before a sentence is tokenised."""
    return frozenset(SPEECH_VERBS | learned_cues() | {"according", "citing", "quoting", "interview"})


_WORDS = re.compile(r"[a-z]+")
DASHES = {"―", "—"}
_QUOTE_CHARS = re.compile('[“”«»"]')


def _may_attribute(sentence: str) -> bool:
    """Cheap test: a cue word, a "NAME:" label or a dash after a quotation could attribute this sentence."""
    return (
        not _cue_words().isdisjoint(_WORDS.findall(sentence.lower()))
        or ":" in sentence[:60]
        or any(dash in sentence for dash in DASHES)
    )


def analyse_sentence(sentence: str, classify: Classifier, memory: Memory) -> Found | None:
    """Read one sentence's own attribution: its cues and who is named around them, before any carry-over."""
    if not _may_attribute(sentence):
        return None
    tokens = tokenize(sentence)
    result = Found()
    cue_seen = False
    quoted = _inside_quotation(tokens) if _QUOTE_CHARS.search(sentence) else [False] * len(tokens)
    weaker: Found | None = None
    openers = _cue_words()
    learned = learned_cues()
    for index, token in enumerate(tokens):
        if quoted[index]:
            continue  # "“You say you accept responsibility,” Merkley said": a cue inside a quotation is not ours
        word = token.lower.rstrip(".")
        if word not in openers and token.text not in DASHES:
            continue  # most words open nothing: skip them before the tests below
        if token.text in DASHES and index >= 1 and tokens[index - 1].text in QUOTE_CLOSE + '"':
            run = run_starting_at(tokens, index + 1)  # "…the fabric of America.” ― Julie A. Diaz Martinez"
            signed = _from_run(tokens, run, classify, memory) if run else None
            if signed is not None:
                cue_seen = True
                signed.spans.append((token.start, token.end))
                _merge(result, signed)
        elif word == "according" and index + 1 < len(tokens) and tokens[index + 1].lower == "to":
            cue_seen = True
            result.spans.append((token.start, tokens[index + 1].end))
            _merge(result, _phrase_after(tokens, index + 2, classify, memory))
        elif word == "interview" and _next_is(tokens, index, "with"):
            # "In an interview with CNN, the mayor said": the outlet that published it
            found = _phrase_after(tokens, index + 2, classify, memory)
            if found is not None and found.speaker and not found.source:
                found = Found(source=found.speaker, source_kind="outlet", spans=found.spans)
            _merge(result, found)
        elif word in {"citing", "quoting"}:
            cue_seen = True
            result.spans.append((token.start, token.end))
            if not result.source:
                _merge(result, _phrase_after(tokens, index + 1, classify, memory))
        elif index > 0 and token.capitalised:
            continue  # "United States", "Says Who": a capitalised word inside a sentence is a name, not a cue
        elif (word in SPEECH_VERBS or word in learned) and _next_is(tokens, index, "by") and _passive(tokens, index):
            agent = _phrase_after(tokens, index + 2, classify, memory)  # "was first reported by The Washington Post"
            if agent is not None and (agent.source or agent.speaker):
                cue_seen = True
                agent.spans.append((token.start, token.end))
                _merge(result, agent)
        elif word in learned:
            if weaker is None:  # kept aside: a speech verb elsewhere in the sentence names the main speaker
                subject = _learned_cue_subject(tokens, index, classify, memory)
                if subject is not None:
                    subject.spans.append((token.start, token.end))
                    weaker = subject
        elif word in SPEECH_VERBS:
            cue_seen = True
            result.spans.append((token.start, token.end))
            inverted = (
                index > 0
                and tokens[index - 1].text in {",", "”", '"', "'"}
                or (index > 1 and tokens[index - 1].text in {",", "”"})
            )
            after = None
            if word == "told" or (word in PUBLISHING_VERBS and (inverted or _next_is(tokens, index, "in"))):
                start = index + 2 if _next_is(tokens, index, "in") else index + 1
                after = _phrase_after(tokens, start, classify, memory)
                if after and after.speaker and word == "told":  # people tell outlets: "told El País"
                    after = Found(source=after.speaker, source_kind="outlet", spans=after.spans)
            elif inverted and word in {"said", "says", "added", "adds", "wrote", "stated"}:
                run = run_starting_at(tokens, index + 1)
                if run and _clause_goes_on(tokens, run[1] + 1):
                    run = None  # "X, who served …, said Clinton reached out": Clinton begins what was said
                after = _from_run(tokens, run, classify, memory) if run else None
                if after is not None and run is not None and after.speaker:
                    after.affiliation = _appositive_after(tokens, run[1], classify, memory)
            if word in {"cited", "quoted"}:  # "the statement cited X as saying"
                run = run_starting_at(tokens, index + 1)
                person = _from_run(tokens, run, classify, memory) if run else None
                if person and person.speaker:
                    _merge(result, person)
            if word == "told":
                inverted = False  # "X, a lecturer, told the Post": the subject is before the verb
            subject = _subject_before(tokens, index, classify, memory) if not (inverted and after) else None
            if subject is not None and word in PUBLISHING_VERBS and subject.source_kind == "organisation":
                subject.source_kind = "outlet"  # "the Irish Independent first reported": who publishes is an outlet
            _merge(result, subject)
            _merge(result, after)
    label = _speaker_label(tokens, classify, memory)
    if label is not None:  # "PENCE: Well, look, Hillary Clinton thinks …": the whole line is the labelled speaker's
        label.label = True
        return label
    if weaker is not None and not (result.source or result.speaker or result.anaphor):
        cue_seen = True
        _merge(result, weaker)
    if not cue_seen:
        return None
    if not result.source and result.affiliation:
        result.source, result.source_kind = result.affiliation
    return result


def _speaker_label(tokens: list[Token], classify: Classifier, memory: Memory) -> Found | None:
    """ "PENCE: Gennifer Flowers will not…", "Pat Caddell: Voters worried…": a name and a colon open the sentence."""
    colon = next((i for i, t in enumerate(tokens[:6]) if t.text == ":"), None)
    if colon is None or colon == 0 or colon + 1 >= len(tokens):
        return None
    run = run_ending_at(tokens, colon - 1)
    if run is None or run[0] != 0:
        return None
    found = _from_run(tokens, run, classify, memory)
    if (
        found is not None
        and run[0] == run[1]
        and tokens[0].text.isupper()
        and found.source
        and not classify.registry.lookup(tokens[0].text)
    ):
        found = Found(speaker=tokens[0].text, spans=[(tokens[0].start, tokens[0].end)])  # "PENCE:" in a transcript
    if found is not None:
        found.spans.append((tokens[colon].start, tokens[colon].end))
    return found


def _inside_quotation(tokens: list[Token]) -> list[bool]:
    """For each token, whether it sits between quotation marks (curly, guillemets or straight)."""
    inside, depth, straight = [], 0, False
    for token in tokens:
        if token.text in QUOTE_OPEN:
            depth += 1
        elif token.text in QUOTE_CLOSE:
            depth = max(0, depth - 1)
        elif token.text == '"':
            straight = not straight
        inside.append(depth > 0 or straight)
    if depth > 0 and not any(t.text in QUOTE_CLOSE for t in tokens):
        return [False] * len(tokens)  # an opening mark never closed here: the quotation runs on, the frame is ours
    return inside


def _clause_goes_on(tokens: list[Token], index: int) -> bool:
    """After "said NAME": does a verb phrase follow, making NAME the subject of what was said?"""
    if index >= len(tokens):
        return False
    token = tokens[index]
    return token.is_word and not token.capitalised and token.lower not in AFTER_SPEAKER


def _next_is(tokens: list[Token], index: int, word: str) -> bool:
    return index + 1 < len(tokens) and tokens[index + 1].lower == word
