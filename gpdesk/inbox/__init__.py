"""The feedback inbox: letters that come in from the teams, from source to filing."""
