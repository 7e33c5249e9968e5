"""``mentoring report``: compliance reports built from the recorded events."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from cattrs import transform_error
from cattrs.errors import ClassValidationError

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.extend import CONVERTER, read_json
from mentoring_core.projections import write_compliance_report, write_mentor_time_report
from mentoring_core.reports import PRESETS, preset
from mentoring_core.values import ProgrammePolicy

from .._files import STDOUT, Kept, check_source, check_target, write_output
from .._options import JsonOpt, id_option
from .._parsing import MOMENT_FORMS, enum_parser, named, parse_moment, parse_period_day
from .._session import Output, kept_files, open_service

app = typer.Typer(no_args_is_help=True)


class ReportFormat(enum.StrEnum):
    HTML = "html"
    CSV = "csv"
    JSON = "json"


DATE_HELP = "An ISO 8601 day (UTC), e.g. 2026-03-01."


_OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", metavar="PATH", help="Where to write the report; - (the default) for stdout."
    ),
]
_PolicyOpt = Annotated[
    str | None,
    typer.Option(
        "--policy",
        metavar="PRESET|FILE",
        help="Check this policy instead of the recorded ones: a preset's name "
        f"({', '.join(sorted(PRESETS))}) or a JSON file holding a policy (the 'policy' of "
        "'programme show --json').",
    ),
]


def report_policy(given: str) -> ProgrammePolicy:
    """The policy ``--policy`` names: a preset, else a JSON file of a policy."""
    name = named(PRESETS, given)
    if name is not None:
        return preset(name).policy()
    path = Path(given)
    if not path.is_file():
        raise typer.BadParameter(
            f"{given!r} is neither a preset ({', '.join(sorted(PRESETS))}) nor a file",
            param_hint="'--policy'",
        )
    check_source(path, "--policy")  # a policy is a few kilobytes: no file is read whole
    try:
        document = read_json(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError("the file holds no JSON object")
        return CONVERTER.structure(document, ProgrammePolicy)
    except (ValueError, ClassValidationError, RecursionError) as error:  # nested too deeply
        why = (
            "; ".join(transform_error(error))
            if isinstance(error, ClassValidationError)
            else str(error)
        )
        raise typer.BadParameter(
            f"{given} does not hold a policy as 'programme show --json' prints it: {why}",
            param_hint="'--policy'",
        ) from None


_FormatOpt = Annotated[
    ReportFormat,
    typer.Option(
        "--format",
        parser=enum_parser(ReportFormat),
        metavar="html|csv|json",
        help="The report's format.",
    ),
]
_FromOpt = Annotated[
    date | None,
    typer.Option("--from", parser=parse_period_day, metavar="DATE", help="First day. " + DATE_HELP),
]
_ToOpt = Annotated[
    date | None,
    typer.Option("--to", parser=parse_period_day, metavar="DATE", help="Last day. " + DATE_HELP),
]
_AsOfOpt = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        parser=parse_moment,
        metavar="WHEN",
        help="Produce the report exactly as it would have been at this moment (only events "
        f"recorded by then count): {MOMENT_FORMS}.",
    ),
]


@app.command("compliance")
def compliance(
    ctx: typer.Context,
    programme_id: Annotated[UUID, id_option("--programme", "PROGRAMME_ID", "The programme.")],
    out: _OutOpt = STDOUT,
    report_format: _FormatOpt = ReportFormat.HTML,
    policy: _PolicyOpt = None,
    start: _FromOpt = None,
    end: _ToOpt = None,
    as_of: _AsOfOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Meeting adherence, gaps, overdue meetings and reviews, goals and retention of a programme.

    The read model catches up with the store first; with --as-of the report is
    computed from the events recorded by that moment, so a past report can be
    reproduced exactly.
    """
    checked = None if policy is None else report_policy(policy)
    if start is not None and end is not None and end < start:  # refused before the read
        # model is brought up to date, so that the store is left as it was
        raise InvalidValue("period", (start, end), "a start on or before the end")

    def produce(service: MentoringService) -> str:
        try:
            return write_compliance_report(
                service,
                programme_id,
                format=report_format.value,
                start=start,
                end=end,
                as_of=as_of,
                policy=checked,
            )
        except InvalidValue as error:
            if not error.field.startswith("policy"):
                raise
            raise typer.BadParameter(f"{policy}: {error}", param_hint="'--policy'") from None

    policy_file = None if policy is None or named(PRESETS, policy) else Path(policy)
    _deliver(ctx, programme_id, out, report_format.value, json_output, produce, policy_file)


def _deliver(
    ctx: typer.Context,
    programme_id: UUID,
    out: Path,
    report_format: str,
    json_output: bool,
    produce: Callable[[MentoringService], str],
    policy_file: Path | None = None,
    what: str = "report",
) -> None:
    """Produce a report with the store open, write it to ``out`` (``-``: stdout) and say so;
    ``out`` may not be a file the command reads (its store's, its keys', ``policy_file``)."""
    result = Output(json_output)
    to_stdout = out == STDOUT
    keep = kept_files(ctx)
    if policy_file is not None:
        keep += (Kept(policy_file, "the policy file (--policy)"),)
    if not to_stdout:
        check_target(out, "--out", keep=keep)  # before the read model is brought up to date
    with open_service(ctx) as service:
        text = produce(service)
    if not to_stdout:
        write_output(out, text, keep=keep)
    if to_stdout and not json_output:
        typer.echo(text, nl=False)
        return
    result.emit(
        lambda: {
            "programme_id": str(programme_id),
            "format": report_format,
            "out": "-" if to_stdout else str(out),
            **({"report": text} if to_stdout else {}),
        },
        lambda console: console.print(
            f"{report_format.upper()} {what} written to {out}", markup=False
        ),
    )


class TimeFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


@app.command("mentor-time")
def mentor_time(
    ctx: typer.Context,
    programme_id: Annotated[UUID, id_option("--programme", "PROGRAMME_ID", "The programme.")],
    start: Annotated[
        date,
        typer.Option(
            "--from", parser=parse_period_day, metavar="DATE", help="First day. " + DATE_HELP
        ),
    ],
    end: Annotated[
        date,
        typer.Option(
            "--to", parser=parse_period_day, metavar="DATE", help="Last day. " + DATE_HELP
        ),
    ],
    out: _OutOpt = STDOUT,
    report_format: Annotated[
        TimeFormat,
        typer.Option(
            "--format",
            parser=enum_parser(TimeFormat),
            metavar="csv|json",
            help="csv: one row per mentor, for a payroll or HR system; json: everything.",
        ),
    ] = TimeFormat.CSV,
    json_output: JsonOpt = False,
) -> None:
    """Mentors' hours (group sessions counted once), working hours, mentees carried against
    capacity, and recognition, for a period."""
    _deliver(
        ctx,
        programme_id,
        out,
        report_format.value,
        json_output,
        lambda service: write_mentor_time_report(
            service, programme_id, start=start, end=end, format=report_format.value
        ),
        what="mentor-time report",
    )
