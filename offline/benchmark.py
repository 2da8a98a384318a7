"""``python -m offline.benchmark [--sizes 1,5,10,25]``: how the offline plan scales with a stack.

For each size N it writes a stack file of N dual-stack VPCs (public, private and database tiers
over three AZs, a NAT gateway each) and 2N clusters (one IPv6 and one IPv4 per VPC, a node group
each), plans it in a fresh process exactly as ``python -m offline`` does (evaluation under the
mocks, the policy pack, the text report), and prints the resources registered, wall time, peak
memory and both per resource - the figures that show time and memory grow linearly.
Platform teams run dozens of clusters: the production case in MISSION.md had 72.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from offline.harness import PROJECT_DIR

ZONES = ["us-east-2a", "us-east-2b", "us-east-2c"]


def estate(vpcs: int) -> dict:
    """The ``config:`` of a stack of ``vpcs`` VPCs and two clusters in each."""
    networks, clusters = {}, {}
    for v in range(vpcs):
        networks[f"net{v}"] = {
            "ipv4Cidr": f"10.{v}.0.0/16",
            "availabilityZones": ZONES,
            "natGateways": "single",
            "tiers": [
                {"name": "public", "role": "public", "ipv4PrefixLength": 24},
                {"name": "private", "role": "private", "ipv4PrefixLength": 20},
                {"name": "database", "role": "isolated", "ipv4PrefixLength": 24},
            ],
        }
        for family in ("ipv6", "ipv4"):
            clusters[f"{family}-{v}"] = {
                "vpc": f"net{v}",
                "ipFamily": family,
                "kubernetesVersion": "1.34",
                "clusterCreatorAdmin": True,
                "nodeGroups": {"general": {"instanceTypes": ["m7i.large", "m6i.large"]}},
            }
    return {
        "aws:region": "us-east-2",
        "ipv6-eks:deployer": {"endpoint": "public", "cidrs": ["198.51.100.0/28"]},
        "ipv6-eks:vpcs": networks,
        "ipv6-eks:clusters": clusters,
    }


def measure_one(path: Path) -> dict:
    """Plan ``path`` in this process; what it cost."""
    from offline.__main__ import main
    from offline.harness import evaluate_stack

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main([str(path)])
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    resources = len(evaluate_stack(path).resources)  # counted after the timing, from a second evaluation
    return {"exit": code, "seconds": seconds, "peak_mib": peak_kib / 1024, "resources": resources}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10,25", help="numbers of VPCs (each with two clusters)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(n) for n in args.sizes.split(",")):
            path = Path(folder) / f"Pulumi.estate{size}.yaml"
            path.write_text(yaml.safe_dump({"config": estate(size)}))
            result = subprocess.run(
                [sys.executable, "-m", "offline.benchmark", "--one", str(path)], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
            )
            rows.append({"vpcs": size, "clusters": 2 * size, **json.loads(result.stdout.strip().splitlines()[-1])})
    print(
        f"{'VPCs':>5} {'clusters':>8} {'resources':>9} {'exit':>4} {'seconds':>8} {'ms/resource':>11} {'peak MiB':>9} {'KiB/resource':>12}"
    )
    base = rows[0]
    for row in rows:
        per_resource = 1000 * row["seconds"] / row["resources"]
        memory = 1024 * (row["peak_mib"] - base["peak_mib"]) / max(row["resources"] - base["resources"], 1) if row is not base else 0.0
        print(
            f"{row['vpcs']:>5} {row['clusters']:>8} {row['resources']:>9} {row['exit']:>4} {row['seconds']:>8.2f} "
            f"{per_resource:>11.2f} {row['peak_mib']:>9.1f} {memory:>12.1f}"
        )
    print("KiB/resource: peak memory above the smallest stack's, per resource added")
    return 0 if all(row["exit"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
