"""Shipping: the pip package, its schema for other languages, the plugin directory, and the
README's component reference - each checked the way another team would meet it."""

import json
import os
import re
import subprocess
import sys
import tomllib
import venv
from importlib.metadata import requires

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

import ipv6_eks
from offline.harness import PROJECT_DIR
from offline.reference_docs import README, main, package_schema, refreshed

COMPONENTS = ("DualStackVpc", "Ipv6EksCluster", "LbController", "IstioMultiPrimary")
PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())


def test_one_namespace_exports_the_four_components_and_their_argument_types():
    for name in COMPONENTS:
        component = getattr(ipv6_eks, name)
        assert component.__module__.startswith("ipv6_eks.")
        assert hasattr(ipv6_eks, f"{name}Args")
    assert [c.__name__ for c in ipv6_eks.COMPONENTS] == list(COMPONENTS)
    assert ipv6_eks.__version__ == PYPROJECT["project"]["version"]
    # the stacks use the same code: the program imports ipv6_eks, and nothing imports components.*
    assert "from ipv6_eks." in (PROJECT_DIR / "__main__.py").read_text()
    sources = [*PROJECT_DIR.glob("*.py"), *PROJECT_DIR.glob("*/*.py"), *PROJECT_DIR.glob("examples/*/*.py")]
    stale = "from " + "components"  # spelled apart so this file does not match itself
    assert not [p for p in sources if "venv" not in p.parts and stale in p.read_text()]


