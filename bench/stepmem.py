"""Peak memory per step: run a command (an etl-engine run), sample its process tree's RSS every 20 ms, and
print each output line with the peak RSS seen since the previous line. The engine prints a step's line
when the step ends, so the figure beside a step is that step's peak. RSS is split as Linux counts it
(/proc/PID/status): anonymous memory (what the process allocated) and file pages it has mapped (the page
cache of files it reads through mmap: shared, clean, dropped by the kernel under pressure).

    python bench/stepmem.py python -m engine run pipeline.yaml --var data_root=/tmp/etl-bench/sparkify-30m
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import psutil

GIB = 1024**3


def _status_kib(pid: int) -> tuple[int, int]:
    """(RssAnon, RssFile + RssShmem) of one process, in bytes; zeros once it is gone."""
    anon = file = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1]) * 1024
                elif line.startswith(("RssFile:", "RssShmem:")):
                    file += int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return anon, file


def tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """Anonymous and file-backed RSS summed over a process and its children."""
    try:
        pids = [proc.pid, *(c.pid for c in proc.children(recursive=True))]
    except psutil.Error:
        return 0, 0
    parts = [_status_kib(pid) for pid in pids]
    return sum(a for a, _f in parts), sum(f for _a, f in parts)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    watched = psutil.Process(child.pid)
    # peaks since the last line and overall: total, anonymous, file-backed
    peak, overall, done = [0, 0, 0], [0, 0, 0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            anon, file = tree_rss(watched)
            for i, value in enumerate((anon + file, anon, file)):
                peak[i], overall[i] = max(peak[i], value), max(overall[i], value)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    assert child.stdout is not None
    for line in child.stdout:
        print(
            f"{time.perf_counter() - start:7.1f}s  peak {peak[0] / GIB:5.2f} GiB "
            f"(anon {peak[1] / GIB:5.2f}, file {peak[2] / GIB:5.2f}) | {line.rstrip()}",
            flush=True,
        )
        peak[:] = [0, 0, 0]
    code = child.wait()
    done.set()
    print(
        f"exit {code}; peak {overall[0] / GIB:.2f} GiB (anonymous {overall[1] / GIB:.2f}, file-backed "
        f"{overall[2] / GIB:.2f}) over {time.perf_counter() - start:.1f} s"
    )
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
