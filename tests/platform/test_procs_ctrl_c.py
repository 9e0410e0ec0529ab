"""scripts/procs.py (what scripts/run starts): on Ctrl-C each process gets SIGTERM on its main process only, so it
stops its own children itself; honcho alone would SIGTERM the whole session, and Celery logs each pool child
killed that way as an ERROR."""

import os
import signal
import subprocess
import sys
import time

from mds_connectees.settings import BASE_DIR

# A process with a child, as Celery's worker and gunicorn's master have: the parent stops its child on SIGTERM.
PARENT = """
import signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", '''
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: (print("child killed by a signal", flush=True), sys.exit(1)))
signal.signal(signal.SIGINT, lambda *a: sys.exit(0))
print("child ready", flush=True)
while True: time.sleep(0.1)
'''])
def stop(*_):
    child.send_signal(signal.SIGINT)  # the parent's own way of stopping it
    child.wait()
    print("parent stopped its child", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True: time.sleep(0.1)
"""


def test_ctrl_c_stops_each_process_by_its_main_pid_and_exits_without_errors(tmp_path):
    (tmp_path / "parent.py").write_text(PARENT)
    (tmp_path / "Procfile").write_text(f"app: {sys.executable} -u {tmp_path / 'parent.py'}\n")
    honcho = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "scripts" / "procs.py"), "start", "-f", str(tmp_path / "Procfile")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own group, as a terminal's foreground job
    )  # fmt: skip
    lines = []
    deadline = time.monotonic() + 60
    while not any("child ready" in line for line in lines):
        assert time.monotonic() < deadline, lines
        lines.append(honcho.stdout.readline())
    os.killpg(honcho.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
    out = "".join(lines) + honcho.communicate(timeout=60)[0]
    assert "parent stopped its child" in out
    assert "child killed by a signal" not in out
    assert "Traceback" not in out
    assert "app.1 stopped (rc=0)" in out
