"""The mesh check against a fake ``pulumi`` and a fake ``kubectl`` on PATH: neither a cluster nor
the Pulumi CLI exists here, so this proves the command's logic and the way it calls both tools -
not that a real mesh answers (that needs ``pulumi up``; see the README)."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from offline.harness import PROJECT_DIR

FAKE_PULUMI = """
import json, os, sys
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({"tool": "pulumi", "argv": sys.argv[1:]}) + "\\n")
if os.environ.get("FAKE_PULUMI_FAIL"):
    print("error: no stack named 'dev' found", file=sys.stderr)
    sys.exit(255)
print(open(os.environ["FAKE_OUTPUTS"]).read())
"""

# Answers like helloworld: each member's sleep reaches the versions the scenario lists, round robin.
FAKE_KUBECTL = """
import json, os, stat, sys
argv = sys.argv[1:]
path = argv[argv.index("--kubeconfig") + 1]
config = json.load(open(path))
cluster = config["clusters"][0]["name"]
scenario = json.load(open(os.environ["FAKE_SCENARIO"])).get(cluster, {})
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({"tool": "kubectl", "argv": argv, "cluster": cluster, "mode": stat.S_IMODE(os.stat(path).st_mode), "path": path}) + "\\n")
if "rollout" in argv:
    if scenario.get("not_ready"):
        print("error: timed out waiting for the condition", file=sys.stderr)
        sys.exit(1)
    print('deployment "sleep" successfully rolled out')
    sys.exit(0)
counter = os.environ["FAKE_LOG"] + "." + cluster
n = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(n + 1))
reach = scenario.get("reach", [])
if not reach or (scenario.get("fail_every") and n % scenario["fail_every"] == 0):
    print("curl: (56) Recv failure: Connection reset by peer", file=sys.stderr)
    sys.exit(56)
