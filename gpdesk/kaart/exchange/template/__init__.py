"""The practice's spreadsheet template: one row per service, Dutch columns, read like a package.

``sheet`` reads a filled-in template (``read_template``); ``columns`` lists the columns and
matches headers, ``checks`` and ``hours`` check one cell, ``records`` turns checked rows into the
same raw records an HSDS package gives.
"""
