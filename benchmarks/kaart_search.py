"""Sociale-kaart search per keystroke over 20,000 services, against SQLite FTS5.

Value: ``SearchIndex.search(prefix, limit=50)`` for every keystroke of ~20 realistic queries.
Floor: the same keystrokes as an FTS5 prefix query (``"word"* "word"*``, top 50 by bm25) on an
in-memory table with the same text (name, organization, description, themes, contacts). FTS5
only does prefix matching; the index also does compounds, synonyms and typos, and ranks.
Target: p95 and median within 3x of FTS5; the median must also stay well under 16 ms (one
frame at 60 Hz). Each round builds a fresh index, so no keystroke finds its answer already
cached from an earlier round; the two engines take turns going first.
"""

from __future__ import annotations

import sqlite3
import statistics
import time

from benchmarks.common import bench_line, median
from benchmarks.kaart_corpus import generate

SERVICES = 20_000
ROUNDS = 5
QUERIES = (
    "schuldhulp",
    "schuldhulpverlening",
    "mantelzorg ondersteuning",
    "jongerenwerk oost",
    "eenzaam",
    "taalhuis",
    "buurtcentrum de brug",
    "voedselbank",
    "opvoeding",
    "ouderenadviseur",
    "welzijn op recept",
    "huiselijk geweld",
    "wijkteam nieuwland",
    "formulierenbrigade",
    "depressie",
    "budgetcoaching groenoord",
    "verslavingszorg",
    "dagbesteding ouderen",
    "sport jeugd",
    "wmo loket",
)


def keystrokes() -> list[str]:
    """What the search box holds after each key press, for every query."""
    return [query[:end] for query in QUERIES for end in range(1, len(query) + 1)]


def _fts_expression(text: str) -> str | None:
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    return " ".join(f'"{w}"*' for w in words) or None


def _fts(records: list[dict[str, object]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE kaart USING fts5(name, organization, description, themes, contacts)"
    )
    db.executemany(
        "INSERT INTO kaart (rowid, name, organization, description, themes, contacts) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                number,
                r["name"],
                r["organization"],
                r["description"],
                " ".join(r["themes"]),  # type: ignore[arg-type]
                " ".join(r["contacts"]),  # type: ignore[arg-type]
            )
            for number, r in enumerate(records, start=1)
        ],
    )
    db.commit()
    return db


def run() -> list[str]:
    """Time every keystroke in both engines; report p95 and median per keystroke."""
    from gpdesk.kaart.search.index import SearchIndex

    records = generate(SERVICES, seed=7)
    db = _fts(records)
    sql = "SELECT rowid FROM kaart WHERE kaart MATCH ? ORDER BY bm25(kaart) LIMIT 50"

    def fts(text: str) -> None:
        expression = _fts_expression(text)
        if expression is not None:
            db.execute(sql, (expression,)).fetchall()

    # Warm up both (code paths, SQLite pages) on keystrokes of other queries.
    warm_index = SearchIndex.build(records)
    for text in ("zorg", "hulp bij schulden", "sociaal wijkteam", "koffieochtend"):
        for end in range(1, len(text) + 1):
            warm_index.search(text[:end])
            fts(text[:end])
    del warm_index

    ours: list[float] = []
    floor: list[float] = []
    sequence = keystrokes()
    for round_number in range(ROUNDS):
        index = SearchIndex.build(records)
        for number, text in enumerate(sequence):
            for engine in (0, 1) if (number + round_number) % 2 == 0 else (1, 0):
                started = time.perf_counter()
                if engine == 0:
                    index.search(text, limit=50)
                else:
                    fts(text)
                elapsed = (time.perf_counter() - started) * 1000
                (ours if engine == 0 else floor).append(elapsed)
    db.close()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20, method="inclusive")[-1]

    return [
        bench_line("kaart_search_keystroke_p95", p95(ours), p95(floor), "ms", 3),
        bench_line("kaart_search_keystroke_median", median(ours), median(floor), "ms", 3),
    ]


if __name__ == "__main__":
    print("\n".join(run()))
