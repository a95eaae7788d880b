"""gunicorn settings for CrampCare; gunicorn reads this file from the folder it starts in."""

import os
import tempfile
from pathlib import Path

# On SIGTERM, workers stop taking new connections and finish the requests they hold: a
# check-in being saved is answered before the worker exits.
graceful_timeout = 30

# With several workers, each keeps its metrics in files here and /metrics adds them up.
# Set before the workers import the app, which is when the metrics library reads it.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="crampcare-metrics-"))


def on_starting(server):
    """Start the metrics from zero: the files of an earlier run would be added in."""
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """Let the metrics forget a worker that has exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
