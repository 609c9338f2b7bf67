"""``python -m tests.unit.dates.report [code …] [--show wrong|refused] [--count N]``: the corpus report."""

from __future__ import annotations

import argparse
import importlib

from tests.unit.dates.corpus import Grammar, Report, run

CODES = ("id", "en", "ko", "de", "ja", "zh")


def grammar(code: str) -> Grammar:
    module = importlib.import_module(f"tests.unit.dates.grammar_{code}")
    found: Grammar = module.GRAMMAR
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("codes", nargs="*", default=list(CODES))
    parser.add_argument("--show", action="append", default=[])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    for code in args.codes:
        report: Report = run(grammar(code), args.count)
        print(report.summary())
        for outcome in args.show:
            for line in report.failures(outcome, args.limit):
                print(f"  {outcome}: {line}")


if __name__ == "__main__":
    main()
