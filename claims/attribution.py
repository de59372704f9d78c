"""Who says so: find attribution cues, tell the source (outlet, body) from the speaker (person)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .entities import (COMMON_SENTENCE_STARTERS, LOWER_BODY_NOUNS, ORG_WORDS, PLATFORMS, PRONOUNS, ROLE_NOUNS,
                       Token, run_ending_at, run_starting_at, strip_titles, tokenize)
from .model import Attribution, Span
from .sources import SourceRegistry, default_registry

SPEECH_VERBS = {
    "said", "says", "say", "told", "tells", "added", "adds", "stated", "states", "announced", "announces",
    "wrote", "writes", "posted", "posts", "tweeted", "claimed", "claims", "confirmed", "confirms", "noted", "notes",
    "explained", "warned", "warns", "argued", "argues", "insisted", "insists", "denied", "denies", "admitted",
    "acknowledged", "estimated", "estimates", "predicted", "urged", "urges", "reported", "reports", "cited",
    "quoted", "saying", "declared", "revealed", "disclosed", "asserted", "alleged", "alleges", "pledged",
}
DESCRIPTOR_NOUNS = {"operator", "agency", "outlet", "newspaper", "broadcaster", "regulator", "firm", "company",
                    "group", "daily", "website", "channel", "network", "watchdog", "charity", "utility", "ministry"}
PUBLISHING_VERBS = {"reported", "reports", "wrote", "writes", "published"}
SKIPPABLE = {"also", "previously", "later", "earlier", "recently", "again", "has", "had", "have", "was", "were",
             "is", "are", "then", "further", "separately", "repeatedly", "publicly", "once", "first", "had", "will",
             "would", "has", "already", "officially"}
QUOTE_OPEN = "“«"
QUOTE_CLOSE = "”»"


@dataclass
class _Found:
    source: str | None = None
    source_kind: str | None = None
    speaker: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    anaphor: str | None = None  # "pronoun", or the head noun of "the ministry", "the post"…


@dataclass
class _Memory:
    """What earlier sentences established, for "he said", "the ministry added", follow-on quotes."""

    last_source: str | None = None
    last_source_kind: str | None = None
    last_speaker: str | None = None
    speaker_sources: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    sources: list[tuple[str, str | None]] = field(default_factory=list)
    surnames: dict[str, str] = field(default_factory=dict)
    documents: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    descriptors: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


class _Classifier:
    def __init__(self, registry: SourceRegistry):
        self.registry = registry

    def name(self, tokens: list[Token], first: int, last: int, memory: _Memory, *, outlet_slot: bool = False):
        """Classify tokens[first..last] as ("source", name, kind) or ("speaker", name, None) or None."""
        words = [t.text for t in tokens[first:last + 1]]
        words[-1] = words[-1].rstrip(".") if not words[-1].rstrip(".").isupper() or len(words[-1]) > 4 else words[-1]
        phrase = " ".join(words)
        found = self.registry.lookup(phrase)
        if found:
            return "source", found, self.registry.kind_of(found)
        lowered = {w.lower().rstrip(".") for w in words}
        described = first >= 1 and tokens[first - 1].lower in LOWER_BODY_NOUNS | DESCRIPTOR_NOUNS
        if lowered & ORG_WORDS or described or (len(words) == 1 and len(words[0]) > 1 and words[0].isupper()):
            name, kind = self.registry.canonical(phrase)
            return "source", name, kind or _kind_from_words(lowered | ({tokens[first - 1].lower} if described else set()))
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
            return ("speaker", word, None) if first > 0 else None
        name_words = strip_titles(words)
        while len(name_words) > 2 and self.registry.demonym(name_words[0]):
            name_words = strip_titles(name_words[1:])
        if outlet_slot:
            return "source", phrase, "outlet"
        if 1 <= len(name_words) <= 4:
            return "speaker", " ".join(name_words), None
        return None


def _kind_from_words(words: set[str]) -> str:
    if words & {"ministry", "government", "office", "department", "authority", "commission", "council", "kremlin",
                "police", "army", "forces", "command", "administration", "cabinet"}:
        return "government"
    if words & {"press", "news", "times", "post", "journal", "media", "television", "tv", "radio", "telegraph",
                "herald", "tribune", "gazette", "broadcasting", "daily"}:
        return "outlet"
    return "organisation"


def _subject_before(tokens: list[Token], verb: int, classify: _Classifier, memory: _Memory) -> _Found | None:
    """Find who did the saying, reading back from the verb over adverbs and an appositive."""
    index = verb - 1
    while index >= 0 and tokens[index].lower in SKIPPABLE:
        index -= 1
    if index < 0:
        return None
    if tokens[index].text == ",":  # "Martin Sebena, a lecturer at …, told": skip the appositive
        comma = index - 1
        while comma >= 0 and tokens[comma].text not in {",", "“", "”", '"'}:
            comma -= 1
        if comma >= 1 and tokens[comma].text == ",":
            run = run_ending_at(tokens, comma - 1)
            result = _from_run(tokens, run, classify, memory) if run else None
            if result:
                result.spans = []  # the cue is the verb phrase, not the whole appositive
            return result
        return None
    token = tokens[index]
    if token.lower in PRONOUNS:
        return _Found(anaphor="pronoun", spans=[(token.start, token.end)])
    if not token.capitalised and token.is_word:
        head = token.lower
        if head in ROLE_NOUNS:  # "a WHO spokesperson said", "Ukrainian officials said"
            run = run_ending_at(tokens, index - 1)
            if run and run[0] == run[1] and classify.registry.demonym(tokens[run[0]].text) \
                    and not tokens[run[0]].text.endswith(("’s", "'s")):
                return _Found(source=f"{tokens[run[0]].text} {head}", source_kind="official",
                              spans=[(tokens[run[0]].start, token.end)])
            if run:
                result = _from_run(tokens, run, classify, memory)
                if result and result.source:
                    result.spans.append((token.start, token.end))
                    return result
            if head in {"statement", "post"}:
                return _Found(anaphor=head, spans=[(token.start, token.end)])
            return None
        if head in LOWER_BODY_NOUNS or head in {"post", "statement", "release", "report"}:
            first = index
            while first - 1 >= 0 and tokens[first - 1].is_word and tokens[first - 1].lower not in {"the", "a", "an", "its", "their"} \
                    and not tokens[first - 1].capitalised and first > index - 3:
                first -= 1
            determiner = tokens[first - 1].lower if first >= 1 else ""
            if determiner == "the" or first == index:
                phrase = " ".join(t.text for t in tokens[first:index + 1])
                start = tokens[first - 1].start if determiner == "the" else tokens[first].start
                if first == index:
                    return _Found(anaphor=head, spans=[(start, token.end)])
                return _Found(source=phrase, source_kind=_kind_from_words({head}), spans=[(start, token.end)])
        return None
    run = run_ending_at(tokens, index)
    if run and run[0] == run[1] and run[0] >= 1 and tokens[run[0] - 1].lower == "the" \
            and token.lower.rstrip(".") in ORG_WORDS | LOWER_BODY_NOUNS and not classify.registry.lookup(token.text):
        return _Found(anaphor=token.lower.rstrip("."), spans=[(tokens[run[0] - 1].start, token.end)])
    return _from_run(tokens, run, classify, memory) if run else None


def _from_run(tokens, run, classify: _Classifier, memory: _Memory, *, outlet_slot=False) -> _Found | None:
    first, last = run
    kind = classify.name(tokens, first, last, memory, outlet_slot=outlet_slot)
    if kind is None:
        return None
    span = [(tokens[first].start, tokens[last].end)]
    if kind[0] == "source":
        return _Found(source=kind[1], source_kind=kind[2], spans=span)
    return _Found(speaker=kind[1], spans=span)


def _phrase_after(tokens: list[Token], start: int, classify: _Classifier, memory: _Memory) -> _Found | None:
    """Read the source named after "according to" / "reported" / "told" / "citing"."""
    end = start
    while end < len(tokens) and end - start < 8 and tokens[end].is_word and tokens[end].text not in {"that", "which", "who", "when", "as", "on", "in"}:
        end += 1
    if end == start:
        return None
    words = tokens[start:end]
    if words and words[0].lower in {"the", "a", "an"}:
        words = words[1:]
    if not words:
        return None
    phrase = " ".join(t.text for t in words).rstrip(".")
    found = classify.registry.lookup(phrase)
    span = [(words[0].start, words[-1].end)]
    if found:
        return _Found(source=found, source_kind=classify.registry.kind_of(found), spans=span)
    offset = start + (1 if tokens[start].lower in {"the", "a", "an"} else 0)
    run = run_starting_at(tokens, offset)
    if run:
        run = (run[0], min(run[1], end - 1))
    if run and run[0] <= run[1]:
        result = _from_run(tokens, run, classify, memory)
        if result:
            return result
    if words[-1].lower.rstrip(".") in LOWER_BODY_NOUNS | {"figures", "data", "estimates", "records", "media"}:
        name, kind = classify.registry.canonical(phrase)
        return _Found(source=name, source_kind=kind or "organisation", spans=span)
    for index in range(offset, end):  # "the state weather agency AEMET": the name inside the phrase
        run = run_starting_at(tokens, index)
        if run and run[1] < end:
            result = _from_run(tokens, run, classify, memory)
            if result and result.source:
                return result
    return None


def _merge(target: _Found, other: _Found | None) -> None:
    if other is None:
        return
    target.spans.extend(other.spans)
    if other.source and not target.source:
        target.source, target.source_kind = other.source, other.source_kind
    if other.speaker and not target.speaker:
        target.speaker = other.speaker
    if other.anaphor and not target.anaphor:
        target.anaphor = other.anaphor


@lru_cache(maxsize=1)
def _cue_hint() -> re.Pattern:
    """A quick test for any cue word, so sentences without one are never tokenised."""
    words = SPEECH_VERBS | {"according", "citing", "quoting"}
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b")


def _analyse(sentence: str, classify: _Classifier, memory: _Memory) -> _Found | None:
    if not _cue_hint().search(sentence.lower()):
        return None
    tokens = tokenize(sentence)
    result = _Found()
    cue_seen = False
    for index, token in enumerate(tokens):
        word = token.lower.rstrip(".")
        if word == "according" and index + 1 < len(tokens) and tokens[index + 1].lower == "to":
            cue_seen = True
            result.spans.append((token.start, tokens[index + 1].end))
            _merge(result, _phrase_after(tokens, index + 2, classify, memory))
        elif word in {"citing", "quoting"}:
            cue_seen = True
            result.spans.append((token.start, token.end))
            if not result.source:
                _merge(result, _phrase_after(tokens, index + 1, classify, memory))
        elif word in SPEECH_VERBS:
            cue_seen = True
            result.spans.append((token.start, token.end))
            inverted = index > 0 and tokens[index - 1].text in {",", "”", '"'} or (
                index > 1 and tokens[index - 1].text in {",", "”"} )
            after = None
            if word == "told" or (word in PUBLISHING_VERBS and (inverted or _next_is(tokens, index, "in"))):
                start = index + 2 if _next_is(tokens, index, "in") else index + 1
                after = _phrase_after(tokens, start, classify, memory)
                if after and after.speaker and word == "told":  # people tell outlets: "told El País"
                    after = _Found(source=after.speaker, source_kind="outlet", spans=after.spans)
            elif inverted and word in {"said", "says", "added", "adds", "wrote", "stated"}:
                run = run_starting_at(tokens, index + 1)
                after = _from_run(tokens, run, classify, memory) if run else None
            if word in {"cited", "quoted"}:  # "the statement cited X as saying"
                run = run_starting_at(tokens, index + 1)
                person = _from_run(tokens, run, classify, memory) if run else None
                if person and person.speaker:
                    _merge(result, person)
            if word == "told":
                inverted = False  # "X, a lecturer, told the Post": the subject is before the verb
            subject = _subject_before(tokens, index, classify, memory) if not (inverted and after) else None
            _merge(result, subject)
            _merge(result, after)
    if not cue_seen:
        return None
    return result


def _next_is(tokens: list[Token], index: int, word: str) -> bool:
    return index + 1 < len(tokens) and tokens[index + 1].lower == word


def _resolve_anaphora(found: _Found, memory: _Memory) -> tuple[bool, str | None, str | None, str | None]:
    """Fill in "he said" and "the ministry added" from what came before; return (carried, source, kind, speaker)."""
    source, kind, speaker = found.source, found.source_kind, found.speaker
    carried = False
    if found.anaphor == "pronoun" and not speaker:
        if memory.last_speaker:
            speaker = memory.last_speaker
            if not source:
                source, kind = memory.speaker_sources.get(speaker, (None, None))
        elif not source:
            source, kind = memory.last_source, memory.last_source_kind
        carried = True
    elif found.anaphor and not source:
        head = found.anaphor
        if head in memory.documents:  # "the post added" after "in a Telegram post, X said"
            source, kind = memory.documents[head]
        elif head in memory.descriptors:  # "the agency said" after "the weather agency AEMET"
            source, kind = memory.descriptors[head]
        else:
            source, kind = next(((name, name_kind) for name, name_kind in reversed(memory.sources)
                                 if head in name.lower()), (None, None))
        carried = source is not None
    return carried, source, kind, speaker


DOCUMENT_NOUNS = {"post": "post", "statement": "statement", "release": "release", "report": "report",
                  "interview": "interview", "video": "video", "letter": "letter", "tweet": "post",
                  **{platform: "post" for platform in PLATFORMS}}


@lru_cache(maxsize=1)
def _noun_pattern() -> re.Pattern:
    """One regex for every noun that "the post" / "the agency" may later refer back to."""
    words = set(DOCUMENT_NOUNS) | LOWER_BODY_NOUNS | DESCRIPTOR_NOUNS | ORG_WORDS
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b")


def _remember(memory: _Memory, source, kind, speaker, sentence: str = "") -> None:
    if source:
        for match in _noun_pattern().finditer(sentence.lower()):
            lower = match.group(1)
            noun = DOCUMENT_NOUNS.get(lower)
            if noun:
                memory.documents[noun] = (source, kind)
            else:
                memory.descriptors[lower] = (source, kind)  # "the agency" now means this source
        memory.last_source, memory.last_source_kind = source, kind
        memory.sources.append((source, kind))
    if speaker:
        memory.last_speaker = speaker
        memory.speaker_sources[speaker] = (source, kind)
        parts = speaker.split()
        if len(parts) > 1:
            memory.surnames[parts[-1]] = speaker


def _quote_depth_change(text: str) -> int:
    return sum(text.count(c) for c in QUOTE_OPEN) - sum(text.count(c) for c in QUOTE_CLOSE)


def attribute_sentences(text: str, sentences: list[Span], *, registry: SourceRegistry | None = None,
                        outlet: str | None = None) -> list[Attribution]:
    """Attribute each sentence (given in reading order) to a source and speaker, carrying them forward."""
    classify = _Classifier(registry or default_registry())
    memory = _Memory()
    results: list[Attribution | None] = [None] * len(sentences)
    groups = _quotation_groups(sentences)
    for group in groups:
        found = None
        for index in group:
            found = _analyse(sentences[index].text, classify, memory)
            if found is not None and (found.source or found.speaker or found.anaphor):
                break
            found = None
        has_quote = any(ch in sentences[i].text for i in group for ch in QUOTE_OPEN + '"')
        previous = results[group[0] - 1] if group[0] > 0 else None
        if found is None:
            if has_quote and previous is not None and (previous.source or previous.speaker):
                for index in group:  # a follow-on quotation belongs to whoever was just quoted
                    results[index] = Attribution(sentences[index].start, sentences[index].end, previous.source,
                                                 previous.source_kind, previous.speaker, previous.cue,
                                                 carried=True)
            continue
        carried, source, kind, speaker = _resolve_anaphora(found, memory)
        _remember(memory, source, kind, speaker, " ".join(sentences[i].text for i in group))
        for index in group:
            sentence = sentences[index]
            spans = [(s + sentence.start, e + sentence.start) for s, e in found.spans] if index == group[-1] or len(group) == 1 else []
            cue_start = min((s for s, _ in spans), default=None)
            cue_end = max((e for _, e in spans), default=None)
            cue = text[cue_start:cue_end].rstrip(".,;:") if cue_start is not None else None
            results[index] = Attribution(sentence.start, sentence.end, source, kind, speaker, cue, cue_start,
                                         cue_end, carried)
        # the cue may sit in a later sentence of the group: give every member the same cue text
        cue_holder = next((results[i] for i in group if results[i] and results[i].cue), None)
        if cue_holder:
            for index in group:
                if results[index] and not results[index].cue:
                    r = results[index]
                    results[index] = Attribution(r.sentence_start, r.sentence_end, r.source, r.source_kind,
                                                 r.speaker, cue_holder.cue, cue_holder.cue_start, cue_holder.cue_end,
                                                 r.carried)
    return [r if r is not None else Attribution(s.start, s.end, None, None, None, None) for r, s in zip(results, sentences)]


def _quotation_groups(sentences: list[Span]) -> list[list[int]]:
    """Group sentences that sit inside one quotation (“A. B,” she said) so they share one attribution."""
    groups: list[list[int]] = []
    depth = 0
    for index, sentence in enumerate(sentences):
        if depth > 0 and groups:
            groups[-1].append(index)
        else:
            groups.append([index])
        depth = max(0, depth + _quote_depth_change(sentence.text))
        if depth > 0 and index + 1 < len(sentences) and sentences[index + 1].start - sentence.end > 2:
            depth = 0  # a quotation does not run across paragraphs unclosed
    return groups


def find_attributions(text: str, *, registry: SourceRegistry | None = None) -> list[Attribution]:
    """Attribute every sentence of a text; unattributed sentences come back with source None."""
    from .segment import split_sentences

    return attribute_sentences(text, split_sentences(text), registry=registry)
