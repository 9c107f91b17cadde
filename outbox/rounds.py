"""Work the worker repeats every few seconds, not at a time of day (outbox.jobs): e.g. the waiting list's
offers expiring. Registered with ``@every(name, seconds)``; each round runs its own transactions and returns a
short summary. No imports of the app here: any package may register a round without an import cycle.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Round:
    name: str
    seconds: float
    work: Callable  # work(now) -> a short summary


ROUNDS: dict[str, Round] = {}


def every(name: str, seconds: float):
    def register(work):
        ROUNDS[name] = Round(name, seconds, work)
        return work
    return register
