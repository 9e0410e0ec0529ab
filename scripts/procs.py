#!/usr/bin/env python3
"""`honcho start` (scripts/run), each process stopped as systemd or Docker stop it: SIGTERM to its main process.

honcho runs each Procfile line through /bin/sh in a session of its own and, on Ctrl-C, sends SIGTERM to that
whole session: Celery's pool children die under their parent, which logs each death as an ERROR, and gunicorn's
workers are killed before their master can stop them. Here the shell is replaced by the command (exec) and only
the command gets the SIGTERM: it stops its own children, quietly. honcho's SIGKILL after its grace period still
goes to the whole session.

    scripts/procs.py start -f Procfile -p 8000      (honcho's own arguments)
"""

import contextlib
import os
import signal
import sys

from honcho import compat, process
from honcho.command import main

_popen_init = process.Popen.__init__


def _exec_init(self, cmd, **kwargs):
    _popen_init(self, f"exec {cmd}", **kwargs)


def _terminate(self, pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


process.Popen.__init__ = _exec_init
compat.ProcessManager.terminate = _terminate

if __name__ == "__main__":
    sys.exit(main())
