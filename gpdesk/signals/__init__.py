"""Signals to the wijkteam, and the consent (toestemming) that allows them.

Nothing about a patient leaves the practice unless a valid consent covers the purpose, the
receiving organisation and every data item, or a GP recorded a legal ground for sharing without
it (``gpdesk.signals.consent``). The consent's printable text and its note for the HIS are in
``gpdesk.signals.consent_text``.

What leaves with a signal is built once, as an ``OutgoingSignal`` (``outgoing.build``: only the
ticked data, never the BSN or the privénotitie), and written from that one object as the letter
and the patient's handout (``letter``), the e-mail (``mail``, with the one-click answers of
``replies``) and ``signaal.json`` (``fhir``); ``preview`` shows the user exactly that. None of
these touch a database, a screen or the network.
"""
