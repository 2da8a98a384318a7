"""Every plain Kubernetes object the stacks register, validated against the Kubernetes OpenAPI
schema of the clusters' version (kubernetes-validate, strict: unknown fields are errors too)."""

import kubernetes_validate
import pytest

KUBERNETES_VERSION = "1.34"  # the clusters' version in dev and prod
# Helm releases render their objects in the cluster; Istio's custom resources have no schema in the
# Kubernetes OpenAPI (the mesh tests check the Gateway's fields, M27).
NOT_PLAIN = ("kubernetes:helm.sh/", "pulumi:providers:", "kubernetes:networking.istio.io/")


def plain_objects(evaluation):
    return [r for r in evaluation.resources if r.type.startswith("kubernetes:") and not r.type.startswith(NOT_PLAIN)]


def as_manifest(resource):
    manifest = {k: v for k, v in resource.inputs.items() if k in ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type")}
    return manifest


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_plain_kubernetes_object_is_valid_for_the_clusters_version(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    objects = plain_objects(evaluation)
    if stack == "dev":
        kinds = {(o.inputs["apiVersion"], o.inputs["kind"]) for o in objects}
        assert {("v1", "Namespace"), ("apps/v1", "Deployment"), ("v1", "Service"), ("networking.k8s.io/v1", "Ingress")} <= kinds
    for resource in objects:
        manifest = as_manifest(resource)
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            pytest.fail(f"{resource.name}: {manifest['apiVersion']}/{manifest['kind']} is no plain Kubernetes kind")
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{resource.name}: {'.'.join(map(str, error.path))}: {error.message}")


def test_the_validator_is_not_vacuous():
    bad = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "x"},
        "spec": {"rules": [{"http": {"paths": [{"path": "/"}]}}]},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)
