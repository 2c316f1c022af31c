"""Functions a test sends to a worker process: no Django here, so a spawned child
imports this module alone (speeches/tests/test_processes.py)."""

from __future__ import annotations

import os


def die(raw: bytes):
    os._exit(1)  # as the OOM killer would end it


def echo_with_pid(raw: bytes):
    return os.getpid(), raw
