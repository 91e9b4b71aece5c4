"""One fault's line of target/chaos/summary.md, from its rush's results."""
import json
import sys

path, fault, recovered, verdict, settled = sys.argv[1:]
lines = [json.loads(line) for line in open(path) if line.strip()]
run = lines[-1] if lines else {"users": 0, "ends": {}}
ends = run.get("ends", {})
cleared = f"{settled} s" if settled else "-"
# A time gets its unit; a fault with nothing to recover from says so.
recovered = f"{recovered} s" if recovered[-1:].isdigit() else recovered
print(f"| {fault} | {run['users']} | {ends.get('bought', 0)} | {ends.get('refunded', 0)} "
      f"| {ends.get('failed', 0)} "
      f"| {recovered} | {cleared} | {verdict} |")
