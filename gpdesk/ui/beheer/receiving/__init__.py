"""Beheer → Ontvangen: where letters come from, how long they are kept, what waits in quarantine.

``tab`` lays out the parts and decides nothing; ``controller`` loads and changes them through
``gpdesk.inbox.store`` off the GUI thread, and runs the connection test
(``gpdesk.inbox.sources.imap.check_connection``) and "Nu ophalen"
(``gpdesk.inbox.fetching.fetch_one``) on a runner of its own, so a slow mail server never holds
up a click. ``source_dialogs`` edit one mailbox or drop folder; ``models`` feeds the list.
"""
