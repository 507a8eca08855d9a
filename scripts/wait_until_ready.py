"""Wait until a URL answers 200 (`make demo` prints "ready" only then): exit 0, or 1 after
the given number of seconds. Standard library only: it runs before anything is served."""

import sys
import time
import urllib.error
import urllib.request


def main(url: str, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local URL)
                if response.status == 200:
                    return 0
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
