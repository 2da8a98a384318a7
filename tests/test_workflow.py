"""The pull-request workflow runs what the README promises (actionlint is not installable here)."""

import yaml

from offline.harness import PROJECT_DIR


def test_pull_requests_run_the_tests_the_plans_and_a_policy_preview():
    workflow = yaml.safe_load((PROJECT_DIR / ".github" / "workflows" / "pull-request.yml").read_text())
    jobs = workflow["jobs"]
    assert set(jobs) == {"test", "preview"}
    runs = [step.get("run") for step in jobs["test"]["steps"]]
    assert "make test" in runs and "make plan STACK=dev" in runs and "make plan STACK=prod" in runs
    assert (PROJECT_DIR / ".ci" / "run").read_text().strip().endswith("make test")
    preview = jobs["preview"]
    assert preview["needs"] == "test" and preview["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    action = next(s for s in preview["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@"))
    assert action["with"]["command"] == "preview" and action["with"]["policyPacks"] == "policies"
    assert action["with"]["policyPackConfigs"] == "policies/config.json" and action["with"]["comment-on-pr"] is True
    assert all("timeout-minutes" in job for job in jobs.values())
    assert preview["permissions"]["id-token"] == "write" and workflow["permissions"] == {"contents": "read"}
