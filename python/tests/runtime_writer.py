"""A separate process that updates a runtime file, as a deploy agent or a
config-sync sidecar does: `python runtime_writer.py PATH MODE COUNT RATE`.

MODE: `atomic` (a temporary file beside it, then rename), `in-place`
(truncate, then small chunks with a pause between them: a reader may see any
prefix), `recreate` (delete, then write a new file in chunks). Version k has
`rollout = k % 90 + 10` and `timeout = rollout / 1000`, so a reader can tell
a torn read from a whole version. Prints the last version's rollout.
"""

import json
import os
import sys
import time


def doc(k):
    r = float(k % 90 + 10)
    return {"timeout": r / 1000, "rollout": r}


def atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def chunks(f, data, size=3):
    for i in range(0, len(data), size):
        f.write(data[i : i + size])
        f.flush()
        time.sleep(0.0002)


def in_place(path, data):
    with open(path, "r+b") as f:
        f.truncate(0)
        chunks(f, data)


def recreate(path, data):
    os.unlink(path)
    with open(path, "xb") as f:
        chunks(f, data)


def main():
    path, mode, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    write = {"atomic": atomic, "in-place": in_place, "recreate": recreate}[mode]
    start = time.monotonic()
    for k in range(1, count + 1):
        write(path, json.dumps(doc(k)).encode())
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(doc(count)["rollout"])


if __name__ == "__main__":
    main()
