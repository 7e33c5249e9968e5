"""``mentoring match suggest``, expertise and needs on ``programme enrol``, and ``pair form
--reason`` (issue 14, item 6), through the real command on SQLite and PostgreSQL."""

from __future__ import annotations

import shlex
from decimal import Decimal
from uuid import UUID

import pytest
from cli_harness import Cli
from test_cli_whole_values import WIDTHS, _shown

from mentoring_core import MentoringService
from mentoring_core.values import Cadence, CadenceTier, Participation, ProgrammePolicy, Role
from mentoring_core.values import FocusArea as F

pytestmark = pytest.mark.sqlite_only  # the input and files are the command's: see conftest


def _programme(cli: Cli) -> str:
    """Programme Riverside: fortnightly, a minimum gap of 2 years, one mentee per mentor;
    mentors ana, cy and dee and mentees ben and fay, with their expertise and needs. Built
    through the Python API: the commands these tests are about come after."""
    policy = ProgrammePolicy(
        cadence=(CadenceTier(cadence=Cadence.fortnightly()),),
        minimum_meeting_minutes=30,
        participation=Participation.COMPULSORY,
        minimum_experience_gap_years=Decimal(2),
        review_interval_days=90,
        max_mentees_per_mentor=1,
    )
    with MentoringService(cli.store_url) as service:
        programme = service.create_programme("Riverside", "Care", actor=cli.actor).id
        service.set_policy(programme, policy, actor=cli.actor)
        for person, role, years, expertise, needs in (
            ("ana", Role.MENTOR, 12, [F.COMMUNICATION], []),
            ("cy", Role.MENTOR, 8, [F.COMMUNICATION, F.WELLBEING], []),
            ("dee", Role.MENTOR, 20, [F.WELLBEING, F.TEAMWORK], []),
            ("ben", Role.MENTEE, 1, [], [F.WELLBEING, F.COMMUNICATION]),
            ("fay", Role.MENTEE, 0, [], []),
        ):
            service.enrol(
                programme, person, role, years, expertise=expertise, development_needs=needs,
                actor=cli.actor,
            )  # fmt: skip
    return str(programme)


def test_suggestions_rank_fit_then_capacity_and_explain_each_rank(cli: Cli) -> None:
    programme = _programme(cli)
    cli.ok("pair", "form", programme, "--mentor", "dee", "--mentee", "fay")  # dee is now full
    found = cli.ok("match", "suggest", "--programme", programme, "--mentee", "ben")
    ranked = [
        (s["rank"], s["mentor_id"], s["covered_needs"], s["full"]) for s in found["suggestions"]
    ]
    assert ranked == [
        (1, "cy", ["wellbeing", "communication"], False),
        (2, "ana", ["communication"], False),
        (3, "dee", ["wellbeing"], True),
    ]
    assert found["suggestions"][2]["explanation"] == (
        "covers 1 of 2 needs (wellbeing); 19 years more experience (minimum 2); "
        "full: carries 1 of 1 mentees"
    )
    text = cli.run("match", "suggest", "--programme", programme, "--mentee", "ben")
    assert text.code == 0 and "covers 2 of 2 needs (wellbeing, communication)" in text.stdout


def test_the_pairing_records_the_rank_followed_or_overridden_with_the_reason(cli: Cli) -> None:
    programme = _programme(cli)
    overridden = cli.ok(
        "pair", "form", programme, "--mentor", "ana", "--mentee", "ben",
        "--reason", "Ben works on Ana's site",
    )["events"][0]  # fmt: skip
    assert (overridden["suggestion_rank"], overridden["suggestion_override_reason"]) == (
        3,  # after cy (both needs) and dee (one need, a larger gap than ana's)
        "Ben works on Ana's site",
    )
    followed = cli.ok("pair", "propose", programme, "--mentor", "dee", "--mentee", "fay")
    assert (followed["events"][0]["suggestion_rank"], followed["events"][0]["type"]) == (
        1,
        "PairingProposed",
    )


