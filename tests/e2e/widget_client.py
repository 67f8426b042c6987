"""A light client of a Voila page: what a browser does to the widgets, over the kernel's websocket.

It GETs the page (Voila runs the notebook in a new kernel), reads the kernel's id from the page,
connects to ``/api/kernels/<id>/channels`` as the page's JavaScript does, asks the widget manager
for every widget's state (``jupyter.widget.control`` / ``request_states``), then clicks buttons and
sets values with the messages ipywidgets' frontend sends (``custom``/``click``, ``update``). It
waits for the kernel's widget updates the way a learner waits for the page to change.

Used by the load test to stand in for most of the 30 team pages (a real browser per page would not
fit on a 2-core machine); a few real browsers drive the same pages alongside.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
import uuid
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

__all__ = ["WidgetPage"]

#: The widget control protocol spoken (ipywidgets 8's).
CONTROL_VERSION = "1.0.0"
#: Pages opened at once (tornado's client queues requests beyond its default of 10, and times them out).
AsyncHTTPClient.configure(None, max_clients=200)


def _json_part(frame: bytes) -> bytes:
    """The JSON message of a binary frame (jupyter_server's layout: count, offsets, message, buffers)."""
    (count,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack(f"!{count}I", frame[4 : 4 * (count + 1)])
    return frame[offsets[0] : offsets[1] if count > 1 else None]


class WidgetPage:
    """One page of a Voila server, driven through its kernel's websocket."""

    def __init__(self, base: str, path: str = "", token: str = ""):
        self.base, self.path, self.token = base.rstrip("/"), path, token
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict[str, Any]] = {}
        self.updates: asyncio.Queue[tuple[float, str, dict[str, Any]]] = asyncio.Queue()
        self.kernel_id = ""
        self.idle: dict[str, float] = {}
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._cookie = ""

    # --- connection ------------------------------------------------------------------------------

    async def open(self, timeout: float = 600) -> None:
        """Load the page (its notebook runs), connect to its kernel, read every widget's state."""
        client = AsyncHTTPClient()
        login = await client.fetch(f"{self.base}/{self.path}?token={self.token}", request_timeout=timeout,
                                   follow_redirects=False, raise_error=False)  # fmt: skip
        cookies = SimpleCookie()
        for header in login.headers.get_list("Set-Cookie"):
            cookies.load(header)
        self._cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        page = login
        if login.code in (301, 302, 303):
            page = await client.fetch(HTTPRequest(f"{self.base}/{self.path}", headers=self._headers(),
                                                  request_timeout=timeout))  # fmt: skip
        html = page.body.decode()
        found = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', html)
        if not found:
            raise RuntimeError(f"no kernel in the page ({page.code}): {html[:300]}")
        self.kernel_id = found.group(1)
        ws_base = self.base.replace("http://", "ws://").replace("https://", "wss://")
        url = f"{ws_base}/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self._ws = await websocket_connect(HTTPRequest(url, headers=self._headers()), max_message_size=64 << 20)
        self._reader = asyncio.create_task(self._read())
        control = uuid.uuid4().hex
        opening = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
        self._send("comm_open", opening, {"version": CONTROL_VERSION})
        self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        while True:
            _, kind, data = await asyncio.wait_for(self.updates.get(), timeout=120)
            if kind == "states":
                break
        for model_id, entry in data["states"].items():
            self.states[model_id] = dict(entry["state"])

    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        if self._cookie:
            headers["Cookie"] = self._cookie
        return headers

    def _send(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": "load", "session": self.session, "msg_type": msg_type,
                  "version": "5.3", "date": datetime.now(UTC).isoformat()}  # fmt: skip
        message = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content,
                   "channel": "shell", "buffers": []}  # fmt: skip
        self._ws.write_message(json.dumps(message))
        return msg_id

    async def _read(self) -> None:
        while True:
            raw = await self._ws.read_message()
            if raw is None:
                return
            message = json.loads(_json_part(raw) if isinstance(raw, bytes) else raw)
            kind = message.get("msg_type") or message.get("header", {}).get("msg_type")
            if kind == "status" and message["content"].get("execution_state") == "idle":
                self.idle[message.get("parent_header", {}).get("msg_id", "")] = time.perf_counter()
            if kind != "comm_msg":
                continue
            content = message.get("content", {})
            data = content.get("data", {})
            if data.get("method") == "update_states":
                self.updates.put_nowait((time.perf_counter(), "states", data))
            elif data.get("method") in ("update", "echo_update"):
                state = data.get("state", {})
                self.states.setdefault(content["comm_id"], {}).update(state)
                self.updates.put_nowait((time.perf_counter(), content["comm_id"], state))

    async def close(self) -> None:
        """Close the websocket and ask Voila to shut the page's kernel down (as a closed tab does)."""
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            self._ws.close()
        client = AsyncHTTPClient()
        await client.fetch(HTTPRequest(f"{self.base}/voila/api/shutdown/{self.kernel_id}", method="POST", body="",
                                       headers={**self._headers(), "X-XSRFToken": ""}), raise_error=False)  # fmt: skip

    # --- widgets ---------------------------------------------------------------------------------

    def find(self, model: str, **state: Any) -> str:
        """The id of the one widget of a model (``ButtonModel``...) whose state has these values."""
        found = [
            model_id for model_id, values in self.states.items()
            if values.get("_model_name") == model and all(values.get(k) == v for k, v in state.items())
        ]  # fmt: skip
        if len(found) != 1:
            raise LookupError(f"{len(found)} {model} with {state}")
        return found[0]

    def set(self, model_id: str, **state: Any) -> None:
        """Change a widget's state as the page does when the learner types or chooses."""
        self.states[model_id].update(state)
        self._send("comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}})

    def choose(self, model_id: str, label: str) -> None:
        """Choose an option of a dropdown by its label."""
        self.set(model_id, index=list(self.states[model_id]["_options_labels"]).index(label))

    async def click(self, model_id: str, expect: str | None = None, timeout: float = 300) -> float:
        """Click a button, wait until a widget shows ``expect``; returns the seconds from click to update.

        Without ``expect``: until the kernel has handled the click (its ``idle`` status for it: every
        update the click made has been sent before).
        """
        while not self.updates.empty():
            self.updates.get_nowait()
        start = time.perf_counter()
        click = {"method": "custom", "content": {"event": "click"}}
        msg_id = self._send("comm_msg", {"comm_id": model_id, "data": click})
        deadline = start + timeout
        if expect is None:
            while msg_id not in self.idle:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"the kernel did not handle the click within {timeout:g} s")
                await asyncio.sleep(0.05)
            return self.idle.pop(msg_id) - start
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no widget showed {expect!r} within {timeout:g} s")
            when, _, state = await asyncio.wait_for(self.updates.get(), timeout=left)
            if isinstance(state.get("value"), str) and expect in state["value"]:
                return when - start

    def text(self) -> str:
        """Every HTML widget's text, joined (what the page shows, markup included)."""
        return "\n".join(str(v.get("value", "")) for v in self.states.values() if v.get("_model_name") == "HTMLModel")
