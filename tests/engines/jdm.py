"""Decides transfers with a graph written by `accord compile --format jdm`, on GoRules' ZEN engine.

    python3 tests/engines/jdm.py GRAPH.json TRANSFERS.jsonl

GRAPH.json is the JSON Decision Model (docs/jdm.md); TRANSFERS.jsonl holds one transfer per line,
as `accord eval --input` reads them. Each transfer is decided with the `zen-engine` package
(`pip install zen-engine`) and its decision printed as one JSON line, in the fields and layout of
`accord eval`'s decisions: `rule` is null when the graph leaves it out, `ordered`, `if_chosen`,
`satisfied` and `met_by` are left out when the graph leaves them out.
"""

import json
import sys

import zen

FIELDS = ["regime", "verdict", "require", "ordered", "obligations", "if_chosen", "rule", "cite",
          "satisfied", "met_by"]
OPTIONAL = {"ordered", "if_chosen", "satisfied", "met_by"}


def main():
    graph_path, transfers_path = sys.argv[1:3]
    with open(graph_path, encoding="utf-8") as f:
        decision = zen.ZenEngine().create_decision(f.read())
    out = sys.stdout
    with open(transfers_path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            result = decision.evaluate(json.loads(line))["result"]
            record = {}
            for name in FIELDS:
                if name in result:
                    record[name] = result[name]
                elif name not in OPTIONAL:
                    record[name] = None
            out.write(json.dumps(record) + "\n")


main()
