"""``python -m gpdesk`` is the same as the ``gpdesk`` command; also the bundle's entry point.

In a PyInstaller bundle ``sys.executable`` is gpdesk itself, so the inbox's parsing child is
started as ``gpdesk --inbox-parser-child``: that is answered here, before the command line's
modules load, so the child stays small under its memory limit.
"""

import sys


def _run() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--inbox-parser-child":
        from gpdesk.inbox.parsing.child import main as child_main

        return child_main(sys.argv[2:])
    from gpdesk.cli import main

    return main()


raise SystemExit(_run())
