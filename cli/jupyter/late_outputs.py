# nbconvert config for `deno task notebook:run` (cli/notebook_run.ts) and the notebook tests:
# `nbconvert --config THIS_FILE --execute`.
#
# Why: Deno's Jupyter kernel (2.9.6) sometimes publishes a cell's execute_result or display_data
# on IOPub *after* the cell's `idle` status (measured here: 21 of 60 execute_results on a busy
# machine). JupyterLab shows such late outputs; nbclient, which nbconvert uses, stops reading a
# cell's messages at `idle` and drops them, so a headless run loses outputs at random.
#
# What: after nbclient has seen `idle`, keep reading IOPub for a short grace period and record
# late messages of the same cell, exactly as nbclient records timely ones. Nothing is invented:
# only messages the kernel really sent for that cell are kept. Each recovery is reported on
# stderr ("late output recovered ...") so the test log shows how often the race happened.
#
# Grace period: NOTEBOOK_LATE_OUTPUT_GRACE seconds (default 0.5).

import asyncio
import os
import queue
import sys

from nbclient.client import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async

_stock_poll = getattr(NotebookClient, "_async_poll_output_msg", None)
_grace = float(os.environ.get("NOTEBOOK_LATE_OUTPUT_GRACE", "0.5"))


async def _poll_with_grace(self, parent_msg_id, cell, cell_index):
    await _stock_poll(self, parent_msg_id, cell, cell_index)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _grace
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        try:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
        except queue.Empty:
            return
        if msg["parent_header"].get("msg_id") != parent_msg_id or msg["msg_type"] == "status":
            continue
        print(
            f"late output recovered: cell {cell_index} {msg['msg_type']} after idle",
            file=sys.stderr,
        )
        try:
            self.process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            pass


if _stock_poll is not None:
    NotebookClient._async_poll_output_msg = _poll_with_grace
else:
    print("late output recovery unavailable: nbclient has no _async_poll_output_msg", file=sys.stderr)


# Ctrl-C: nbclient answers SIGINT/SIGTERM by asking the kernel to shut down gracefully, and Python
# can exit before the kernel has: Deno's kernel was then left running (measured here), holding
# the pipes of whoever started nbconvert. "immediate" kills the kernel process instead, on a signal
# and at the end of a run; a headless run has nothing left to flush in the kernel by then.
try:
    get_config().NotebookClient.shutdown_kernel = "immediate"  # noqa: F821 (config files have it)
except NameError:  # imported as a module rather than loaded as a config file
    pass
