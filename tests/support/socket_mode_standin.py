"""A local stand-in for Slack's Socket Mode WebSocket endpoint (RFC 6455, text frames, ping/pong).

`SlackStandIn.socket_mode_url` points `apps.connections.open` here. The app connects, gets Slack's
`hello`, and then `send()` delivers envelopes (events_api, slash_commands, interactive) the way
Slack does; the app's acknowledgements (with their optional payload) are kept in `acks`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import uuid
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class SocketModeStandIn:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._connection: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._changed = threading.Condition()
        self.acks: dict[str, dict[str, Any]] = {}
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=test"

    def start(self) -> SocketModeStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._listener.close()
        if self._connection is not None:
            self._connection.close()

    def wait_connected(self, timeout: float = 60) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._connection is not None, timeout):
                raise AssertionError("the app did not open a Socket Mode connection")

    def send(
        self, envelope_type: str, payload: dict[str, Any], retry_attempt: int = 0, retry_reason: str = ""
    ) -> str:
        """Deliver one envelope (`retry_attempt` 0: a first delivery); returns its id (see `wait_ack`)."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self._send_frame(TEXT, json.dumps(envelope).encode())
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 20) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged")
            return self.acks[envelope_id]

    def _serve(self) -> None:
        try:
            connection, _ = self._listener.accept()
        except OSError:
            return  # stopped before the app connected
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
        key = next(value for name, value in headers.items() if name.lower() == "sec-websocket-key")
        accept = base64.b64encode(hashlib.sha1((key.strip() + _GUID).encode()).digest()).decode()
        connection.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        with self._changed:
            self._connection = connection
            self._changed.notify_all()
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        self._send_frame(TEXT, json.dumps(hello).encode())
        self._read_frames(connection)

    def _read_frames(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        while True:
            head = reader.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", reader.read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", reader.read(8))
            mask = reader.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(reader.read(length)))
            if opcode == PING:
                self._send_frame(PONG, data)
            elif opcode == CLOSE:
                return
            elif opcode == TEXT:
                message = json.loads(data)
                with self._changed:
                    self.acks[message["envelope_id"]] = message
                    self._changed.notify_all()

    def _send_frame(self, opcode: int, data: bytes) -> None:
        if len(data) < 126:
            header = bytes([0x80 | opcode, len(data)])
        elif len(data) < 65536:
            header = bytes([0x80 | opcode, 126]) + struct.pack("!H", len(data))
        else:
            header = bytes([0x80 | opcode, 127]) + struct.pack("!Q", len(data))
        with self._send_lock:
            assert self._connection is not None
            self._connection.sendall(header + data)
