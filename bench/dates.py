"""dates_us_per_phrase: the date reader's mean time per phrase, in microseconds, over the generated corpus.

The phrases are those of the test corpus (``tests/unit/dates``: 3,000 per language, six languages, six "now"s),
read once to warm the compiled rules and caches, then timed over five passes with ``time.perf_counter``; the mean
of the fastest pass is reported (the others are noise from the machine). The right/refused/wrong counts are
reported too: a reader that refused everything would be fast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.language.dates import read_date
from tests.unit.dates.corpus import compose, judge
from tests.unit.dates.report import CODES, grammar

PASSES = 5


@dataclass(frozen=True)
class DateCost:
    us_per_phrase: float
    phrases: int
    per_language: dict[str, float]
    outcomes: dict[str, int]

    def details(self) -> dict[str, Any]:
        return {"phrases": self.phrases, "us_per_phrase_by_language": self.per_language, "outcomes": self.outcomes}


def date_cost(count: int = 3000) -> DateCost:
    corpora = {code: (grammar(code), compose(grammar(code), count)) for code in CODES}
    outcomes: dict[str, int] = {"right": 0, "refused": 0, "wrong": 0}
    for language, phrases in corpora.values():
        for phrase in phrases:
            outcomes[judge(phrase, language).outcome] += 1  # also the warm-up pass
    per_language: dict[str, float] = {}
    total_seconds, total = 0.0, 0
    for code, (language, phrases) in corpora.items():
        best = float("inf")
        for _ in range(PASSES):
            started = time.perf_counter()
            for phrase in phrases:
                read_date(phrase.text, code, language.zone, phrase.now)
            best = min(best, time.perf_counter() - started)
        per_language[code] = round(best / len(phrases) * 1e6, 2)
        total_seconds += best
        total += len(phrases)
    return DateCost(round(total_seconds / total * 1e6, 2), total, per_language, outcomes)


if __name__ == "__main__":
    print(date_cost())
