"""The feedback inbox: letters from the wijkteam received, recognised, matched, filed, forgotten."""
