"""`check --probe`: what static facts cannot show, proved in a short-lived namespace that is removed after.

  PROBE-BLOCK-PVC     a PVC of the block StorageClass binds and is written by a pod on a `default` node
  PROBE-EFS-RWX       a ReadWriteMany PVC of the EFS class is written by two pods, each seeing the other's file
  PROBE-NETPOL-DENY   a pod reaches a server pod; after a default-deny NetworkPolicy, it no longer can
  PROBE-GPU-SCHEDULE  a pod asking for one nvidia.com/gpu runs on the GPU pool

Everything lives in one namespace, domino-eks-probe-<random>, deleted in a `finally` — also on Ctrl-C and on
SIGTERM (which becomes KeyboardInterrupt while probing), with further signals held off while it is deleted.
Like drift, the probes are not catalogue rules: their ids are their own and each reports once per run.
"""

from __future__ import annotations

import secrets
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from domino_eks.errors import ToolError
from domino_eks.model import (
    DEFAULT,
    EFS_CSI_PROVISIONER,
    GPU_RESOURCE,
    NODE_POOL_LABEL,
    Deployment,
)
from domino_eks.rules.base import (
    Finding,
    Outcome,
    Registry,
    Severity,
    failed,
    passed,
    skipped,
)

SECTION = "Proofs on the live cluster (check --probe)"
NAMESPACE_PREFIX = "domino-eks-probe-"
SERVER_PORT = 8080
# restricted Pod Security: a probe must run where Domino's own workloads may
_RESTRICTED = {"runAsNonRoot": True, "runAsUser": 65534, "allowPrivilegeEscalation": False,
               "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
Probe = Callable[["Session", Deployment], Iterator[Outcome]]
# each check takes the probes' session first, then the deployment
_PROBES = Registry()


def run(api, deployment: Deployment, image: str, timeout: int) -> list[Finding]:
    """Every probe against the cluster behind `api` (a kubernetes ApiClient), as findings."""
    session = Session(api, NAMESPACE_PREFIX + secrets.token_hex(3), image, timeout)
    with _terminate_as_interrupt():
        try:
            session.create_namespace()
            return _PROBES.evaluate(deployment, context=[session])
        finally:
            session.delete_namespace()


class Session:
    """The probes' namespace and the calls they make in it."""

    def __init__(self, api, namespace: str, image: str, timeout: int) -> None:
        from kubernetes import client

        self.core, self.networking = client.CoreV1Api(api), client.NetworkingV1Api(api)
        self.namespace, self.image, self.timeout = namespace, image, timeout
        self.created = False
        self.refusal: str | None = None

    def create_namespace(self) -> None:
        from kubernetes.client.exceptions import ApiException

        body = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": self.namespace, "labels": {"app.kubernetes.io/managed-by": "domino-eks"}}}
        # marked before the call: an interrupt during it may come after the server created the namespace
        self.created = True
        try:
            # a dict body: the client's validate_call turns it into the model its annotation names
            self.core.create_namespace(body)  # type: ignore[arg-type]
        except ApiException as exc:
            self.created = False
            self.refusal = f"cannot create namespace {self.namespace}: {exc.reason} ({exc.status})"

    def delete_namespace(self) -> None:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        if not self.created:
            return
        with _signals_held():
            try:
                self.core.delete_namespace(self.namespace)
            except ApiException as exc:
                if exc.status != 404:  # 404: it was never made, or is already gone
                    raise ToolError(self._left_behind(f"{exc.reason} ({exc.status})")) from None
            except HTTPError as exc:
                raise ToolError(self._left_behind(str(exc))) from None

    def _left_behind(self, why: str) -> str:
        return (f"could not delete the probe namespace {self.namespace} ({why}); delete it with "
                f"kubectl delete namespace {self.namespace}")

    def claim(self, name: str, storage_class: str, mode: str) -> None:
        # a dict body: the client's validate_call turns it into the model its annotation names
        self.core.create_namespaced_persistent_volume_claim(self.namespace, {  # type: ignore[arg-type]
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": [mode], "storageClassName": storage_class,
                     "resources": {"requests": {"storage": "1Gi"}}},
        })

    def pod(self, name: str, script: str, *, pool: str | None = None, claim: str | None = None,
            labels: dict | None = None, gpu: bool = False, tolerate: tuple[str, ...] = ()) -> None:
        container: dict = {"name": "probe", "image": self.image, "command": ["sh", "-c", script],
                           "securityContext": _RESTRICTED}
        spec: dict = {"restartPolicy": "Never", "containers": [container], "securityContext": {"fsGroup": 65534}}
        if claim:
            container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
            spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
        if gpu:
            container["resources"] = {"limits": {GPU_RESOURCE: "1"}}
        if pool:
            spec["nodeSelector"] = {NODE_POOL_LABEL: pool}
        if tolerate:
            spec["tolerations"] = [{"key": key, "operator": "Exists"} for key in tolerate]
        # a dict body: the client's validate_call turns it into the model its annotation names
        self.core.create_namespaced_pod(self.namespace, {  # type: ignore[arg-type]
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}}, "spec": spec})

    def deny_all_ingress(self) -> None:
        # a dict body: the client's validate_call turns it into the model its annotation names
        self.networking.create_namespaced_network_policy(self.namespace, {  # type: ignore[arg-type]
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all-ingress"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        })

    def wait(self, name: str, phases: tuple[str, ...]):
        """The pod once its phase is one of `phases`, or as it stands when the timeout runs out."""
        from kubernetes import watch

        watcher = watch.Watch()
        for event in watcher.stream(self.core.list_namespaced_pod, self.namespace,
                                    field_selector=f"metadata.name={name}", timeout_seconds=self.timeout):
            if event["object"].status and event["object"].status.phase in phases:
                watcher.stop()
                return event["object"]
        return self.core.read_namespaced_pod(name, self.namespace)

    def finished(self, name: str):
        return self.wait(name, ("Succeeded", "Failed"))


def _probe(id: str, severity: Severity, *, title: str, rationale: str, fix: str):
    def register(probe: Probe) -> Probe:
        _PROBES.rule(id, severity, title=title, rationale=rationale, fix=fix, section=SECTION)(_guarded(probe))
        return probe
    return register


def _guarded(probe: Probe) -> Probe:
    """A probe that skips, with the reason, when the cluster refuses its namespace or one of its objects."""
    def guarded(session: Session, deployment: Deployment) -> Iterator[Outcome]:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        if session.refusal:
            yield skipped(session.refusal)
            return
        try:
            yield from probe(session, deployment)
        except ApiException as exc:
            yield skipped(f"the cluster refused a probe object: {exc.reason} ({exc.status})")
        except HTTPError as exc:
            raise ToolError(f"lost the Kubernetes API while probing: {exc}") from None
    return guarded


@_probe(
    "PROBE-BLOCK-PVC", Severity.ERROR,
    title="A block volume cannot be provisioned and mounted on a default node",
    rationale="Every execution gets an EBS volume from the block StorageClass, mounted on a compute node; the "
              "class, the EBS CSI driver, its IAM permissions and the node's zone must all work together.",
    fix="Read the PVC's and pod's events in the probe's output; usually the EBS CSI driver or its IAM role.",
)
def block_volume(session: Session, d: Deployment) -> Iterator[Outcome]:
    block = d.storage.block_class
    if block is None or not block.name:
        yield skipped("no EBS StorageClass found to probe.")
        return
    pool = _default_pool(d)
    session.claim("block", block.name, "ReadWriteOnce")
    session.pod("block-writer", "echo probe > /data/probe && cat /data/probe", pool=pool, claim="block")
    pod = session.finished("block-writer")
    where = "a default node" if pool else "a node"
    yield (passed(f"a PVC of StorageClass {block.name} bound and was written on {where}.")
           if _phase(pod) == "Succeeded" else
           failed(f"a pod with a PVC of StorageClass {block.name} on {where} did not succeed: {_story(pod)}."))


@_probe(
    "PROBE-EFS-RWX", Severity.ERROR,
    title="The EFS volume is not writable from two pods at once",
    rationale="Datasets live on EFS and are shared: two executions must write the same volume at the same time.",
    fix="Check the EFS CSI driver, the mount targets in every zone and the 2049 rule (S003, S004).",
)
def shared_volume(session: Session, d: Deployment) -> Iterator[Outcome]:
    efs = next((c for c in d.kubernetes.storage_classes or () if c.provisioner == EFS_CSI_PROVISIONER), None)
    if efs is None or not efs.name:
        yield skipped(f"no StorageClass of {EFS_CSI_PROVISIONER} found to probe.")
        return
    pool = _default_pool(d)
    session.claim("shared", efs.name, "ReadWriteMany")
    # each writer leaves its own file, then waits (up to 2 minutes) until it sees the other's
    script = ('echo probe > "/data/$HOSTNAME" && i=0; while [ "$(ls /data | wc -l)" -lt 2 ]; do '
              'i=$((i+1)); [ $i -gt 60 ] && exit 1; sleep 2; done')
    for writer in ("efs-writer-1", "efs-writer-2"):
        session.pod(writer, script, pool=pool, claim="shared")
    pods = [session.finished(w) for w in ("efs-writer-1", "efs-writer-2")]
    stuck = [p for p in pods if _phase(p) != "Succeeded"]
    yield (passed(f"two pods wrote a ReadWriteMany PVC of StorageClass {efs.name} and saw each other's files.")
           if not stuck else
           failed(f"two pods sharing a PVC of StorageClass {efs.name} did not both succeed: "
                  + "; ".join(f"{p.metadata.name}: {_story(p)}" for p in stuck) + "."))


@_probe(
    "PROBE-NETPOL-DENY", Severity.ERROR,
    title="A default-deny NetworkPolicy does not stop traffic",
    rationale="Domino isolates executions with NetworkPolicies; a plugin that accepts them without enforcing "
              "them leaves every pod reachable from every other, silently.",
    fix="Enable NetworkPolicy enforcement: the VPC CNI's network-policy agent or Calico (N001).",
)
def network_policy(session: Session, d: Deployment) -> Iterator[Outcome]:
    pool = _default_pool(d)
    session.pod("np-server", f"mkdir -p /tmp/www && echo probe > /tmp/www/index.html && "
                             f"httpd -f -p {SERVER_PORT} -h /tmp/www", pool=pool, labels={"probe": "np-server"})
    server = session.wait("np-server", ("Running", "Failed", "Succeeded"))
    if _phase(server) != "Running" or not server.status.pod_ip:
        yield skipped(f"the probe's server pod did not start: {_story(server)}.")
        return
    url = f"http://{server.status.pod_ip}:{SERVER_PORT}/"
    session.pod("np-before", f"wget -q -T 5 -O- {url}", pool=pool)
    if _phase(session.finished("np-before")) != "Succeeded":
        yield skipped("the server pod was unreachable before any NetworkPolicy, so blocking proves nothing.")
        return
    session.deny_all_ingress()
    # enforcement lags the policy by seconds: try for half a minute, succeed as soon as a request fails
    session.pod("np-after", f"for i in $(seq 10); do wget -q -T 3 -O- {url} || exit 0; sleep 3; done; exit 1",
                pool=pool)
    after = session.finished("np-after")
    yield (passed("a default-deny NetworkPolicy stopped traffic that flowed before it.")
           if _phase(after) == "Succeeded" else
           failed("traffic still reached the server pod 30 s after a default-deny NetworkPolicy: the network "
                  f"plugin does not enforce NetworkPolicy ({_story(after)})."))


@_probe(
    "PROBE-GPU-SCHEDULE", Severity.ERROR,
    title="A GPU pod does not schedule on the GPU pool",
    rationale="GPU executions ask for nvidia.com/gpu; without the device plugin, the drivers or a node that can "
              "scale up, they stay Pending.",
    fix="Check the NVIDIA device plugin daemon set, the accelerated AMI and the pool's scale-from-zero tags.",
)
def gpu_pod(session: Session, d: Deployment) -> Iterator[Outcome]:
    pool = next((p for p in d.domino_pools if p.is_gpu), None)
    if pool is None:
        yield skipped("the cluster has no GPU pool.")
        return
    taints = tuple(dict.fromkeys(t.key for g in pool.groups for t in g.taints))
    session.pod("gpu", "true", pool=pool.label, gpu=True, tolerate=taints)
    pod = session.finished("gpu")
    yield (passed(f"a pod asking for one {GPU_RESOURCE} ran on pool {pool.label}.")
           if _phase(pod) == "Succeeded" else
           failed(f"a pod asking for one {GPU_RESOURCE} on pool {pool.label} did not run: {_story(pod)}."))


def _default_pool(d: Deployment) -> str | None:
    """Where executions run, so where a probe pod proves what they will meet; any node if there is no such pool."""
    return DEFAULT if d.pool(DEFAULT) else None


def _phase(pod) -> str | None:
    return pod.status.phase if pod is not None and pod.status else None


def _story(pod) -> str:
    """What a pod's status says went wrong: its phase, an unmet condition, a container's state."""
    if pod is None or pod.status is None:
        return "no status"
    parts = [f"phase {pod.status.phase}"]
    parts += [f"{c.reason}: {c.message}" for c in pod.status.conditions or () if c.status == "False" and c.message]
    for container in pod.status.container_statuses or ():
        state = container.state
        if state and state.waiting:
            parts.append(f"waiting: {state.waiting.reason}")
        if state and state.terminated:
            parts.append(f"exit code {state.terminated.exit_code}")
    return ", ".join(parts)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While probing, SIGTERM (a cancelled CI job) unwinds like Ctrl-C, so the namespace is still deleted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ignore a second Ctrl-C or SIGTERM while the namespace is being deleted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
