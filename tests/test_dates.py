"""Time expressions kind by kind: spans, TimeML types and values, and the direction a clause's tense gives."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.dates import find_dates
from claims.model import Claim, DateMention

PUBLISHED = dt.date(2024, 3, 8)  # a Friday


def found(sentence: str, published: dt.date | None = PUBLISHED) -> list[tuple[str, str | None, str]]:
    """(text, value, type) of each mention, after checking that each span is exact."""
    mentions = find_dates(sentence, published=published)
    assert all(sentence[m.start : m.end] == m.text for m in mentions)
    return [(m.text, m.value, m.type) for m in mentions]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("The mayor told reporters in August that the bridge was safe.", "2023-08"),
        ("The ministry will publish its report in August.", "2024-08"),
        ("The agency published the figures on March 1.", "2024-03-01"),
        ("The agency will publish the figures on March 1.", "2025-03-01"),
        ("The council voted on Tuesday to close the pool.", "2024-03-05"),
        ("The council will vote on Tuesday.", "2024-03-12"),
        ("The council is expected to vote on Tuesday.", "2024-03-12"),
        ("The plant had been due to reopen on Tuesday.", "2024-03-05"),
        ("Officials were planning to inspect the site on Tuesday.", "2024-03-12"),
        ("He said the deal, which will close in February, is final.", "2025-02"),
        ("Ballots must be returned by Feb. 20.", "2025-02-20"),
        ("The deal was signed by Feb. 20, the company said.", "2024-02-20"),
        ("The Feb. 20 deadline passed.", "2024-02-20"),
        ("The board declared a dividend, payable Jan. 2 to holders of record.", "2025-01-02"),
        ("The firm said the sale is to be completed around April 1.", "2024-04-01"),
    ],
)
def test_direction_comes_from_the_tense_of_the_clause(sentence, value):
    assert [v for _, v, _ in found(sentence)] == [value]


@pytest.mark.parametrize(
    ("sentence", "expression", "value", "interval"),
    [
        ("The drug was tested for 90 days.", "90 days", "P90D", None),
        ("Prices have risen 40% over the past two years.", "over the past two years", "P2Y", "2022-03-08/2024-03-08"),
        ("Talks may last the next three weeks.", "the next three weeks", "P3W", "2024-03-08/2024-03-29"),
        ("It signed a two-year contract.", "two-year", "P2Y", None),
        ("The trial took 2 1/2 years.", "2 1/2 years", "P2Y6M", None),
        ("Crews worked for at least 72 hours.", "at least 72 hours", "PT72H", None),
        ("The feud has run for years.", "years", "PXY", None),
        ("Rents fell in the past few months.", "the past few months", "PXM", None),
        ("Wages stalled for two decades.", "two decades", "P20Y", None),
        ("Output rose over the past year.", "the past year", "P1Y", "2023-03-08/2024-03-08"),
    ],
)
def test_durations(sentence, expression, value, interval):
    mentions = find_dates(sentence, published=PUBLISHED)
    assert [(m.text, m.value, m.type, m.precision, m.interval) for m in mentions] == [
        (expression, value, "DURATION", "duration", interval)
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "A 44-year-old man was arrested.",
        "The firm raised its quarterly dividend.",
        "She won a second term.",
        "Prices may rise as troops march on.",
        "Markets fall as the dollar climbs.",
        "About three-quarters of voters agreed.",
        "Crowds joined the March for Life.",
        "It protects children aged five to 17 months.",
        "Jobless claims hit a quarter-century low.",
        "It was high noon for the party.",
    ],
)
def test_words_that_only_look_like_time_expressions(sentence):
    assert found(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        ("The report is published annually.", "annually", "P1Y"),
        ("The market opens every Monday.", "every Monday", "XXXX-WXX-1"),
        ("Bands play Tuesday nights.", "Tuesday nights", "XXXX-WXX-2TNI"),
        ("The pass costs $40 a year.", "a year", "P1Y"),
        ("The plant makes 100 million doses a year.", "a year", "P1Y"),
        ("Buses run twice a day.", "twice a day", "P1D"),
        ("The festival returns each July.", "each July", "XXXX-07"),
        ("Inspections happen every other week.", "every other week", "P2W"),
    ],
)
def test_sets(sentence, expression, value):
    assert found(sentence) == [(expression, value, "SET")]


@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        ("The blast came on Friday afternoon.", "on Friday afternoon", "2024-03-08TAF"),
        ("Police arrived this morning.", "this morning", "2024-03-08TMO"),
        ("The fire started last night.", "last night", "2024-03-07TNI"),
        ("Talks resume tomorrow evening.", "tomorrow evening", "2024-03-09TEV"),
        ("The polls close at 5 p.m. EST on March 12.", "5 p.m. EST on March 12", "2024-03-12T17:00"),
        ("The council met at noon Thursday.", "noon Thursday", "2024-03-07T12:00"),
        ("The storm hit on Wednesday. The first levee broke at 10:35 a.m.", "10:35 a.m.", "2024-03-06T10:35"),
        ("Trains stopped at 4 in the morning.", "4 in the morning", "2024-03-08T04:00"),
    ],
)
def test_parts_of_day_and_clock_times(sentence, expression, value):
    assert found(sentence)[-1] == (expression, value, "TIME")


def test_a_clock_time_keeps_its_time_zone_in_the_note():
    mention = find_dates("Voting ends at 8 p.m. GMT.", published=PUBLISHED)[0]
    assert (mention.value, mention.precision) == ("2024-03-08T20:00", "clock")
    assert "UTC+00:00" in mention.note


@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        ("Sales fell last summer.", "last summer", "2023-SU"),
        ("The dam will be finished next spring.", "next spring", "2025-SP"),
        ("Snow closed the pass this winter.", "this winter", "2023-WI"),
        ("The bridge opened in the fall of 2019.", "the fall of 2019", "2019-FA"),
        ("Rain fell late last July.", "late last July", "2023-07"),
        ("The exhibition runs through June.", "through June", "2024-06"),
        ("Revenue this fiscal year rose.", "this fiscal year", "2024"),
        ("Profit rose in the third quarter.", "the third quarter", "2023-Q3"),
        ("Profit rose in Q3 2023.", "Q3 2023", "2023-Q3"),
        ("Output grew in the first half of 2022.", "the first half of 2022", "2022-H1"),
        ("Accounts close at year-end.", "year-end", "2024-12-31"),
        ("Shops shut on Thanksgiving Day 2023.", "Thanksgiving Day 2023", "2023-11-23"),
        ("The attack came on Easter Sunday.", "Easter Sunday", "2023-04-09"),
        ("Churches will fill on Easter Sunday.", "Easter Sunday", "2024-03-31"),
    ],
)
def test_seasons_quarters_and_calendar_phrases(sentence, expression, value):
    assert found(sentence) == [(expression, value, "DATE")]


def test_a_year_earlier_refers_to_the_quarter_spoken_of():
    assert found("Third-quarter profit doubled from a year earlier.") == [
        ("Third-quarter", "2023-Q3", "DATE"),
        ("a year earlier", "2022-Q3", "DATE"),
    ]


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("Jazz boomed in the 1990s.", ["199"]),
        ("Jazz boomed in the '80s.", ["198"]),
        ("The early 2000s were calm.", ["200"]),
        ("Steel ruled the 20th century.", ["19"]),
        ("The nineties were calm.", ["199"]),
        ("A 2009 analysis found no link.", ["2009"]),
        ("The 2009-2010 season was cancelled.", ["2009", "2010"]),
        ("The plant ran from 2009 to 2012.", ["2009", "2012"]),
        ("It was built in nineteen ninety-six.", ["1996"]),
    ],
)
def test_decades_centuries_years_and_ranges(sentence, values):
    assert [v for _, v, _ in found(sentence)] == values


@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        ("The fair opens Saturday, Feb. 8.", "Saturday, Feb. 8", "2025-02-08"),
        ("The fair opened Wednesday, Feb. 8.", "Wednesday, Feb. 8", "2023-02-08"),
        ("It closed in January nineteen ninety-seven.", "in January nineteen ninety-seven", "1997-01"),
        ("Prices peaked in July last year.", "in July last year", "2023-07"),
        ("It froze in the winter of nineteen ninety-four.", "the winter of nineteen ninety-four", "1994-WI"),
    ],
)
def test_a_named_weekday_or_a_following_year_fixes_the_year(sentence, expression, value):
    assert found(sentence) == [(expression, value, "DATE")]


def test_the_following_year_and_later_that_day_count_from_the_date_last_named():
    text = (
        "The plant opened in 2019. The following year it closed. On Oct. 23, 2021 it reopened; later that day it shut."
    )
    assert [(t, v) for t, v, _ in found(text)] == [
        ("in 2019", "2019"),
        ("The following year", "2020"),
        ("Oct. 23, 2021", "2021-10-23"),
        ("later that day", "2021-10-23"),
    ]


def test_a_year_range_gives_both_years_the_interval():
    first, second = find_dates("The 2009-2010 season was cancelled.", published=PUBLISHED)
    assert first.interval == second.interval == "2009/2010"


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Inflation is now 3%.", "PRESENT_REF"),
        ("He currently lives in Rome.", "PRESENT_REF"),
        ("At the time, the plant was closed.", "PAST_REF"),
        ("The mill recently closed.", "PAST_REF"),
        ("Rents will rise in the future.", "FUTURE_REF"),
    ],
)
def test_references_to_now_past_and_future(sentence, value):
    assert [v for _, v, _ in found(sentence)] == [value]


def test_values_without_a_publication_date_stay_unresolved_but_typed():
    mentions = find_dates("Prices rose last summer and over the past two years, every Monday.")
    assert [(m.value, m.type, m.resolved) for m in mentions] == [
        (None, "DATE", False),
        ("P2Y", "DURATION", True),
        ("XXXX-WXX-1", "SET", True),
    ]
    assert mentions[1].interval is None  # nothing to anchor the range to


def test_claim_dicts_keep_the_fields_callers_read():
    mention = DateMention(
        text="two years", start=0, end=9, value="P2Y", precision="duration", resolved=True, type="DURATION"
    )
    data = Claim(text="x", quote="x", start=0, end=1, sentence_start=0, sentence_end=1, dates=[mention]).to_dict()
    assert data["dates"] == [
        {
            "text": "two years",
            "start": 0,
            "end": 9,
            "value": "P2Y",
            "precision": "duration",
            "resolved": True,
            "note": "",
            "type": "DURATION",
            "interval": None,
        }
    ]
