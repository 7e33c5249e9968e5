"""A CSV text cell: never run as a formula, and read back as recorded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring_core.reports._render import FORMULA_TRIGGERS, neutralise


def read_back(cell: str) -> str:
    """The rule docs/reports.md gives a program reading the CSV."""
    return cell[1:] if cell.startswith("'") else cell


@given(st.text(alphabet=st.sampled_from(["'", "a", *FORMULA_TRIGGERS]), max_size=6) | st.text())
def test_a_cell_is_never_a_formula_and_reads_back_as_recorded(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert read_back(cell) == text


def test_two_people_whose_ids_differ_by_a_leading_quote_keep_different_cells() -> None:
    """``-x`` and ``'-x`` were both written ``'-x``: one person's figures read as the other's."""
    assert neutralise("-x") != neutralise("'-x")
    assert [read_back(neutralise(i)) for i in ("-x", "'-x", "'x")] == ["-x", "'-x", "'x"]