def test_enrolment_shows_and_refuses_focus_areas(cli: Cli) -> None:
    programme = _programme(cli)
    cli.ok(
        "programme", "enrol", programme, "--person", "gil", "--role", "mentee",
        "--experience-years", "1", "--need", "wellbeing", "--need", "communication",
    )  # fmt: skip
    cli.ok(
        "programme", "enrol", programme, "--person", "hal", "--role", "mentor",
        "--experience-years", "9", "--expertise", "teamwork", "--expertise", "wellbeing",
    )  # fmt: skip
    shown = cli.ok("programme", "show", programme)
    areas = {
        p["person_id"]: (p["development_needs"], p["expertise"]) for p in shown["participants"]
    }
    assert areas["gil"] == (["wellbeing", "communication"], [])
    assert areas["hal"] == ([], ["teamwork", "wellbeing"])
    assert areas["ben"] == areas["gil"]  # enrolled through the Python API: shown the same
    wrong = cli.run(
        "programme", "enrol", programme, "--person", "gus", "--role", "mentee",
        "--experience-years", "1", "--expertise", "wellbeing",
    )  # fmt: skip
    assert wrong.code == 2 and wrong.stdout == ""
    assert wrong.stderr == (
        "error: Invalid value for '--expertise': 'wellbeing'; expected nothing for a mentee "
        "(only a mentor has expertise).\n"
    )


def test_suggestions_for_someone_not_a_mentee_are_refused(cli: Cli) -> None:
    programme = _programme(cli)
    refused = cli.run("match", "suggest", "--programme", programme, "--mentee", "ana")
    assert refused.code == 1
    assert "'ana' is enrolled in programme 'Riverside' as mentor, not as mentee" in refused.stderr


def test_a_profile_change_is_recorded_and_ranked_on(cli: Cli) -> None:
    programme = _programme(cli)
    changed = cli.ok("programme", "profile", programme, "--person", "ben", "--need", "teamwork")
    assert changed["events"][0]["development_needs"] == ["teamwork"]
    found = cli.ok("match", "suggest", "--programme", programme, "--mentee", "ben")
    assert found["suggestions"][0]["mentor_id"] == "dee"
    refused = cli.run("programme", "profile", programme, "--person", "ben")
    assert refused.code == 2 and "--expertise (a mentor's) or --need (a mentee's)" in refused.stderr


def _hint(cli: Cli, programme: str, mentee: str) -> str:
    """The last line of the ranking, in words."""
    shown = cli.run("match", "suggest", "--programme", programme, "--mentee", mentee)
    assert shown.code == 0 and shown.stderr == "", str(shown)
    return shown.stdout.splitlines()[-1]


def test_the_hint_names_a_pairing_that_would_be_accepted(cli: Cli) -> None:
    programme = _programme(cli)
    assert _hint(cli, programme, "ben") == (
        f"Pair with the first: mentoring pair form {programme} --mentor cy --mentee ben "
        "(with another, add --reason)."
    )
    cli.ok("programme", "enrol", programme, "--person", "gil", "--role", "mentee",
           "--experience-years", "19")  # fmt: skip
    below = _hint(cli, programme, "gil")  # every lead below the minimum of 2: dee's is 1
    assert below == (
        f"Pair with the first: mentoring pair form {programme} --mentor dee --mentee gil "
        "--gap-override-reason REASON (their lead of 1 years is below the minimum of 2; "
        "with another, add --reason)."
    )
    cli.ok("pair", "form", programme, "--mentor", "dee", "--mentee", "gil",
           "--gap-override-reason", "Dee ran Gil's team")  # fmt: skip
    cli.ok("pair", "form", programme, "--mentor", "cy", "--mentee", "ben")
    cli.ok("pair", "form", programme, "--mentor", "ana", "--mentee", "fay")
    cli.ok("programme", "enrol", programme, "--person", "hal", "--role", "mentee",
           "--experience-years", "0")  # fmt: skip
    assert _hint(cli, programme, "hal") == (
        "Every mentor is full (max_mentees_per_mentor 1): end one of their relationships "
        "or raise the limit in the programme's policy before pairing hal."
    )


