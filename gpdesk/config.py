"""Where gpdesk keeps its files and which database it uses.

Resolution order, highest first: command-line option, environment variable, settings file, default.
The settings file (``settings.json`` in the home directory) holds plain preferences only; secrets
such as passwords never go there.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from gpdesk import APP_NAME
from gpdesk.errors import HomeDirError

ENV_HOME = "GPDESK_HOME"
ENV_DATABASE_URL = "GPDESK_DATABASE_URL"
SETTINGS_FILE = "settings.json"
BACKUP_SUFFIX = ".gpbak"
"""The file type Beheer offers for a back-up."""


@dataclass(frozen=True)
class Settings:
    """Every setting with its default, declared in one place; keys match ``settings.json``."""

    database_url: str | None = None
    """SQLAlchemy URL; empty means the SQLite file in the home directory."""
    log_level: str = "INFO"
    """Level for the log file; logs never contain patient data at any level."""
    idle_lock_minutes: int = 5
    """Lock the window after this many minutes without keyboard or mouse (1–30)."""

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Settings:
        """Build settings from parsed JSON, rejecting unknown keys and wrong types plainly."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                raise HomeDirError(
                    f"Onbekende instelling '{key}' in {SETTINGS_FILE}.",
                    hint="Verwijder die regel of controleer de spelling.",
                )
            wanted = known[key].type
            if wanted in ("int", int):
                if not isinstance(value, int) or isinstance(value, bool):
                    raise HomeDirError(
                        f"De instelling '{key}' in {SETTINGS_FILE} moet een getal zijn.",
                        hint="Schrijf het getal zonder aanhalingstekens.",
                    )
            elif value is not None and not isinstance(value, str):
                raise HomeDirError(
                    f"De instelling '{key}' in {SETTINGS_FILE} moet tekst zijn.",
                    hint="Zet de waarde tussen aanhalingstekens.",
                )
            values[key] = value
        settings = cls(**values)
        if not 1 <= settings.idle_lock_minutes <= 30:
            raise HomeDirError(
                f"De instelling 'idle_lock_minutes' in {SETTINGS_FILE} moet tussen 1 en 30 liggen.",
                hint="Kies bijvoorbeeld 5.",
            )
        return settings


@dataclass(frozen=True)
class Home:
    """The per-practice-installation directory and the files gpdesk keeps in it."""

    path: Path

    @property
    def database_file(self) -> Path:
        """Default SQLite database."""
        return self.path / "gpdesk.sqlite3"

    @property
    def settings_file(self) -> Path:
        """User-editable settings (JSON)."""
        return self.path / SETTINGS_FILE

    @property
    def window_state_file(self) -> Path:
        """Window geometry and other screen state (Qt ini file, no patient data)."""
        return self.path / "window.ini"

    @property
    def log_dir(self) -> Path:
        """Log files: technical events only, never patient data."""
        return self.path / "logs"

    @property
    def crash_dir(self) -> Path:
        """Crash logs: stack traces without local variables or patient data."""
        return self.path / "crashes"

    def practice_traces(self) -> list[Path]:
        """Files showing a practice was used from this home: with no database, it is lost.

        Counted: the window state (written at every sign-in in the window), back-ups kept here
        and rotated logs (long use). Not counted, so that a home that never had a practice is
        not called lost: the current log and the crash folder (every start of the window writes
        them, also one that stops at the first-run window) and the settings file (a beheerder
        writes it before the first set-up, to choose the PostgreSQL database).
        """
        traces = [self.window_state_file] if self.window_state_file.is_file() else []
        traces += sorted(self.path.glob(f"*{BACKUP_SUFFIX}"))
        traces += sorted(self.log_dir.glob("gpdesk.log.*"))
        return traces

    def load_settings(self) -> Settings:
        """Read ``settings.json``; a missing file means all defaults."""
        try:
            text = self.settings_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        except OSError:
            raise HomeDirError(
                "Het instellingenbestand kan niet worden gelezen.",
                hint=f"Controleer de rechten van {self.settings_file}.",
            ) from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise HomeDirError(
                f"Het instellingenbestand is geen geldige JSON (regel {exc.lineno}).",
                hint=f"Herstel of verwijder {self.settings_file}.",
            ) from None
        if not isinstance(raw, dict):
            raise HomeDirError(
                "Het instellingenbestand moet een JSON-object zijn.",
                hint=f"Herstel of verwijder {self.settings_file}.",
            )
        return Settings.from_mapping(raw)

    def check(self) -> Home:
        """Like ensure(), for a command on an existing practice: a missing folder stays missing.

        Such a command then says there is no practice there, rather than leaving an empty
        folder behind after a typo in --home.
        """
        if self.path.is_dir():
            return self.ensure()  # proves it is writable, leaving nothing behind
        for place in (self.path, *self.path.parents):
            if place.exists():
                if not place.is_dir():
                    raise HomeDirError(
                        "De opgegeven gpdesk-map is geen map.",
                        hint=f"Kies een andere map met --home; {place} is een bestand.",
                    )
                break
        return self

    def ensure(self) -> Home:
        """Create the directory if needed and prove it is writable, before anything relies on it."""
        if self.path.exists() and not self.path.is_dir():
            raise HomeDirError(
                "De opgegeven gpdesk-map is geen map.",
                hint=f"Kies een andere map met --home; {self.path} is een bestand.",
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise HomeDirError(
                "De gpdesk-map kan niet worden aangemaakt.",
                hint=f"Kies een andere map met --home of controleer de rechten van {self.path}.",
            ) from None
        try:
            with tempfile.TemporaryFile(dir=self.path):
                pass
        except OSError:
            raise HomeDirError(
                "In de gpdesk-map kan niet worden geschreven.",
                hint=f"Controleer de rechten of de vrije schijfruimte van {self.path}.",
            ) from None
        return self


def resolve_home(cli_home: str | None = None, environ: Mapping[str, str] | None = None) -> Home:
    """Pick the home directory: ``--home``, then ``GPDESK_HOME``, then the platform data dir."""
    env = os.environ if environ is None else environ
    chosen = cli_home or env.get(ENV_HOME)
    if chosen:
        return Home(Path(chosen).expanduser().resolve())
    from platformdirs import user_data_dir

    return Home(Path(user_data_dir(APP_NAME, appauthor=False)))


def resolve_database_url(
    home: Home,
    cli_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> str:
    """Pick the database: ``--database-url``, ``GPDESK_DATABASE_URL``, settings, SQLite in home."""
    env = os.environ if environ is None else environ
    if cli_url:
        return cli_url
    if env.get(ENV_DATABASE_URL):
        return env[ENV_DATABASE_URL]
    chosen = settings if settings is not None else home.load_settings()
    if chosen.database_url:
        return chosen.database_url
    return f"sqlite:///{home.database_file}"


def redact_url(url: str) -> str:
    """A database URL without its password, safe for logs and messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
