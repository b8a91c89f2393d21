"""Single instance: a second ``gpdesk`` start hands its patient context to the running window.

The running program listens on a local socket (a Unix socket or Windows named pipe, readable only
by the same OS user) named after the home directory, so two practices on one machine do not mix.
Messages are one JSON line each way. This module uses QtCore/QtNetwork only, so the sending side
starts fast and never loads widgets.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from gpdesk.config import Home
from gpdesk.errors import ValidationError
from gpdesk.patients.context import PatientContext

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 16 * 1024
CONNECT_TIMEOUT_MS = 500
REPLY_TIMEOUT_MS = 5000


def server_name(home: Home) -> str:
    """Socket name per OS user and home directory."""
    digest = hashlib.sha256(f"{getpass.getuser()}\x00{home.path}".encode()).hexdigest()[:20]
    return f"gpdesk-{digest}"


class HandoverError(Exception):
    """The running gpdesk answered but refused the message (reason is Dutch, patient-free)."""


def send_to_running(home: Home, message: dict[str, Any]) -> bool:
    """Deliver ``message`` to a running gpdesk; False when none is running.

    Raises HandoverError when the running program rejects the message.
    """
    sock = QLocalSocket()
    sock.connectToServer(server_name(home))
    if not sock.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    payload = json.dumps({"v": PROTOCOL_VERSION, **message}).encode() + b"\n"
    sock.write(payload)
    sock.waitForBytesWritten(REPLY_TIMEOUT_MS)
    reply = b""
    while not reply.endswith(b"\n") and sock.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    try:
        answer = json.loads(reply or b"{}")
    except json.JSONDecodeError:
        answer = {}
    if not answer.get("ok"):
        raise HandoverError(
            str(answer.get("error") or "Het geopende gpdesk-venster reageert niet.")
        )
    return True


def send_patient(home: Home, ctx: PatientContext) -> bool:
    """Hand a patient context to the running window; False when gpdesk is not running."""
    return send_to_running(home, {"action": "patient", "fields": ctx.to_dict()})


def send_activate(home: Home) -> bool:
    """Bring the running window forward; False when gpdesk is not running."""
    return send_to_running(home, {"action": "activate"})


class HandoverServer(QObject):
    """Listens for hand-overs in the running program and emits them on the GUI thread."""

    patient_received = Signal(object)
    activate_requested = Signal()

    def __init__(self, home: Home, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = server_name(home)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; False when another live instance already owns the name.

        Probe first: with access options set, Qt creates the socket elsewhere and renames it
        into place, which would silently take the name from a running instance.
        """
        probe = QLocalSocket()
        probe.connectToServer(self._name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.abort()
            return False
        # Nobody answers: whatever is left is a stale socket from a crashed instance.
        QLocalServer.removeServer(self._name)
        return self._server.listen(self._name)

    def close(self) -> None:
        """Stop listening (on quit)."""
        self._server.close()

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready(s))
            sock.disconnected.connect(lambda s=sock: self._buffers.pop(s, None))
            sock.disconnected.connect(sock.deleteLater)

    def _on_ready(self, sock: QLocalSocket) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if len(data) > MAX_MESSAGE_BYTES:
            self._reply(sock, ok=False, error="Het bericht is te groot.")
            return
        if not data.endswith(b"\n"):
            self._buffers[sock] = data
            return
        self._buffers[sock] = b""
        self._reply(sock, **self._handle(data))

    def _handle(self, data: bytes) -> dict[str, Any]:
        try:
            message = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {"ok": False, "error": "Onleesbaar bericht."}
        if not isinstance(message, dict) or message.get("v") != PROTOCOL_VERSION:
            return {"ok": False, "error": "Onbekende versie van het bericht; start gpdesk opnieuw."}
        action = message.get("action")
        if action == "activate":
            self.activate_requested.emit()
            return {"ok": True}
        if action == "patient":
            fields = message.get("fields")
            if not isinstance(fields, dict) or not all(
                isinstance(v, str) or v is None for v in fields.values()
            ):
                return {"ok": False, "error": "Onvolledige patiëntgegevens."}
            try:
                ctx = PatientContext.from_fields(fields)
            except ValidationError as exc:
                return {"ok": False, "error": exc.message}
            log.info("patient context received from a second instance")
            self.patient_received.emit(ctx)
            self.activate_requested.emit()
            return {"ok": True}
        return {"ok": False, "error": "Onbekende opdracht."}

    def _reply(self, sock: QLocalSocket, **answer: Any) -> None:
        sock.write(json.dumps(answer).encode() + b"\n")
        sock.flush()
