"""Checking a deployed mesh (M38): from the ``sleep`` pod of every member, call ``helloworld`` N
times and see which versions answer - every member must reach every version, its own and the
other clusters'. What this reads and runs is what a Pulumi user has: the stack's outputs
(``pulumi stack output --show-secrets``, for the kubeconfigs are secrets) and ``kubectl``.
"""

import json
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipv6_eks.mesh_samples import HELLOWORLD_PORT, SAMPLE_NAMESPACE, VERSIONS

ANSWER = re.compile(r"Hello version: (?P<version>[\w.-]+), instance: (?P<instance>\S+)")
HELLO_URL = f"http://helloworld.{SAMPLE_NAMESPACE}:{HELLOWORLD_PORT}/hello"

Run = Callable[[Sequence[str]], subprocess.CompletedProcess]


class CheckError(Exception):
    """The check could not run (no stack outputs, no mesh, samples off, no kubectl): one line."""


@dataclass
class MemberResult:
    """What ``sleep`` in one member saw."""

    member: str
    calls: int
    versions: Counter = field(default_factory=Counter)
    instances: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def missing(self, expected: Sequence[str]) -> list[str]:
        return [v for v in expected if not self.versions.get(v)]


def run_command(command: Sequence[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(command), capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError as error:
        raise CheckError(f"{command[0]} is not installed or not on PATH") from error
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(command), 124, "", f"timed out after 120 s: {' '.join(command[:4])} ...")


def stack_outputs(stack: str, run: Run = run_command, pulumi: str = "pulumi", cwd: str | None = None) -> dict[str, Any]:
    """The stack's outputs with secrets shown - how a Pulumi user reads a secret output."""
    command = [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack]
    if cwd:
        command += ["--cwd", cwd]
    done = run(command)
    if done.returncode != 0:
        raise CheckError(f"pulumi stack output failed for stack {stack!r}: {_last_line(done) or f'exit {done.returncode}'}")
    try:
        outputs = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise CheckError(f"pulumi stack output did not print JSON: {error}") from error
    return outputs if isinstance(outputs, dict) else {}


def expected_versions(members: Sequence[str]) -> list[str]:
    """The helloworld versions the samples run: v1 in the first member, v2 in the second (M33)."""
    return list(VERSIONS[: min(len(members), len(VERSIONS))])


def mesh_members(outputs: dict[str, Any], stack: str) -> tuple[list[str], dict[str, Any]]:
    """(members in order, member -> kubeconfig) from the stack's ``mesh`` and ``clusters`` outputs."""
    mesh = outputs.get("mesh")
    if not isinstance(mesh, dict) or not mesh.get("members"):
        raise CheckError(f"stack {stack!r} has no mesh output: is ipv6-eks:mesh set and the stack deployed?")
    if not mesh.get("samples"):
        raise CheckError(f"stack {stack!r} runs no samples to call: set ipv6-eks:mesh.samples to true and pulumi up")
    clusters = outputs.get("clusters") or {}
    members = list(mesh["members"])
    missing = [m for m in members if not (clusters.get(m) or {}).get("kubeconfig")]
    if missing:
        raise CheckError(f"stack {stack!r} exports no kubeconfig for {', '.join(missing)}")
    return members, {m: clusters[m]["kubeconfig"] for m in members}


def write_kubeconfig(directory: Path, member: str, kubeconfig: Any) -> Path:
    """The member's kubeconfig in a file only this user can read (it is a secret)."""
    path = directory / f"{member}.kubeconfig"
    text = kubeconfig if isinstance(kubeconfig, str) else json.dumps(kubeconfig)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    return path


def call_from_sleep(member: str, kubeconfig: Path, calls: int, run: Run = run_command, kubectl: str = "kubectl") -> MemberResult:
    """``curl helloworld`` ``calls`` times from the member's ``sleep`` pod (its sidecar routes it)."""
    result = MemberResult(member, calls)
    base = [kubectl, "--kubeconfig", str(kubeconfig), "--namespace", SAMPLE_NAMESPACE]
    ready = run([*base, "rollout", "status", "deployment/sleep", "--timeout=120s"])
    if ready.returncode != 0:
        result.failures.append(f"sleep is not ready: {_last_line(ready)}")
        return result
    for _ in range(calls):
        done = run([*base, "exec", "deployment/sleep", "-c", "sleep", "--", "curl", "-sS", "--max-time", "5", HELLO_URL])
        match = ANSWER.search(done.stdout or "")
        if done.returncode == 0 and match:
            result.versions[match["version"]] += 1
            result.instances[match["instance"]] += 1
        else:
            result.failures.append(_last_line(done) or f"exit {done.returncode}, no answer")
    return result


def _last_line(done: subprocess.CompletedProcess) -> str:
    lines = ((done.stderr or "") + "\n" + (done.stdout or "")).strip().splitlines()
    return lines[-1].strip() if lines else ""


def check_mesh(
    stack: str, calls: int, run: Run = run_command, pulumi: str = "pulumi", kubectl: str = "kubectl", cwd: str | None = None
) -> list[MemberResult]:
    members, kubeconfigs = mesh_members(stack_outputs(stack, run, pulumi, cwd), stack)
    with tempfile.TemporaryDirectory(prefix="mesh-check-") as directory:
        return [call_from_sleep(m, write_kubeconfig(Path(directory), m, kubeconfigs[m]), calls, run, kubectl) for m in members]


def report(results: list[MemberResult], expected: Sequence[str]) -> tuple[list[str], bool]:
    """Lines for people, and whether every member reached every version (M38)."""
    lines, ok = [], True
    for r in results:
        seen = ", ".join(f"{v} x{n}" for v, n in sorted(r.versions.items())) or "nothing"
        missing = r.missing(expected)
        ok = ok and not missing
        verdict = "ok" if not missing else f"MISSING {', '.join(missing)}"
        lines.append(f"{r.member}: {r.calls} calls from sleep -> {seen}; {len(r.failures)} failed; {verdict}")
        lines += [f"  failed: {f}" for f in sorted(set(r.failures))[:3]]
    lines.append(("every member reached " if ok else "NOT every member reached ") + ", ".join(expected))
    return lines, ok
