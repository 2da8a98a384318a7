"""Drive the policy pack exactly as the Pulumi CLI does: start it with its own virtualenv's Python
as ``python -u -m pulumi.policy <engine> .`` in the pack's folder, read the port it prints, and
speak the Analyzer gRPC protocol to it (``GetAnalyzerInfo``, ``Configure``, ``Analyze`` per
resource, ``AnalyzeStack``).

The resources come from an evaluated stack (``offline.harness``) or any hand-made graph of
``RecordedResource``s: inputs go to ``Analyze``, outputs with parents, dependencies and property
dependencies to ``AnalyzeStack``, as the engine sends them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from offline.harness import PROJECT_DIR
from offline.mocks import RecordedResource

PACK_DIR = PROJECT_DIR / "policies"
LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_VALUES = {name: value for value, name in LEVEL_NAMES.items()}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str
    urn: str
    message: str


def pack_python(pack_dir: Path = PACK_DIR) -> str:
    """The interpreter the CLI would use: the pack's ``venv`` (PulumiPolicy.yaml), else this one."""
    venv = pack_dir / "venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@contextmanager
def running_pack(pack_dir: Path = PACK_DIR, python: str | None = None, stack: str = "dev") -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """Start the pack as the CLI's policy shim does and yield a connected Analyzer stub."""
    env = {**os.environ, "PULUMI_PROJECT": "ipv6-eks", "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true", "PULUMI_CONFIG": "{}"}
    env.pop("PYTHONPATH", None)  # the pack sees only its own folder and virtualenv
    process = subprocess.Popen(
        [python or pack_python(pack_dir), "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."],
        cwd=pack_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(
                f"the policy pack did not print its port: {line!r} {process.stderr.read() if process.poll() is not None else ''}"
            )
        channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(channel).result(timeout=30)
        try:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
        finally:
            channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(_jsonable(values), message)
    return message


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _options(r: RecordedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent or "")


def _provider(r: RecordedResource, by_urn: dict[str, RecordedResource]) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = by_urn.get((r.provider or "").rsplit("::", 1)[0])
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=_struct(provider.inputs), urn=provider.urn, name=provider.name
    )


def _diagnostics(response: analyzer_pb2.AnalyzeResponse, default_urn: str = "") -> list[Diagnostic]:
    return [
        Diagnostic(d.policyName, LEVEL_NAMES.get(d.enforcementLevel, "?"), d.urn or default_urn, d.message) for d in response.diagnostics
    ]


def info(stub: analyzer_pb2_grpc.AnalyzerStub) -> analyzer_pb2.AnalyzerInfo:
    return stub.GetAnalyzerInfo(empty_pb2.Empty())


def plugin_version(stub: analyzer_pb2_grpc.AnalyzerStub) -> plugin_pb2.PluginInfo:
    return stub.GetPluginInfo(empty_pb2.Empty())


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, config: dict[str, Any]) -> None:
    """Send policy configuration in the ``--policy-pack-config`` format (levels and properties)."""
    policies = {p.name: p for p in info(stub).policies}
    default = config.get("all")
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, policy in policies.items():
        entry = config.get(name, {})
        level = policy.enforcementLevel if default is None else LEVEL_VALUES[str(default).lower()]
        properties: dict[str, Any] = {}
        if isinstance(entry, str):
            level = LEVEL_VALUES[entry.lower()]
        elif isinstance(entry, dict):
            level = LEVEL_VALUES[str(entry.get("enforcementLevel", LEVEL_NAMES[level])).lower()]
            properties = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(enforcementLevel=level, properties=_struct(properties)))
    stub.Configure(request)


def analyze(stub: analyzer_pb2_grpc.AnalyzerStub, resources: Iterable[RecordedResource]) -> list[Diagnostic]:
    """``Analyze`` each resource's inputs, then ``AnalyzeStack`` with every resource's outputs."""
    resources = list(resources)
    by_urn = {r.urn: r for r in resources}
    found: list[Diagnostic] = []
    for r in resources:
        request = analyzer_pb2.AnalyzeRequest(type=r.type, properties=_struct(r.inputs), urn=r.urn, name=r.name, options=_options(r))
        provider = _provider(r, by_urn)
        if provider is not None:
            request.provider.CopyFrom(provider)
        found += _diagnostics(stub.Analyze(request), r.urn)
    stack = analyzer_pb2.AnalyzeStackRequest()
    for r in resources:
        resource = analyzer_pb2.AnalyzerResource(
            type=r.type,
            properties=_struct(r.outputs),
            urn=r.urn,
            name=r.name,
            options=_options(r),
            parent=r.parent or "",
            dependencies=r.dependencies,
        )
        provider = _provider(r, by_urn)
        if provider is not None:
            resource.provider.CopyFrom(provider)
        for key, urns in r.property_dependencies.items():
            resource.propertyDependencies[key].CopyFrom(analyzer_pb2.AnalyzerPropertyDependencies(urns=urns))
        stack.resources.append(resource)
    found += _diagnostics(stub.AnalyzeStack(stack))
    return found
