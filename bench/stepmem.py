"""Peak memory per step: run a command (an etl-engine run), sample its process tree's RSS every 50 ms, and
print each output line with the peak RSS seen since the previous line. The engine prints a step's line
when the step ends, so the figure beside a step is that step's peak.

    python bench/stepmem.py python -m engine run pipeline.yaml --var data_root=/tmp/etl-bench/sparkify-30m
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import psutil

GIB = 1024**3


def tree_rss(proc: psutil.Process) -> int:
    """The summed RSS of a process and its children (0 once it is gone)."""
    try:
        return int(proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True)))
    except psutil.Error:
        return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    watched = psutil.Process(child.pid)
    peak, overall, done = [0], [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = tree_rss(watched)
            peak[0], overall[0] = max(peak[0], rss), max(overall[0], rss)
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    assert child.stdout is not None
    for line in child.stdout:
        print(f"{time.perf_counter() - start:7.1f}s  peak {peak[0] / GIB:5.2f} GiB | {line.rstrip()}", flush=True)
        peak[0] = 0
    code = child.wait()
    done.set()
    print(f"exit {code}; peak {overall[0] / GIB:.2f} GiB over {time.perf_counter() - start:.1f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
