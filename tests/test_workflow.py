"""The GitHub workflows: what they run, and that a security review passes them - every action
pinned to a commit, least privilege per job, no persisted credentials, no stored keys, one update
at a time per stack, prod only through a protected environment (actionlint is not installable
here; zizmor is, and runs in `make test` as well)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline.harness import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
PINNED = re.compile(r"^\s*-?\s*uses: (?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40}) # (?P<tag>v\d+\.\d+\.\d+)$")


def workflow(name):
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps_using(job, action):
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(f"{action}@")]


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_tag(name):
    lines = [line for line in (WORKFLOWS / name).read_text().splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert PINNED.match(line), f"{name}: not pinned to a full commit SHA with its tag: {line.strip()}"
    # one version of each action across the workflows
    tags = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            if m := PINNED.match(line):
                assert tags.setdefault(m["action"], m["sha"]) == m["sha"], m["action"]


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_least_privilege_and_no_persisted_credentials(name):
    document = workflow(name)
    assert document["permissions"] == {}  # the token can do nothing unless a job asks
    for job_name, job in document["jobs"].items():
        assert job.get("name") and "timeout-minutes" in job, job_name
        assert job["permissions"]["contents"] == "read", job_name
        assert set(job["permissions"]) <= {"contents", "id-token", "pull-requests"}, job_name
        if job["permissions"].get("id-token"):
            assert steps_using(job, "aws-actions/configure-aws-credentials"), f"{job_name} asks for OIDC but uses none"
        for checkout in steps_using(job, "actions/checkout"):
            assert checkout["with"]["persist-credentials"] is False, job_name
    assert "secrets." not in (WORKFLOWS / name).read_text()  # OIDC to AWS and Pulumi Cloud: nothing stored


def pulumi_steps(job):
    return steps_using(job, "pulumi/actions")


def test_pull_requests_run_the_tests_the_plans_and_a_policy_preview():
    document = workflow("pull-request.yml")
    jobs = document["jobs"]
    assert set(jobs) == {"test", "preview"}
    runs = [step.get("run") for step in jobs["test"]["steps"]]
    assert "make test" in runs and "make plan STACK=dev" in runs and "make plan STACK=prod" in runs
    assert (PROJECT_DIR / ".ci" / "run").read_text().strip().endswith("make test")
    preview = jobs["preview"]
    assert preview["needs"] == "test" and preview["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    (action,) = pulumi_steps(preview)
    assert action["with"]["command"] == "preview" and action["with"]["comment-on-pr"] is True
    assert (action["with"]["policyPacks"], action["with"]["policyPackConfigs"]) == ("policies", "policies/config.json")
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}


def test_deploy_updates_dev_on_main_and_prod_only_through_its_protected_environment():
    document = workflow("deploy.yml")
    assert document[True] == {"push": {"branches": ["main"]}}  # YAML reads `on` as true
    jobs = document["jobs"]
    assert [jobs["dev"]["needs"], jobs["prod-preview"]["needs"], jobs["prod"]["needs"]] == ["test", "dev", "prod-preview"]
    assert "make test" in [s.get("run") for s in jobs["test"]["steps"]]  # a red test stops the deploy
    expected = {
        "dev": ("dev", "up", "dev"),
        "prod-preview": ("production-preview", "preview", "prod"),
        "prod": ("production", "up", "prod"),
    }
    for name, (environment, command, stack) in expected.items():
        job = jobs[name]
        assert job["environment"] == environment, name
        (action,) = pulumi_steps(job)
        assert action["with"]["command"] == command and action["with"]["stack-name"].endswith(f"/ipv6-eks/{stack}")
        # the policy pack on every preview and update: a mandatory violation fails it
        assert (action["with"]["policyPacks"], action["with"]["policyPackConfigs"]) == ("policies", "policies/config.json")
        # one update at a time per stack, never cancelled half-way
        assert job["concurrency"] == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
        assert job["permissions"]["id-token"] == "write" and steps_using(job, "pulumi/auth-actions")
        # dependencies installed first: pulumi/actions installs none
        assert "make venv/.installed policies/venv/.installed" in [s.get("run") for s in job["steps"]]
    # prod runs where its deployer CIDRs are (a fixed-egress runner), dev anywhere
    assert "vars.PROD_RUNNER" in jobs["prod"]["runs-on"] and jobs["dev"]["runs-on"] == "ubuntu-latest"


def test_zizmor_finds_nothing_under_its_strictest_persona():
    zizmor = Path(sys.executable).parent / "zizmor"
    done = subprocess.run([zizmor, "--offline", "--persona", "auditor", str(WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "zizmor --offline .github/workflows" in makefile