def test_a_mentee_with_the_most_mentors_allowed_gets_no_suggestions(cli: Cli) -> None:
    programme = _programme(cli)
    formed = cli.ok("pair", "form", programme, "--mentor", "ana", "--mentee", "ben")
    refused = cli.run("match", "suggest", "--programme", programme, "--mentee", "ben")
    assert (refused.code, refused.stdout) == (1, "")
    assert (
        f"mentee 'ben' already has 1 open relationship(s) ({formed['id']}), the "
        "most programme 'Riverside' allows (1 mentors at once); end one or raise "
        "max_active_mentors_per_mentee in the programme's policy"
    ) in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_experience_gap_is_shown_in_plain_notation_as_years_are(cli: Cli) -> None:
    """6.5 - 0.5 years was shown as 6.0 (docs/cli.md shows 6), 0.5 - 0.25 as 0.25."""
    programme = _programme(cli)
    for person, role, years in (("farid", "mentor", "6.5"), ("gus", "mentor", "10.50"),
                                ("grace", "mentee", "0.5")):  # fmt: skip
        cli.ok("programme", "enrol", programme, "--person", person, "--role", role,
               "--experience-years", years)  # fmt: skip
    found = cli.ok("match", "suggest", "--programme", programme, "--mentee", "grace")
    gaps = {s["mentor_id"]: s["experience_gap_years"] for s in found["suggestions"]}
    assert gaps == {"ana": "11.5", "cy": "7.5", "dee": "19.5", "farid": "6", "gus": "10"}
    farid = next(s for s in found["suggestions"] if s["mentor_id"] == "farid")
    assert "; 6 years more experience (minimum 2);" in farid["explanation"]
    text = cli.run("match", "suggest", "--programme", programme, "--mentee", "grace")
    assert "6.0" not in text.stdout and "10.00" not in text.stdout, str(text)


def test_the_hint_is_a_command_a_shell_runs_as_shown(cli: Cli) -> None:
    """The person ids were printed bare: pasted into a shell, ``--mentor ana smith`` gave
    ``smith`` as an argument of its own, and a ``$(...)`` in an id was run."""
    programme = _programme(cli)
    with MentoringService(cli.store_url) as service:  # ids with spaces: enrol warns
        service.enrol(UUID(programme), "ana $(touch run) smith", Role.MENTOR, 30,
                      expertise=[F.WELLBEING], actor=cli.actor)  # fmt: skip
        service.enrol(UUID(programme), "o'brien x", Role.MENTEE, 0,
                      development_needs=[F.WELLBEING], actor=cli.actor)  # fmt: skip
    hint = _hint(cli, programme, "o'brien x")
    command = hint.removeprefix("Pair with the first: ").removesuffix(
        " (with another, add --reason)."
    )
    words = shlex.split(command)
    assert words[:4] == ["mentoring", "pair", "form", programme], hint
    formed = cli.ok(*words[1:])
    events = formed["events"]
    assert (events[0]["mentor_id"], events[0]["mentee_id"]) == (
        "ana $(touch run) smith",
        "o'brien x",
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_ranking_shows_whole_mentor_ids(cli: Cli, width: str) -> None:
    """A mentor id of 40 characters was cut to 31 and ``…`` (piped too, its row wrapped
    over lines), so the id to give ``pair form --mentor`` could not be read off the table;
    ``漢字漢字漢字`` on 80 columns was cut to ``漢字漢 …``."""
    programme = _programme(cli)
    long_id, wide_id = "mentor-0123456789-abcdefghij-0123456789", "漢字漢字漢字漢字漢字"
    for person in (long_id, wide_id):
        cli.ok("programme", "enrol", programme, "--person", person, "--role", "mentor",
               "--experience-years", "30", "--expertise", "wellbeing")  # fmt: skip
    shown = _shown(cli, width, "match", "suggest", "--programme", programme, "--mentee", "ben")
    assert "…" not in shown
    words = shown.replace("│", " ").split()
    for suggestion in cli.ok("match", "suggest", "--programme", programme, "--mentee", "ben")[
        "suggestions"
    ]:
        assert suggestion["mentor_id"] in words, shown
    if width.startswith("piped"):  # one line a mentor: grep finds their rank and figures
        (line,) = [line for line in shown.splitlines() if f" {long_id} " in line]
        assert " 1/2 " in line and " 29 " in line, shown
