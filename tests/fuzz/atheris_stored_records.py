"""Coverage-guided fuzzing of the stored-record reader with atheris.

Run with ``nox -s fuzz -- -max_total_time=60`` (any libFuzzer flag works). A crash is
any exception other than StoredEventError, or a decoded event of the wrong type.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from stored_records import TOPICS, mapper, read

MAPPER = mapper()


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    topic = TOPICS[provider.ConsumeIntInRange(0, len(TOPICS) - 1)]
    read(MAPPER, topic, provider.ConsumeBytes(provider.remaining_bytes()))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
