"""Who says so: attribute each sentence to a source (outlet, body) and a speaker (person), carried forward."""

from __future__ import annotations

from .cues import QUOTE_CLOSE, QUOTE_OPEN, Classifier, analyse_sentence
from .discourse import Memory, remember, resolve_anaphora
from .model import Attribution, Span
from .sources import SourceRegistry, default_registry


def _quote_depth_change(text: str) -> int:
    return sum(text.count(c) for c in QUOTE_OPEN) - sum(text.count(c) for c in QUOTE_CLOSE)


def attribute_sentences(
    text: str, sentences: list[Span], *, registry: SourceRegistry | None = None, outlet: str | None = None
) -> list[Attribution]:
    """Attribute each sentence (given in reading order) to a source and speaker, carrying them forward."""
    classify = Classifier(registry or default_registry())
    memory = Memory()
    results: list[Attribution | None] = [None] * len(sentences)
    groups = _quotation_groups(sentences)
    turn: int | None = None  # where the last "NAME:" turn began
    for group in groups:
        found = None
        for index in group:
            found = analyse_sentence(sentences[index].text, classify, memory)
            if found is not None and (found.source or found.speaker or found.anaphor):
                break
            found = None
        has_quote = any(ch in sentences[i].text for i in group for ch in QUOTE_OPEN + '"')
        previous = results[group[0] - 1] if group[0] > 0 else None
        same_paragraph = group[0] > 0 and "\n" not in text[sentences[group[0] - 1].end : sentences[group[0]].start]
        if found is None:
            if previous is not None and turn is not None and same_paragraph and (previous.source or previous.speaker):
                for index in group:  # the rest of a "PENCE: …" turn
                    results[index] = Attribution(
                        sentences[index].start,
                        sentences[index].end,
                        previous.source,
                        previous.source_kind,
                        previous.speaker,
                        previous.cue,
                        carried=True,
                        affiliation=previous.affiliation,
                    )
                continue
            if has_quote and previous is not None and (previous.source or previous.speaker):
                for index in group:  # a follow-on quotation belongs to whoever was just quoted
                    results[index] = Attribution(
                        sentences[index].start,
                        sentences[index].end,
                        previous.source,
                        previous.source_kind,
                        previous.speaker,
                        previous.cue,
                        carried=True,
                        affiliation=previous.affiliation,
                    )
            continue
        turn = group[0] if found.label else None
        carried, source, kind, speaker = resolve_anaphora(found, memory)
        affiliation = found.affiliation[0] if found.affiliation and speaker and found.affiliation[0] != source else None
        if found.generic and not source and previous is not None and previous.source and (has_quote or same_paragraph):
            # "Both countries agreed to “…”" right after a state-media report: still on that report's record
            source, kind = previous.source, previous.source_kind
        remember(memory, source, kind, speaker, " ".join(sentences[i].text for i in group))
        for index in group:
            sentence = sentences[index]
            spans = (
                [(s + sentence.start, e + sentence.start) for s, e in found.spans]
                if index == group[-1] or len(group) == 1
                else []
            )
            cue_start = min((s for s, _ in spans), default=None)
            cue_end = max((e for _, e in spans), default=None)
            cue = text[cue_start:cue_end].rstrip(".,;:") if cue_start is not None else None
            results[index] = Attribution(
                sentence.start, sentence.end, source, kind, speaker, cue, cue_start, cue_end, carried, affiliation
            )
        # the cue may sit in a later sentence of the group: give every member the same cue text
        cue_holder = next((r for r in (results[i] for i in group) if r is not None and r.cue), None)
        if cue_holder:
            for index in group:
                r = results[index]
                if r is not None and not r.cue:
                    results[index] = Attribution(
                        r.sentence_start,
                        r.sentence_end,
                        r.source,
                        r.source_kind,
                        r.speaker,
                        cue_holder.cue,
                        cue_holder.cue_start,
                        cue_holder.cue_end,
                        r.carried,
                        r.affiliation,
                    )
    return [
        r if r is not None else Attribution(s.start, s.end, None, None, None, None) for r, s in zip(results, sentences)
    ]


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
