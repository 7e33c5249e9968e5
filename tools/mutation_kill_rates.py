"""Kill rates per module from a mutmut run (``nox -s mutants`` prints them).

Reads the verdicts mutmut keeps next to each mutated file (``mutants/**/*.py.meta``)
and the equivalent mutants listed in ``docs/testing.md`` (a mutant named in backticks
in that page's "Equivalent mutants" table). A mutant counts as:

- *killed* when a test failed, timed out or the type checker refused it;
- *equivalent* when the page lists it (it changes no behaviour): left out of the rate;
- *survived* otherwise, including a mutant that no test reaches ("no tests");
- *unchecked* when mutmut has not run it yet: left out of the rate, but a module with
  any is marked partial (``*``) and a module with none checked is listed as not run, so
  a partial run is never mistaken for a whole one.

Usage: ``python tools/mutation_kill_rates.py [--min PCT] [--survivors]``. With
``--min`` it exits with 1 when a wholly checked module's rate is below ``PCT``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
TESTING_PAGE = ROOT / "docs" / "testing.md"

KILLED = {1, 3, 24, -24, 36, 37, 152, 255}
"""mutmut's exit codes for a failed test run, a timeout or a type-check refusal."""
SURVIVED = {0, 5, 33}
"""A test run that passed, or found no test that reaches the mutant."""
_MUTANT_NAME = re.compile(r"`(mentoring_core\.[\w.]+__mutmut_\d+)`")


def equivalent_mutants(page: Path = TESTING_PAGE) -> set[str]:
    """Mutant names listed as equivalent in the page's "Equivalent mutants" section."""
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    section = text.split("## Equivalent mutants", 1)[-1].split("\n## ", 1)[0] if text else ""
    return set(_MUTANT_NAME.findall(section))


def verdicts(mutants: Path = MUTANTS) -> dict[str, int | None]:
    """Every mutant's exit code (None when not checked yet), by mutant name."""
    found: dict[str, int | None] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        found.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return found


def module_of(mutant: str) -> str:
    """``mentoring_core.audit.chain.x_encode__mutmut_3`` -> ``mentoring_core.audit.chain``."""
    return mutant.split("__mutmut_")[0].rsplit(".", 1)[0]


def tally(found: dict[str, int | None], equivalent: set[str]) -> dict[str, Counter[str]]:
    """Per module: how many mutants were killed, survived, equivalent, unchecked."""
    counts: dict[str, Counter[str]] = {}
    for name, code in found.items():
        counter = counts.setdefault(module_of(name), Counter())
        if name in equivalent:
            counter["equivalent"] += 1
        elif code is None:
            counter["unchecked"] += 1
        elif code in KILLED:
            counter["killed"] += 1
        else:
            counter["survived"] += 1
    return counts


def rate(counter: Counter[str]) -> float | None:
    """Killed ÷ (killed + survived), in per cent, over the mutants checked; None if none was."""
    judged = counter["killed"] + counter["survived"]
    return 100 * counter["killed"] / judged if judged else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, help="exit with 1 below this kill rate (%%)")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    args = parser.parse_args(argv)
    found = verdicts(MUTANTS)
    if not found:
        print("no mutmut results under mutants/: run `nox -s mutants` first")
        return 1
    equivalent = equivalent_mutants(TESTING_PAGE)
    stale = sorted(equivalent - found.keys())
    counts = tally(found, equivalent)
    print(
        f"{'module':<44} {'killed':>7} {'survived':>9} {'equiv.':>7} {'unchecked':>10} {'rate':>7}"
    )
    below, partial, not_run = [], [], []
    for module in sorted(counts):
        counter = counts[module]
        pct = rate(counter)
        if pct is None:
            not_run.append(module)
            continue
        shown = f"{pct:.1f}%" + ("*" if counter["unchecked"] else "")
        print(
            f"{module:<44} {counter['killed']:>7} {counter['survived']:>9} "
            f"{counter['equivalent']:>7} {counter['unchecked']:>10} {shown:>7}"
        )
        if counter["unchecked"]:
            partial.append(module)
        elif args.min is not None and pct < args.min:
            below.append(module)
    total = sum(counts.values(), Counter())
    overall = rate(total)
    shown = "-" if overall is None else f"{overall:.1f}%" + ("*" if total["unchecked"] else "")
    print(
        f"{'all':<44} {total['killed']:>7} {total['survived']:>9} "
        f"{total['equivalent']:>7} {total['unchecked']:>10} {shown:>7}"
    )
    if partial:
        print(f"* partial: {len(partial)} module(s) have mutants not checked yet")
    if not_run:
        print(f"{len(not_run)} module(s) not run yet: {', '.join(not_run)}")
    if args.survivors:
        for name, code in sorted(found.items()):
            if name not in equivalent and code in SURVIVED:
                print("survived:", name)
    if stale:
        print(f"{len(stale)} mutants listed as equivalent no longer exist: {', '.join(stale)}")
    if below:
        print(f"below {args.min}%: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
