"""Gathering the Kubernetes side through the official client: each list, pruned, and what could not be listed.

Lists are read as the API's own JSON (`_preload_content=False`), page by page, and pruned at once to what
the rules read (`shapes`). A list the credentials may not read (401, 403) or the server does not serve
(404) is recorded under its kind in the errors, and the rules needing it skip, citing the reason; an API
server that cannot be reached at all stops the run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from domino_eks.collect import shapes
from domino_eks.errors import ToolError
from domino_eks.model import DOMINO_NAMESPACES

PAGE_SIZE = 500
NOT_SERVED = 404
AWS_AUTH_CONFIG_MAP = ("kube-system", "aws-auth")  # where EKS reads node role mappings in its CONFIG_MAP modes
# `aws eks update-kubeconfig` names a context's cluster by its ARN; eksctl by <name>.<region>.eksctl.io
_EKS_ARN = re.compile(r"^arn:aws[\w-]*:eks:(?P<region>[\w-]+):\d+:cluster/(?P<name>[\w-]+)$")
_EKSCTL_CLUSTER = re.compile(r"^(?P<name>[\w-]+)\.(?P<region>[a-z]{2}(-gov)?-[a-z]+-\d)\.eksctl\.io$")


@dataclass(frozen=True)
class KubeAccess:
    kubeconfig: str | None = None  # None: $KUBECONFIG or ~/.kube/config, as kubectl
    context: str | None = None  # None: the kubeconfig's current context


def api_client(access: KubeAccess):
    """An ApiClient for the kubeconfig's context. Raises ConfigException when there is none to use."""
    from kubernetes import config

    return config.new_client_from_config(config_file=access.kubeconfig, context=access.context,
                                         persist_config=False)


def eks_cluster_of_context(access: KubeAccess) -> tuple[str, str] | None:
    """(cluster name, region) when the context's cluster is named the way the AWS CLI or eksctl name it."""
    from kubernetes import config
    from kubernetes.config.config_exception import ConfigException

    try:
        contexts, current = config.list_kube_config_contexts(config_file=access.kubeconfig)
    except (ConfigException, OSError):
        return None
    chosen = next((c for c in contexts if c["name"] == access.context), None) if access.context else current
    cluster = ((chosen or {}).get("context") or {}).get("cluster", "")
    match = _EKS_ARN.match(cluster) or _EKSCTL_CLUSTER.match(cluster)
    return (match.group("name"), match.group("region")) if match else None


def collect(access: KubeAccess) -> tuple[dict | None, dict[str, str]]:
    """(Kubernetes facts, errors by kind); no facts at all when no kubeconfig context can be used."""
    from kubernetes.config.config_exception import ConfigException

    try:
        api = api_client(access)
    except (ConfigException, OSError) as exc:
        where = access.kubeconfig or "the default kubeconfig ($KUBECONFIG or ~/.kube/config)"
        return None, {"kubernetes": f"no usable kubeconfig context in {where}: {exc}"}
    with api:
        return _Lister(api).everything()


def aws_auth(access: KubeAccess) -> tuple[dict, dict[str, str]]:
    """({"aws_auth": the ConfigMap's data, {} when it does not exist}, errors): read once the cluster's
    authentication mode says EKS reads it."""
    with api_client(access) as api:
        lister = _Lister(api)
        namespace, name = AWS_AUTH_CONFIG_MAP
        found = lister.call(shapes.AWS_AUTH, lister.core.read_namespaced_config_map, absent={}, name=name,
                            namespace=namespace)
        lister.store(shapes.AWS_AUTH, None if found is None else found.get("data") or {})
        return lister.facts, lister.errors


class _Lister:
    def __init__(self, api) -> None:
        from kubernetes import client

        self.api = api
        self.core, self.storage, self.apps = client.CoreV1Api(api), client.StorageV1Api(api), client.AppsV1Api(api)
        self.version_api = client.VersionApi(api)
        self.facts: dict = {}
        self.errors: dict[str, str] = {}
        self.refused: dict[str, int] = {}  # the HTTP status of each refusal in `errors`

    def everything(self) -> tuple[dict, dict[str, str]]:
        self.server_version()
        for kind, list_call in (
            ("Node", self.core.list_node),
            ("StorageClass", self.storage.list_storage_class),
            ("CSIDriver", self.storage.list_csi_driver),
            ("Namespace", self.core.list_namespace),
            ("DaemonSet", self.apps.list_daemon_set_for_all_namespaces),
        ):
            self.store(shapes.KINDS[kind][0], self.listed(kind, list_call))
        self.store(shapes.KINDS["Pod"][0], self.domino_pods())
        for kind, (group, version, plural) in shapes.CUSTOM_RESOURCES.items():
            self.store(shapes.KINDS[kind][0], self.custom_objects(kind, group, version, plural))
        return self.facts, self.errors

    def store(self, key: str, found: object | None) -> None:
        if found is not None:
            self.facts[key] = found

    def server_version(self) -> None:
        body = self.call(shapes.SERVER_VERSION, self.version_api.get_code)
        self.store(shapes.SERVER_VERSION, None if body is None else body.get("gitVersion"))

    def listed(self, kind: str, list_call: Callable, **arguments) -> list | None:
        """Every item of a list call, page by page, pruned; None (and an error recorded) if refused."""
        key, shape = shapes.KINDS[kind]
        items, token = [], None
        while True:
            page = self.call(key, list_call, limit=PAGE_SIZE, _continue=token, **arguments)
            if page is None:
                return None
            items += [shapes.prune(item, shape) for item in page.get("items") or ()]
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def custom_objects(self, kind: str, group: str, version: str, plural: str) -> list | None:
        """Every object of a custom resource; none when the cluster does not serve it (404: no such CRD, no
        Karpenter), rather than a list refused."""
        from kubernetes import client

        def list_call(**arguments):
            return client.CustomObjectsApi(self.api).list_cluster_custom_object(group, version, plural, **arguments)

        found = self.listed(kind, list_call)
        key = shapes.KINDS[kind][0]
        if found is None and self.refused.get(key) == NOT_SERVED:
            del self.errors[key]
            return []
        return found

    def domino_pods(self) -> list | None:
        """Pods in those of Domino's namespaces that already exist: the workloads K001 asks about."""
        if "namespaces" not in self.facts:
            return None
        pods: list = []
        for namespace in (n["metadata"]["name"] for n in self.facts["namespaces"]):
            if namespace in DOMINO_NAMESPACES:
                listed = self.listed("Pod", self.core.list_namespaced_pod, namespace=namespace)
                if listed is None:
                    return None
                pods += listed
        return pods

    def call(self, key: str, operation: Callable, absent: dict | None = None, **arguments) -> dict | None:
        """The response's JSON; `absent` when the object is not there (404) and the caller says what that means,
        else None with the refusal recorded under `key`."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            response = operation(_preload_content=False, **arguments)
        except ApiException as exc:
            if exc.status == 404 and absent is not None:
                return absent
            self.errors[key] = _refusal(exc)
            self.refused[key] = exc.status
            return None
        except HTTPError as exc:
            raise ToolError(f"cannot reach the Kubernetes API at {self.api.configuration.host}: {exc}") from None
        return json.loads(response.data)


def _refusal(exc) -> str:
    """'Forbidden: nodes is forbidden: User "x" cannot list resource "nodes"...' from an API error."""
    try:
        status = json.loads(exc.body)
    except (TypeError, ValueError):
        status = {}
    reason = status.get("reason") or exc.reason or "HTTP"
    return f"{reason}: {status['message']}" if status.get("message") else f"{reason} ({exc.status})"
