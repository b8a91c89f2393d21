"""The one TLS client context gpdesk uses for every mail server: sending (SMTP) and fetching (IMAP).

Certificate and host name verification are always on, TLS 1.2 or newer, the system's CAs plus
the practice's own CA file (a secure-mail gateway with a private CA). NTA 7516 asks for
exactly this; keeping it in one place keeps sending and fetching equally strict.
"""

from __future__ import annotations

import ssl
from pathlib import Path


def verified_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A client context that verifies; raises OSError or ssl.SSLError for an unreadable CA file.

    Each caller says that failure in its own words (sending and fetching have their own errors).
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    # create_default_context sets both already; said again so no later edit can loosen them.
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context
