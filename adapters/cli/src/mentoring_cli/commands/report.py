"""``mentoring report``: compliance reports built from the recorded events."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from cattrs import transform_error
from cattrs.errors import ClassValidationError

from mentoring_core import InvalidValue
from mentoring_core.extend import CONVERTER
from mentoring_core.projections import write_compliance_report
from mentoring_core.reports import PRESETS, preset
from mentoring_core.values import ProgrammePolicy

from .._files import STDOUT, check_target, write_output
from .._options import JsonOpt, id_option
from .._parsing import MOMENT_FORMS, enum_parser, parse_moment, parse_period_day
from .._session import Output, open_service

app = typer.Typer(help="Compliance reports built from the recorded events.", no_args_is_help=True)


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
    if given in PRESETS:
        return preset(given).policy()
    path = Path(given)
    if not path.is_file():
        raise typer.BadParameter(
            f"{given!r} is neither a preset ({', '.join(sorted(PRESETS))}) nor a file",
            param_hint="'--policy'",
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError("the file holds no JSON object")
        return CONVERTER.structure(document, ProgrammePolicy)
    except (ValueError, ClassValidationError) as error:
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
    result = Output(json_output)
    to_stdout = out == STDOUT
    if not to_stdout:
        check_target(out, "--out")  # before the read model is brought up to date
    checked = None if policy is None else report_policy(policy)
    with open_service(ctx) as service:
        try:
            text = write_compliance_report(
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
    if not to_stdout:
        write_output(out, text)
    if to_stdout and not json_output:
        typer.echo(text, nl=False)
        return
    result.emit(
        lambda: {
            "programme_id": str(programme_id),
            "format": report_format.value,
            "out": "-" if to_stdout else str(out),
            **({"report": text} if to_stdout else {}),
        },
        lambda console: console.print(f"{report_format.value.upper()} report written to {out}"),
    )
