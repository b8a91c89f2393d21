"""Secure transport of a prepared message: SMTP over TLS, S/MIME, and the export folder.

No Qt here: the outbox worker and the command line send without a window. Every network step
has a timeout and every failure is a :class:`gpdesk.errors.TransportError` that says in Dutch
what happened, what to do, and whether trying again later makes sense.
"""
