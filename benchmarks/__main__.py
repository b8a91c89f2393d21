"""``make bench``: run every benchmark and print one BENCH line per figure."""

from __future__ import annotations

import sys

from benchmarks import (
    bundle,
    check,
    handover,
    inbox,
    kaart_import,
    kaart_search,
    security,
    sign_in_names,
    signals,
    startup,
)


def main() -> int:
    """Run them in turn; a failing benchmark is reported and the others still run."""
    failed = False
    for bench in (
        startup, bundle, handover, security, sign_in_names, kaart_search, kaart_import, check,
        signals, inbox,
    ):  # fmt: skip
        try:
            for line in bench.run():
                print(line, flush=True)
        except Exception as exc:
            print(f"BENCH-FAILED {bench.__name__}: {type(exc).__name__}: {exc}", flush=True)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
