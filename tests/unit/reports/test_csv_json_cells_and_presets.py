"""The CSV cells and JSON values as ``docs/reports.md`` defines them, and the refusal of an
unknown policy preset.

CSV: empty cells mean none, booleans are ``true``/``false``, times ISO 8601, statuses
and end reasons by their documented names. JSON: UTF-8 text (names as written, not
escaped), numbers as numbers, ids and times as strings. ``preset(name)`` refuses an
unknown name with the field, the value and the known names.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from html_page import relationship, report
from hypothesis import example, given
from hypothesis import strategies as st

from mentoring_core.domain.errors import InvalidValue
from mentoring_core.domain.values import EndReason, RelationshipStatus
from mentoring_core.reports import PRESETS, preset, render_csv, render_json, report_to_dict
from mentoring_core.reports._render import indented_json, make_report_converter


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestCsvCells:
    def test_booleans_are_true_and_false(self) -> None:
        text = render_csv(
            report(
                relationship(1, meeting_overdue=True, review_overdue=False),
                relationship(2, meeting_overdue=False, review_overdue=True),
            )
        )
        assert [(r["meeting_overdue"], r["review_overdue"]) for r in rows(text)] == [
            ("true", "false"),
            ("false", "true"),
        ]

    def test_status_and_end_reason_by_their_documented_names(self) -> None:
        text = render_csv(
            report(
                relationship(1),
                relationship(
                    2,
                    status=RelationshipStatus.ENDED,
                    end_reason=EndReason.COMPLETED_EARLY,
                    ended_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
                ),
                relationship(3, status=RelationshipStatus.PROPOSED, formed_at=None),
            )
        )
        assert [(r["status"], r["end_reason"]) for r in rows(text)] == [
            ("active", ""),
            ("ended", "completed_early"),
            ("proposed", ""),
        ]
        ended = rows(text)[1]
        assert ended["ended_at"] == "2026-03-01T09:00:00+00:00"
        assert rows(text)[2]["formed_at"] == ""
        assert ended["period_start"] == "2026-01-01" and ended["period_end"] == "2026-12-31"


ANY_TEXT = st.text(st.characters(exclude_categories=()))
"""Any text, lone surrogates too (which the domain refuses, but a report built by hand may hold)."""
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner) | st.dictionaries(ANY_TEXT, inner),
    max_leaves=30,
)
"""JSON values as a report's converter gives them, and NaN and infinities (no figure is
one, but a report built by hand may hold one: json.dumps writes them as NaN and Infinity)."""


class TestJson:
    def test_is_utf8_text_with_names_as_written(self) -> None:
        text = render_json(report(relationship(1, mentor_id="Zoë"), name="Ærø care — first year"))
        assert '"name": "Ærø care — first year"' in text
        assert '"mentor_id": "Zoë"' in text
        assert json.loads(text)["programme"]["name"] == "Ærø care — first year"

    def test_is_written_one_field_a_line_indented_two_spaces(self) -> None:
        lines = render_json(report()).splitlines()
        assert lines[0] == "{"
        assert lines[1] == '  "format_version": 1,'
        assert '    "start": "2026-01-01",' in lines
        assert lines[-1] == "}"

    def test_is_json_dumps_indented_text_of_the_reports_values(self) -> None:
        built = report(relationship(1, mentor_id="Zoë"), relationship(2), name="Ærø")
        expected = json.dumps(report_to_dict(built), indent=2, ensure_ascii=False) + "\n"
        assert render_json(built) == expected

    @given(JSON_VALUES)
    @example({"\ud800": ["\udfff", [], {}]})
    @example([1.5, float("inf"), float("nan")])
    @example({"Zoë": [float("-inf"), "\ud800"]})
    def test_indenting_writes_json_dumps_own_text(self, value: object) -> None:
        assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)

    def test_the_converter_writes_ids_times_and_decimals_as_documented(self) -> None:
        converter = make_report_converter()
        when = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        assert converter.unstructure(UUID(int=10)) == "00000000-0000-0000-0000-00000000000a"
        assert converter.unstructure(when) == "2026-03-02T10:00:00+00:00"
        assert converter.unstructure(date(2026, 3, 2)) == "2026-03-02"
        value = converter.unstructure(Decimal("85.7"))
        assert value == 85.7 and isinstance(value, float)


class TestUnknownPreset:
    def test_is_refused_naming_the_field_the_value_and_the_known_names(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            preset("weekly-forever")
        known = (
            "asye-newly-qualified-social-worker, care-staff-six-a-year, "
            "monthly-supervision, new-worker-weekly-then-fortnightly"
        )
        assert (refused.value.field, refused.value.value) == ("preset", "weekly-forever")
        assert refused.value.expected == f"one of {known}"
        assert str(refused.value) == f"invalid preset: 'weekly-forever'; expected one of {known}"
        assert sorted(PRESETS) == known.split(", ")
