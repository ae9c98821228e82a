#!/usr/bin/env python3
"""Time urlpoll's start-up on a 100,000-URL list: process start -> first poll's TCP connection.

Usage: scripts/startup-time.py PATH_TO_URLPOLL [REPS]

Binds a listener on 127.0.0.1 (ephemeral port), writes 100,000 URLs pointing at it to a temporary file,
starts urlpoll on that file REPS times (default 5) and prints, for each run, the time from starting the
process to the moment the listener accepts the first connection. Loopback only.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1024)
port = listener.getsockname()[1]
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as urls:
    for i in range(100_000):
        urls.write(f"http://127.0.0.1:{port}/u/{i:05d}\n")
try:
    for _ in range(reps):
        start = time.monotonic()
        process = subprocess.Popen(
            [binary, "--file", urls.name, "--pollers", "64", "--interval", "60s", "--duration", "2s", "--quiet", "--timeout", "1s"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        connection, _ = listener.accept()
        print(f"process start -> first poll's connection: {time.monotonic() - start:.3f} s")
        connection.close()
        process.kill()
        process.wait()
        listener.setblocking(False)
        try:
            while True:
                listener.accept()[0].close()
        except BlockingIOError:
            pass
        listener.setblocking(True)
finally:
    os.unlink(urls.name)