version = reach[n % len(reach)]
print(f"Hello version: {version}, instance: helloworld-{version}-7d4f8c9b6-x{n % 2}")
"""


@pytest.fixture(scope="module")
def outputs(dev, prod):
    """What ``pulumi stack output --json --show-secrets`` prints for dev and prod, from their real outputs."""
    return {"dev": json.loads(json.dumps(dev.outputs)), "prod": json.loads(json.dumps(prod.outputs))}


def cluster_name(outputs, member):
    return json.loads(outputs["clusters"][member]["kubeconfig"])["clusters"][0]["name"]


def check(tmp_path, stack_outputs, scenario, *args, env=None):
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    for name, body in (("pulumi", FAKE_PULUMI), ("kubectl", FAKE_KUBECTL)):
        script = tools / name
        script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "outputs.json").write_text(json.dumps(stack_outputs))
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    environment = {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "FAKE_OUTPUTS": str(tmp_path / "outputs.json"),
        "FAKE_SCENARIO": str(tmp_path / "scenario.json"),
        "FAKE_LOG": str(tmp_path / "log.jsonl"),
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mesh_check", *args], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=120
    )
    log = tmp_path / "log.jsonl"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def test_every_member_reaching_both_versions_passes(tmp_path, outputs):
    dev = outputs["dev"]
    scenario = {cluster_name(dev, m): {"reach": ["v1", "v2"]} for m in ("legacy", "modern")}
    done, calls = check(tmp_path, dev, scenario, "dev", "-n", "6")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "legacy: 6 calls from sleep -> v1 x3, v2 x3; 0 failed; ok",
        "modern: 6 calls from sleep -> v1 x3, v2 x3; 0 failed; ok",
        "every member reached v1, v2",
    ]
    pulumi = [c for c in calls if c["tool"] == "pulumi"]
    assert pulumi == [{"tool": "pulumi", "argv": ["stack", "output", "--json", "--show-secrets", "--stack", "dev"]}]
    kubectl = [c for c in calls if c["tool"] == "kubectl"]
    assert len(kubectl) == 2 * (1 + 6)  # a readiness wait and six calls per member
    assert {c["mode"] for c in kubectl} == {0o600}  # the kubeconfigs are secrets
    assert not any(os.path.exists(c["path"]) for c in kubectl)  # and gone afterwards
    exec_call = next(c["argv"] for c in kubectl if "exec" in c["argv"])
    assert exec_call[exec_call.index("exec") :] == [
        "exec", "deployment/sleep", "-c", "sleep", "--", "curl", "-sS", "--max-time", "5", "http://helloworld.sample:5000/hello"
    ]  # fmt: skip
    assert "--namespace" in exec_call and exec_call[exec_call.index("--namespace") + 1] == "sample"


def test_a_member_that_sees_only_its_own_version_fails(tmp_path, outputs):
    dev = outputs["dev"]
    scenario = {cluster_name(dev, "legacy"): {"reach": ["v1", "v2"]}, cluster_name(dev, "modern"): {"reach": ["v2"]}}
    done, _ = check(tmp_path, dev, scenario, "dev", "-n", "4")
    assert done.returncode == 1
    assert "modern: 4 calls from sleep -> v2 x4; 0 failed; MISSING v1" in done.stdout
    assert done.stdout.splitlines()[-1] == "NOT every member reached v1, v2"


def test_failed_calls_are_counted_and_shown(tmp_path, outputs):
    dev = outputs["dev"]
    scenario = {cluster_name(dev, m): {"reach": ["v1", "v2"], "fail_every": 2} for m in ("legacy", "modern")}
    done, _ = check(tmp_path, dev, scenario, "dev", "-n", "6")
    assert done.returncode == 1  # calls 0, 2, 4 fail: only v2 ever answers
    assert "legacy: 6 calls from sleep -> v2 x3; 3 failed; MISSING v1" in done.stdout
    assert "  failed: curl: (56) Recv failure: Connection reset by peer" in done.stdout


def test_a_sleep_pod_that_is_not_ready_fails_that_member(tmp_path, outputs):
    dev = outputs["dev"]
    scenario = {cluster_name(dev, "legacy"): {"reach": ["v1", "v2"]}, cluster_name(dev, "modern"): {"not_ready": True}}
    done, calls = check(tmp_path, dev, scenario, "dev", "-n", "2")
    assert done.returncode == 1
    assert "modern: 2 calls from sleep -> nothing; 1 failed; MISSING v1, v2" in done.stdout
    assert "  failed: sleep is not ready: error: timed out waiting for the condition" in done.stdout
    assert not [c for c in calls if c["tool"] == "kubectl" and c["cluster"] == cluster_name(dev, "modern") and "exec" in c["argv"]]


def test_a_stack_without_samples_cannot_be_checked(tmp_path, outputs):
    done, _ = check(tmp_path, outputs["prod"], {}, "prod")
    assert done.returncode == 2
    assert done.stderr.strip() == "mesh check: stack 'prod' runs no samples to call: set ipv6-eks:mesh.samples to true and pulumi up"


def test_a_stack_without_a_mesh_cannot_be_checked(tmp_path, outputs):
    bare = {k: v for k, v in outputs["dev"].items() if k != "mesh"}
    done, _ = check(tmp_path, bare, {}, "dev")
    assert done.returncode == 2 and "has no mesh output" in done.stderr


def test_pulumi_failing_or_missing_is_one_line(tmp_path, outputs):
    done, _ = check(tmp_path, outputs["dev"], {}, "dev", env={"FAKE_PULUMI_FAIL": "1"})
    assert done.returncode == 2
    assert done.stderr.strip() == "mesh check: pulumi stack output failed for stack 'dev': error: no stack named 'dev' found"
    done, _ = check(tmp_path, outputs["dev"], {}, "dev", "--pulumi", str(tmp_path / "no-such-pulumi"))
    assert done.returncode == 2 and "is not installed or not on PATH" in done.stderr and "Traceback" not in done.stderr
