"""``python -m gpdesk`` is the same as the ``gpdesk`` command."""

from gpdesk.cli import main

raise SystemExit(main())
