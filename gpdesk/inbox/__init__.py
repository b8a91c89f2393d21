"""The feedback inbox: letters that come back from the wijkteam, read safely, matched and filed.

``parsing`` turns untrusted bytes (an e-mail, a PDF, a text or Edifact file) into a typed result
in a separate, limited process; nothing in this package trusts what it receives.
"""
