"""Beheer → Verzenden: the letterhead, the practice's mail server and each team's delivery.

``tab`` lays out the three parts and decides nothing; ``controller`` loads and saves them through
``gpdesk.practice.letterhead`` and ``gpdesk.transport.config`` off the GUI thread and runs the
connection test (``gpdesk.transport.smtp.check_connection``) on a runner of its own, so a slow
mail server never holds up a click. ``team_dialog`` edits one team's delivery; ``models`` feeds
the team list.
"""
