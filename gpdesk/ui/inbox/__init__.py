"""The Terugkoppeling area: the inbox list, the reading pane and their controller."""
