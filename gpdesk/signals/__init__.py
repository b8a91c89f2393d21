"""Signals to the wijkteam, and the consent (toestemming) that allows them.

Nothing about a patient leaves the practice unless a valid consent covers the purpose, the
receiving organisation and every data item, or a GP recorded a legal ground for sharing without
it (``gpdesk.signals.consent``). The consent's printable text and its note for the HIS are in
``gpdesk.signals.consent_text``.
"""
