"""Assets shipped with gpdesk (installed as ``gpdesk.resources``): icons, style, demo data."""
