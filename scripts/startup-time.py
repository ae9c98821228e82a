#!/usr/bin/env python3
"""Time urlpoll's start-up on a 100,000-URL list: process start -> first poll's TCP connection.

Usage: scripts/startup-time.py PATH_TO_URLPOLL [REPS] [--database PATH|none] [--port N]

Binds a listener on 127.0.0.1 (ephemeral port, or --port), writes 100,000 URLs pointing at it to a
temporary file (http://127.0.0.1:PORT/u/00000 ...), starts urlpoll on that file REPS times (default 5)
and prints, for each run, the time from starting the process to the moment the listener accepts the
first connection. --database is passed on (default none: without history; give a database made with
`urlpoll bench-store --url-pattern 'http://127.0.0.1:PORT/u/%05d'` and the same --port to time a start
that restores 100,000 URLs). Loopback only.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

args = sys.argv[1:]
database = "none"
port = 0
if "--database" in args:
    index = args.index("--database")
    database = args[index + 1]
    del args[index:index + 2]
if "--port" in args:
    index = args.index("--port")
    port = int(args[index + 1])
    del args[index:index + 2]
binary = args[0]
reps = int(args[1]) if len(args) > 1 else 5
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(1024)
port = listener.getsockname()[1]
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as urls:
    for i in range(100_000):
        urls.write(f"http://127.0.0.1:{port}/u/{i:05d}\n")
try:
    for _ in range(reps):
        start = time.monotonic()
        process = subprocess.Popen(
            [binary, "--file", urls.name, "--pollers", "64", "--interval", "60s", "--duration", "2s", "--quiet", "--timeout", "1s",
             "--database", database],
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
