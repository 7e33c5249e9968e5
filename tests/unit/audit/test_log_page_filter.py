"""The conditions of a recorder's own reads of the log, in each store's form.

The contract test (tests/contract/test_chain_recorders.py) compares the reads with
eventsourcing's on every store; this one pins the PostgreSQL form without a server, so
that mutation testing (which runs without PostgreSQL) reaches it too.
"""

from __future__ import annotations

from mentoring_core.audit.recorders import log_page_filter, versions_filter


def test_the_topics_go_as_one_array_or_as_a_parameter_each() -> None:
    assert log_page_filter(
        "%s", "notification_id", 5, 9, ["A", "B"], False, topics_as_array=True
    ) == (
        "WHERE notification_id>%s AND notification_id<=%s AND topic = ANY(%s) ",
        [5, 9, ["A", "B"]],
    )
    assert log_page_filter("?", "rowid", 5, None, ("A", "B"), True) == (
        "WHERE rowid>=? AND topic IN (?,?) ",
        [5, "A", "B"],
    )


def test_no_condition_is_no_where_clause() -> None:
    assert log_page_filter("?", "rowid", None, None, (), True) == ("", [])
    assert log_page_filter("%s", "n", None, None, (), False, topics_as_array=True) == ("", [])


def test_versions_order_and_limit() -> None:
    assert versions_filter("?", 2, 7, True, 3) == (
        "AND originator_version>? AND originator_version<=? "
        "ORDER BY originator_version DESC LIMIT ? ",
        [2, 7, 3],
    )
    assert versions_filter("%s", None, None, False, None) == (
        "ORDER BY originator_version ASC ",
        [],
    )
