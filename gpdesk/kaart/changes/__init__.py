"""What changed on the kaart: the "Wat is er veranderd" digest over the change log.

``digest`` is the face (``recent_changes``, ``stale_counts``); ``groups`` groups the log rows per
item, ``world`` loads the current names, owners and hours, ``phrasing`` words the lines and
``lines`` holds the plain results the screen reads.
"""
