"""The kernel client Voila and nbconvert read their kernels with: a reply that has arrived is always read.

Voila runs a page's notebook on the server (nbclient) and waits for each cell's reply with
``get_msg()`` on an asyncio zmq socket. jupyter_client's ``Session.send`` writes on a blocking
shadow of that same socket, and any such raw call processes the socket's pending commands, among
them the signal that a reply has arrived. libzmq's descriptor is edge-triggered and pyzmq re-reads a
socket's events only after its own asyncio calls, so a ``get_msg()`` that was already waiting is
never woken: the reply sits in the socket and the page never loads.

Measured on 2026-12-01 (pyzmq 27.3, jupyter_client 8.10, Voila 0.5.13): in the learner journeys of
``tests/e2e/test_learner_journey_e2e.py``, two runs at once on two cores, 9 of 23 Voila journeys had
a page that never loaded with ipykernel 7.4.0 and 1 of 12 with ipykernel 6.31.0. In each, the kernel
had run every cell and was idle, and the server's shell socket held the reply (``EVENTS`` had
POLLIN) beside a poll that was never woken. ``tests/test_kernel_client.py`` reproduces it in a few
lines. With this client: 0 of 20 (ipykernel 7.4.0; ``tools/voila_hang_check.py --rounds 5``).

This client waits in slices of ``POLL_SLICE_S``: each slice asks the socket for its events again,
so a reply whose signal was consumed is read at the next slice, at most ``POLL_SLICE_S`` late.
It is given through the option ``KERNEL_CLIENT_OPTION`` (``communitysim.ui.launch``), which
``communitysim app`` and ``communitysim class`` pass to every Voila they start, and ``make notebooks``
and ``tools/check_wheel.py`` to nbconvert (which runs notebooks with nbclient, as Voila does: the
same hang was seen there, a notebook's cell waiting on a reply its kernel had sent).
"""

from __future__ import annotations

import math
import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

#: How long one wait on a socket lasts before its events are read again, in seconds.
POLL_SLICE_S = 0.1


class SlicedPollChannel(AsyncZMQSocketChannel):
    """jupyter_client's asyncio channel, whose ``get_msg`` re-reads the socket every ``POLL_SLICE_S``."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        """The next message; ``Empty`` after ``timeout`` seconds without one (``None``: wait until one comes)."""
        assert self.socket is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left_s = None if deadline is None else max(0.0, deadline - time.monotonic())
            slice_s = POLL_SLICE_S if left_s is None else min(POLL_SLICE_S, left_s)
            if await self.socket.poll(math.ceil(slice_s * 1000)):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class KernelClient(AsyncKernelClient):
    """jupyter_client's asyncio kernel client with ``SlicedPollChannel`` for every channel it reads."""

    shell_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    stdin_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    control_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
