"""The one parser of typed numbers (core.numbers): a table of hand cases, each rule of
its docstring, and properties over generated numbers written in every accepted way."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import NotANumber, parse_number

ACCEPTED = [
    ("1200", 1200.0),
    ("1,200", 1200.0),
    ("1 200", 1200.0),
    ("1\u00a0200", 1200.0),  # no-break space
    ("1\u202f200", 1200.0),  # narrow no-break space (French, Swiss)
    ("1200.5", 1200.5),
    ("-3", -3.0),
    ("\u22123", -3.0),  # the minus sign
    ("+7", 7.0),
    ("1.200,5", 1200.5),  # German: the last mark is the decimal mark
    ("1,200.5", 1200.5),
    ("1 200,5", 1200.5),  # French
    ("1 200.5", 1200.5),
    ("1,5", 1.5),  # one comma, not three digits after it: decimal
    ("12,3456", 12.3456),
    ("0,125", 0.125),  # a first group starting with 0 is no thousands group
    ("12,345", 12345.0),
    ("1,200,000", 1200000.0),
    ("1.200.000", 1200000.0),
    ("1.200.000,25", 1200000.25),
    ("1.200", 1.2),  # one dot: always the decimal point
    (".5", 0.5),
    ("  240  ", 240.0),
    ("007", 7.0),
]

REFUSED = [
    "",
    "   ",
    "1,2,3.4.5",
    "1.2.3",
    "1,2,3",
    "1,200,5",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "12abc",
    "1e3",
    "0x10",
    "5.",
    "-",
    "+-3",
    "1 2",
    "12 3456",
    "1.200 000",
    "1,200 000.5",
    "1,200.000.5",
    "١٢٣",  # Arabic-Indic digits: not what the forms ask for
    "1" * 101,
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_refused_forms_say_what_is_accepted(text: str) -> None:
    with pytest.raises(NotANumber, match="Enter a number such as 1200, 1,200"):
        parse_number(text)


def test_none_is_refused() -> None:
    with pytest.raises(NotANumber):
        parse_number(None)


def grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from([",", " ", "\u202f"]))
def test_grouped_integers_read_as_themselves(number: int, separator: str) -> None:
    assert parse_number(grouped(str(number), separator)) == number


@given(
    st.integers(min_value=1000, max_value=10**12),
    st.integers(min_value=0, max_value=999),
    st.sampled_from([(",", "."), (".", ","), (" ", ","), (" ", ".")]),
)
def test_grouped_decimals_in_each_locale(whole: int, cents: int, marks: tuple[str, str]) -> None:
    group, decimal = marks
    text = f"{grouped(str(whole), group)}{decimal}{cents:03d}"
    assert parse_number(text) == float(f"{whole}.{cents:03d}")
    assert parse_number("-" + text) == -float(f"{whole}.{cents:03d}")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_plain_decimals_read_as_python_reads_them(number: float) -> None:
    text = f"{number:.6f}"
    assert parse_number(text) == float(text)


@given(st.text(max_size=30))
def test_any_text_is_one_finite_number_or_refused(text: str) -> None:
    try:
        value = parse_number(text)
    except NotANumber:
        return
    assert math.isfinite(value)
    stripped = text.strip()
    assert any(c.isdigit() for c in stripped)
    assert not any(c.isalpha() for c in stripped)
