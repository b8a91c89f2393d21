"""gpdesk: signals to the wijkteam, the sociale kaart and feedback letters, for the practice."""

__version__ = "0.1.0"
APP_NAME = "gpdesk"
