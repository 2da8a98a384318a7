"""Evaluate a Pulumi program under the project's mocks, the way ``pulumi up`` would run it.

Each evaluation gets a fresh ``contextvars`` context and event loop, so evaluations (the plan,
every test) never share Pulumi's global state, and ``preview=False`` so every ``apply`` runs and
the recorded graph holds final values.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import json
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import config as runtime_config
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.proto import source_pb2

from offline.mocks import AwsLikeMocks, RecordedResource, RecordingMonitor

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT = "ipv6-eks"


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each submitted call at once, on the calling thread.

    The SDK sends every registration to the monitor through ``run_in_executor``; with the mock
    monitor in-process, a thread hop buys nothing. Running inline keeps registrations in program
    order - so ids, the Amazon /56s handed out and the plan's listing are the same every run -
    and saves the thread switches.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=1)

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


@contextlib.contextmanager
def _no_source_stack_traces():
    """Skip the SDK's per-resource Python stack capture: it only feeds source positions to a
    real engine's UI, and reading every frame's source file is a third of an offline run."""
    original = runtime_resource._get_stack_trace
    runtime_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        runtime_resource._get_stack_trace = original


@dataclass
class Evaluation:
    """What a program registered (in registration order) and what it exported."""

    stack: str
    region: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]

    def of_type(self, typ: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == typ]

    def named(self, typ: str, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.type == typ and r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources of type {typ} named {name!r}")
        return matches[0]

    def by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}

    def by_id(self) -> dict[str, RecordedResource]:
        return {r.id: r for r in self.resources if r.id}


def stack_file_config(path: Path) -> dict[str, Any]:
    """The ``config:`` of a stack file, keys fully qualified (``ipv6-eks:vpcs``), values as YAML gave them."""
    document = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    config = document.get("config") or {}
    return {(key if ":" in key else f"{PROJECT}:{key}"): value for key, value in config.items()}


def runtime_values(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to a program: strings, with objects JSON-encoded."""
    out = {}
    for key, value in config.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, dict) and set(value) == {"secure"}:
            out[key] = "[secret: not decrypted offline]"
        else:
            out[key] = json.dumps(value)
    return out


def evaluate(
    program: Callable[[], Any],
    *,
    stack: str,
    config: Mapping[str, Any],
    mocks: pulumi.runtime.Mocks | None = None,
    monitor: RecordingMonitor | None = None,
) -> Evaluation:
    """Run ``program`` under mocks with ``config``; exceptions from the program propagate.

    Pass your own ``monitor`` to see what was registered even when the program raised.
    """
    region = str(config.get("aws:region") or "us-east-2")
    mocks = mocks or AwsLikeMocks(region)
    monitor = monitor or RecordingMonitor(mocks)
    exported: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        loop.set_default_executor(InlineExecutor())
        asyncio.set_event_loop(loop)
        try:
            pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
            runtime_config.set_all_config(runtime_values(config))

            def body():
                program()
                root = runtime_settings.get_root_resource()
                return pulumi.Output.from_input(getattr(root, "outputs", {})).apply(exported.update)

            pulumi.runtime.test(body)()
        finally:
            loop.close()
            asyncio.set_event_loop(None)

    with _no_source_stack_traces():
        contextvars.Context().run(run)
    return Evaluation(stack=stack, region=region, resources=list(monitor.recorded.values()), outputs=exported)


def evaluate_stack(stack_file: Path, *, mocks: pulumi.runtime.Mocks | None = None) -> Evaluation:
    """Evaluate the project's ``__main__.py`` with the configuration of ``stack_file``."""
    stack = stack_name(stack_file)
    main = str(PROJECT_DIR / "__main__.py")
    return evaluate(
        lambda: runpy.run_path(main, run_name="__main__"),
        stack=stack,
        config=stack_file_config(stack_file),
        mocks=mocks,
    )


def stack_name(stack_file: Path) -> str:
    """``Pulumi.dev.yaml`` -> ``dev``."""
    name = stack_file.name
    if not (name.startswith("Pulumi.") and name.endswith((".yaml", ".yml"))):
        raise ValueError(f"{stack_file}: not a stack file; allowed: Pulumi.<stack>.yaml")
    return name.removeprefix("Pulumi.").rsplit(".", 1)[0]
