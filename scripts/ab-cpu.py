#!/usr/bin/env python3
"""Quick interleaved A/B of urlpoll binaries against the kit's goref on one scenario.

    BENCH_WORK=/path/to/work scripts/ab-cpu.py URL_FILE POLLERS DURATION REPS BIN [BIN ...]

Runs goref, then each BIN, REPS times in turn (interval from $INTERVAL, default 0s), and prints each
binary's CPU µs per poll and polls/s as ratios to goref's in the same round, then their medians. URL_FILE
is relative to the work dir (the kit's setup.sh writes data/urls_*.txt there); the kit's nginx target
must be running ("$KIT/target.sh start"). For decisions between two builds; scripts/bench is the report.
"""
import json
import os
import statistics
import subprocess
import sys

work = os.environ.get("BENCH_WORK", os.path.join(os.path.dirname(__file__), "..", ".bench-work"))
interval = os.environ.get("INTERVAL", "0s")
url_file, pollers, duration, reps, binaries = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]


def run(client):
    if client == "go":
        command = [os.path.join(work, "goref"), "-file", url_file, "-pollers", pollers, "-interval", interval,
                   "-duration", duration, "-quiet"]
    else:
        command = [client, "--file", url_file, "--pollers", pollers, "--interval", interval,
                   "--duration", duration, "--quiet", "--stats", "-"]
    last = subprocess.run(command, capture_output=True, text=True, cwd=work, check=True).stdout.strip().splitlines()[-1]
    figures = json.loads(last)
    return figures["cpu_us_per_poll"], figures["polls_per_s"]


cpu = {binary: [] for binary in binaries}
throughput = {binary: [] for binary in binaries}
for _ in range(reps):
    go_cpu, go_polls = run("go")
    line = f"goref {go_cpu:.1f} µs"
    for binary in binaries:
        us, polls = run(binary)
        cpu[binary].append(us / go_cpu)
        throughput[binary].append(polls / go_polls)
        line += f" | {binary}: {us:.1f} µs ({us / go_cpu:.2f}×, polls/s {polls / go_polls:.2f}×)"
    print(line, flush=True)
for binary in binaries:
    print(f"{binary}: median CPU/poll {statistics.median(cpu[binary]):.3f}× of goref, "
          f"polls/s {statistics.median(throughput[binary]):.3f}×")
