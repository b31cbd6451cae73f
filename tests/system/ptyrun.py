# SPDX-License-Identifier: ISC
"""A command on a pseudo-terminal of its own, as a person at a shell would
start it: for tests of what Ctrl-C typed on mirari's terminal does."""

import os
import pty
import select
import signal
import time


class PtyRun:
    def __init__(self, argv, cwd=None, env=None):
        self.out = b""
        self.status = None
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if cwd is not None:
                os.chdir(cwd)
            os.environ.update(env or {})
            os.execvp(argv[0], argv)

    def text(self):
        return self.out.decode(errors="replace")

    def _read(self, timeout):
        try:
            if select.select([self.fd], [], [], timeout)[0]:
                self.out += os.read(self.fd, 4096)
        except OSError:
            time.sleep(0.05)  # the pty is closed: only the status is left

    def wait_for(self, marker, timeout=120):
        """Read the terminal until `marker` (bytes) appears."""
        deadline = time.monotonic() + timeout
        while marker not in self.out:
            assert time.monotonic() < deadline, self.text()
            self._read(0.5)

    def ctrl_c(self, timeout=60):
        """Type Ctrl-C and return the command's exit status."""
        os.write(self.fd, b"\x03")
        deadline = time.monotonic() + timeout
        while self.status is None:
            assert time.monotonic() < deadline, self.text()
            done, st = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = os.waitstatus_to_exitcode(st)
                break
            self._read(0.2)
        return self.status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
