"""How much of an untrusted package gpdesk reads at most.

One place for the limits so the reader, the record parsers and the preview agree; the reader
checks them before anything is read (see ``read``).
"""

from __future__ import annotations

from typing import Final

MAX_FILE_BYTES: Final = 200 * 1024 * 1024
"""Largest single file (or zip member, uncompressed) that is read; a real kaart is far smaller."""
MAX_TOTAL_BYTES: Final = 1024 * 1024 * 1024
"""Largest package as a whole, uncompressed."""
MAX_SERVICES: Final = 50_000
"""More services than any municipality has: a package above this is refused, not half-read."""
MAX_ROWS_PER_FILE: Final = 2_000_000
MAX_ZIP_RATIO: Final = 100
"""Uncompressed size / compressed size above which a zip member counts as a zip bomb."""
MAX_ZIP_MEMBERS: Final = 1_000
