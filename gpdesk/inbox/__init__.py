"""The feedback inbox: letters that come in, read safely, recognised and matched."""
