"""Runs a command and writes its peak RSS (the largest of its waited-for descendants, in bytes)
to a file, so the benchmark can measure memory without reading /proc itself.

Usage: python3 bench/peak_rss.py OUT_FILE COMMAND [ARGS...]
Exits with the command's exit code.
"""

import resource
import subprocess
import sys


def main(argv):
    out, command = argv[1], argv[2:]
    code = subprocess.call(command)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w") as f:
        f.write(str(peak_kib * 1024))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
