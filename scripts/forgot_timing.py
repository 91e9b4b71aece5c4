#!/usr/bin/env python3
"""Forgot-password timing, as `make bench` measures it: POST /api/v1/auth/forgot-password for
an address with an account and for addresses without one, interleaved, N calls each; prints
each side's median and quartiles, and the difference of the medians.

    scripts/forgot_timing.py URL KNOWN_EMAIL [N]
"""
import json
import statistics
import sys
import time
import urllib.request


def ask(url, email):
    request = urllib.request.Request(
        f"{url}/api/v1/auth/forgot-password",
        data=json.dumps({"email": email}).encode(),
        headers={"content-type": "application/json"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        response.read()
        status = response.status
    elapsed = time.perf_counter() - start
    if status != 202:
        sys.exit(f"forgot-password answered {status}")
    return elapsed * 1000


def main():
    url, known = sys.argv[1].rstrip("/"), sys.argv[2]
    calls = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    times = {"account": [], "no account": []}
    for i in range(calls):
        times["account"].append(ask(url, known))
        times["no account"].append(ask(url, f"nobody-{i}@example.com"))
    medians = {}
    for side, values in times.items():
        q1, median, q3 = statistics.quantiles(values, n=4)
        medians[side] = median
        print(f"forgot-password, {side:<10}: median {median:.3f} ms (quartiles {q1:.3f}-{q3:.3f}), {calls} calls")
    print(f"forgot-password, difference of medians: {medians['account'] - medians['no account']:+.3f} ms")


if __name__ == "__main__":
    main()
