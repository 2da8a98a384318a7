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
import os
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
from stack_config import STACK_FILE_SHOWN
from stack_config.problems import ConfigError
from stack_config.stack_file import read_stack_file, runtime_values

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT = "ipv6-eks"


def single_worker_executor() -> concurrent.futures.ThreadPoolExecutor:
    """The executor the SDK sends every registration and invoke through: one worker thread.

    The mock monitor serializes each registration's state with ``_sync_await``. On the event
    loop's own thread that steps the running loop from inside a callback, which runs the next
    registration inside this one: a stack of a few VPCs and clusters then exceeds Python's
    recursion limit. On a worker thread it runs on that thread's own loop, so depth stays flat.
    The order registrations complete in may vary between runs; nothing the plan reports
    depends on it (the mocks hand out Amazon /56s by VPC name, reports are sorted).
    """
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulumi-mocks", initializer=_worker_loop)


def _worker_loop() -> None:
    """The worker's own event loop, for the mock monitor's ``_sync_await``."""
    asyncio.set_event_loop(asyncio.new_event_loop())


def _close_worker_loop() -> None:
    asyncio.get_event_loop().close()
    asyncio.set_event_loop(None)


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


def evaluate(
    program: Callable[[], Any],
    *,
    stack: str,
    config: Mapping[str, Any],
    mocks: pulumi.runtime.Mocks | None = None,
    monitor: RecordingMonitor | None = None,
    project: str = PROJECT,
) -> Evaluation:
    """Run ``program`` under mocks with ``config``; exceptions from the program propagate.

    Pass your own ``monitor`` to see what was registered even when the program raised.
    """
    region = str(config.get("aws:region") or "us-east-2")
    vpcs = config.get(f"{PROJECT}:vpcs")
    mocks = mocks or AwsLikeMocks(region, vpc_order=list(vpcs) if isinstance(vpcs, dict) else [])
    monitor = monitor or RecordingMonitor(mocks)
    exported: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        executor = single_worker_executor()
        loop.set_default_executor(executor)
        asyncio.set_event_loop(loop)
        try:
            pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
            runtime_config.set_all_config(runtime_values(config))

            def body():
                program()
                root = runtime_settings.get_root_resource()
                return pulumi.Output.from_input(getattr(root, "outputs", {})).apply(exported.update)

            pulumi.runtime.test(body)()
        finally:
            # Transforms start a callback server on this loop: stop it before the loop goes.
            loop.run_until_complete(runtime_settings._shutdown_callbacks())
            executor.submit(_close_worker_loop).result()
            loop.close()  # shuts the executor down too
            asyncio.set_event_loop(None)

    with _no_source_stack_traces():
        contextvars.Context().run(run)
    return Evaluation(stack=stack, region=region, resources=list(monitor.recorded.values()), outputs=exported)


def evaluate_stack(stack_file: Path, *, mocks: pulumi.runtime.Mocks | None = None) -> Evaluation:
    """Evaluate a program with the configuration of ``stack_file``: the program of the directory
    the file is in, when that directory is a Pulumi project of its own (an example), else this
    project's ``__main__.py``. Configuration errors name the file as given (relative to the
    working directory if inside it)."""
    stack = stack_name(stack_file)
    program_dir = program_dir_of(stack_file)
    main = str(program_dir / "__main__.py")
    shown = os.path.relpath(stack_file) if not os.path.relpath(stack_file).startswith("..") else str(stack_file)

    def program() -> None:
        STACK_FILE_SHOWN.set(shown)
        runpy.run_path(main, run_name="__main__")

    config = read_stack_file(stack_file)
    return evaluate(program, stack=stack, config=config, mocks=mocks, project=project_name(program_dir))


def program_dir_of(stack_file: Path) -> Path:
    """The Pulumi project a stack file belongs to: its own directory if that holds a program."""
    directory = Path(stack_file).resolve().parent
    if directory != PROJECT_DIR and (directory / "Pulumi.yaml").is_file() and (directory / "__main__.py").is_file():
        return directory
    return PROJECT_DIR


def project_name(program_dir: Path) -> str:
    """The ``name:`` of the project's ``Pulumi.yaml`` (the namespace of its configuration keys)."""
    if program_dir == PROJECT_DIR:
        return PROJECT
    document = yaml.safe_load((program_dir / "Pulumi.yaml").read_text()) or {}
    return str(document.get("name") or PROJECT)


def stack_name(stack_file: Path) -> str:
    """``Pulumi.dev.yaml`` -> ``dev``."""
    name = stack_file.name
    if not (name.startswith("Pulumi.") and name.endswith((".yaml", ".yml"))):
        raise ConfigError([f"{stack_file}: not a stack file name; allowed: Pulumi.<stack>.yaml"])
    return name.removeprefix("Pulumi.").rsplit(".", 1)[0]
