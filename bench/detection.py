#!/usr/bin/env python3
"""Detection quality of the risk engine on generated data with labelled
anomalies: if customs controls the consignments with the highest risk
scores, up to a 5% control rate, which share of each anomaly class is
caught (recall)?  Reads the labels CSV (lrn,anomaly) and the JSON Lines
results of `mainlevee file --dry-run` (same order), prints a table."""
import csv
import json
import sys

labels = [row["anomaly"] for row in csv.DictReader(open(sys.argv[1]))]
results = [json.loads(line) for line in open(sys.argv[2])]
if len(labels) != len(results):
    sys.exit(f"{len(labels)} labels but {len(results)} results")
rate = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
scored = sorted(range(len(results)), key=lambda i: -results[i].get("risk_score", 0))
controlled = set(scored[: int(len(results) * rate)])
lanes = {}
for r in results:
    lanes[r.get("lane", "none")] = lanes.get(r.get("lane", "none"), 0) + 1
classes = sorted(set(labels))
print(f"consignments {len(results)}; lanes " +
      ", ".join(f"{k} {v / len(results):.1%}" for k, v in sorted(lanes.items())))
print(f"{'class':<14} {'count':>7} {'recall at ' + format(rate, '.0%') + ' control':>22}"
      f" {'not green':>10}")
for c in classes:
    idx = [i for i, l in enumerate(labels) if l == c]
    caught = sum(1 for i in idx if i in controlled)
    not_green = sum(1 for i in idx if results[i].get("lane") not in ("green", None))
    print(f"{c:<14} {len(idx):>7} {caught / len(idx):>22.1%} {not_green / len(idx):>10.1%}")