def test_runtime_dependencies_are_declared_and_bounded():
    declared = {Requirement(r).name.lower(): Requirement(r) for r in requires("ipv6-eks") or [] if "extra ==" not in r}
    assert set(declared) == {"pulumi", "pulumi-aws", "pulumi-eks", "pulumi-kubernetes", "pulumi-tls", "pyyaml"}
    lines = [line for line in (PROJECT_DIR / "constraints.txt").read_text().splitlines() if "==" in line and not line.startswith("#")]
    pins = {line.split("==")[0].lower().replace("_", "-"): line.split("==")[1].strip() for line in lines}
    for name, requirement in declared.items():
        operators = {spec.operator for spec in requirement.specifier}
        assert operators == {">=", "<"}, f"{name}: {requirement.specifier}"
        assert requirement.specifier.contains(pins[name]), f"{name}: the tested {pins[name]} is outside {requirement.specifier}"


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A virtualenv outside the repository with the repository pip-installed (not editable)."""
    where = tmp_path_factory.mktemp("consumer")
    venv.EnvBuilder(with_pip=True).create(where / "venv")
    python = where / "venv" / "bin" / "python"
    install = [
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        str(PROJECT_DIR),
        "-c",
        str(PROJECT_DIR / "constraints.txt"),
    ]
    done = subprocess.run(install, capture_output=True, text=True, timeout=600, cwd=where)
    assert done.returncode == 0, done.stderr[-2000:]
    return where, python


def test_pip_install_into_a_fresh_venv_gives_components_that_construct(fresh_venv):
    where, python = fresh_venv
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [python, str(PROJECT_DIR / "tests" / "package_smoke.py")], capture_output=True, text=True, timeout=300, cwd=where, env=env
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], done.stderr[-3000:]
    assert result["version"] == PYPROJECT["project"]["version"]
    assert result["file"].startswith(str(where)) and "site-packages" in result["file"]  # the installed copy, not the repository
    registered = result["registered"]
    assert {f"ipv6-eks:index:{c}" for c in COMPONENTS} <= set(registered)
    assert "eks:index:Cluster" in registered and registered.count("kubernetes:helm.sh/v3:Release") == 5  # LBC + base and istiod twice
    # the policy facts the components build to travel with them
    facts = subprocess.run(
        [python, "-c", "import ipv6_eks.guardrails.facts as f; print(f.__file__)"], capture_output=True, text=True, cwd=where, env=env
    )
    assert facts.returncode == 0 and "site-packages" in facts.stdout


def test_the_schema_lists_the_four_components_with_described_inputs_and_outputs():
    schema = package_schema()
    assert (schema["name"], schema["version"]) == ("ipv6-eks", PYPROJECT["project"]["version"])
    assert sorted(schema["resources"]) == sorted(f"ipv6-eks:index:{c}" for c in COMPONENTS)
    for token, resource in schema["resources"].items():
        assert resource["isComponent"] and resource["description"], token
        for kind in ("inputProperties", "properties"):
            undocumented = [name for name, prop in resource[kind].items() if not prop.get("description")]
            assert not undocumented, f"{token} {kind}: {undocumented}"
    for token, kind in schema["types"].items():
        assert kind.get("description") and all(p.get("description") for p in kind["properties"].values()), token


def test_the_schema_carries_the_contract_other_languages_get():
    resources = package_schema()["resources"]
    vpc = resources["ipv6-eks:index:DualStackVpc"]
    assert set(vpc["requiredInputs"]) == {"ipv4Cidr", "availabilityZones", "tiers"}
    assert vpc["inputProperties"]["tiers"]["items"]["$ref"] == "#/types/ipv6-eks:index:SubnetTierArgs"
    assert {"vpcId", "ipv6CidrBlock", "subnetIds", "natPublicIps"} <= set(vpc["properties"])
    cluster = resources["ipv6-eks:index:Ipv6EksCluster"]
    assert set(cluster["requiredInputs"]) == {"vpcId", "kubernetesVersion", "controlPlaneSubnets", "nodeSubnets", "nodeGroups"}
    assert cluster["properties"]["provider"]["$ref"].endswith("#/resources/pulumi:providers:kubernetes")
    lbc = resources["ipv6-eks:index:LbController"]
    assert lbc["inputProperties"]["kubernetesProvider"]["$ref"].endswith("#/resources/pulumi:providers:kubernetes")
    mesh = resources["ipv6-eks:index:IstioMultiPrimary"]
    assert set(mesh["requiredInputs"]) == {"meshId", "networkModel", "members"}
    member = package_schema()["types"]["ipv6-eks:index:MeshMemberArgs"]
    assert {"name", "ipFamily", "network", "endpoint", "certificateAuthority", "kubernetesProvider"} <= set(member["required"])
    # the provider reference pins pulumi-kubernetes: a consumer on another version gets a URN, not a provider
    assert {d["name"]: d["version"] for d in package_schema()["dependencies"]} == {"kubernetes": "4.34.2"}


def test_the_plugin_directory_hosts_the_same_components():
    plugin = PROJECT_DIR / "provider"
    assert yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text())["runtime"]["name"] == "python"
    assert not (plugin / "Pulumi.yaml").exists()  # a plugin, not a project
    requirements = (plugin / "requirements.txt").read_text().split("\n")
    assert ".." in requirements and "-c ../constraints.txt" in requirements
    main_py = (plugin / "__main__.py").read_text()
    assert 'component_provider_host(components=list(COMPONENTS), name="ipv6-eks", version=__version__)' in main_py
    # every component's type token is in the package the host is named after
    for component in ipv6_eks.COMPONENTS:
        assert (
            f"ipv6-eks:index:{component.__name__}"
            in (PROJECT_DIR / "components" / f"{component.__module__.rsplit('.', 1)[-1]}.py").read_text()
        )


def test_the_readme_component_reference_is_the_schema():
    text = README.read_text()
    assert all(f"<!-- schema:{c} -->" in text for c in COMPONENTS)
    _, changed = refreshed(text)
    assert changed == [], f"run python -m offline.reference_docs --write: {changed}"
    assert main([]) == 0


def test_a_drifted_readme_is_caught():
    drifted = README.read_text().replace("| `mesh_id` |", "| `mesh_name` |", 1)
    _, changed = refreshed(drifted)
    assert changed == ["IstioMultiPrimary"]


def test_the_changelog_starts_at_the_first_version():
    changelog = (PROJECT_DIR / "CHANGELOG.md").read_text()
    version = PYPROJECT["project"]["version"]
    assert f"## {version}" in changelog
    policy_version = yaml.safe_load((PROJECT_DIR / "policies" / "PulumiPolicy.yaml").read_text())["version"]
    assert f"policy pack {policy_version}" in changelog


def test_requirements_install_the_project_itself_editable():
    lines = (PROJECT_DIR / "requirements.txt").read_text().splitlines()
    assert "-e ." in lines


def test_the_policy_pack_publishes_on_its_own():
    pack = PROJECT_DIR / "policies"
    settings = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    assert settings["runtime"]["name"] == "python" and Version(settings["version"])
    assert {"venv/", "__pycache__/"} <= set((pack / ".gitignore").read_text().split())  # kept out of the archive
    # self-contained: the rules import only each other, pulumi_policy, yaml and the standard library
    allowed = {"pulumi_policy", "yaml", *sys.stdlib_module_names}
    for module in (pack / "guardrails").glob("*.py"):
        for line in module.read_text().splitlines():
            if m := re.match(r"^(?:from|import) ([\w.]+)", line):
                assert m[1].startswith(".") or m[1].split(".")[0] in allowed | {"__future__"}, f"{module.name}: {line}"
    requirements = (pack / "requirements.txt").read_text()
    assert "pulumi-policy==" in requirements and "PyYAML==" in requirements
