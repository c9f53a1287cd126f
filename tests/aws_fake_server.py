"""A stand-in for AWS APIs the emulator lacks, in front of the emulator for everything else.

moto 5.2 has no EC2 quotas in Service Quotas, answers EKS insights, access entries, add-ons, Pod Identity
associations and DescribeClusterVersions with 404, and describes a cluster without its accessConfig (design.md).
This server answers those calls with the JSON shapes botocore's service model defines — service-quotas 2019-06-24
(awsJson1_1: the operation in the X-Amz-Target header, errors as {"__type", "message"}) and eks 2017-11-01
(restJson1: POST /clusters/{name}/insights is ListInsights, GET /clusters/{name}/insights/{id} DescribeInsight,
POST and GET /clusters/{name}/insights-refresh StartInsightsRefresh and DescribeInsightsRefresh, GET
/clusters/{name}/access-entries[/{principalArn}] ListAccessEntries and DescribeAccessEntry, GET
/clusters/{name}/addons[/{addonName}] ListAddons and DescribeAddon, GET /addons/supported-versions
DescribeAddonVersions, GET /clusters/{name}/pod-identity-associations[/{id}] ListPodIdentityAssociations and
DescribePodIdentityAssociation, GET /cluster-versions DescribeClusterVersions, paged by maxResults and nextToken) —
and passes every other request to the moto server, adding the accessConfig to DescribeCluster's answer, so one
endpoint URL serves a whole run as AWS would. It stands in for AWS, never for our code.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

SERVICE_QUOTAS_TARGET = "ServiceQuotasV20190624."
_JSON_1_1 = "application/x-amz-json-1.1"
_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding"}
_INSIGHTS_PATH = re.compile(r"^/clusters/(?P<cluster>[^/]+)/insights(?:/(?P<id>[^/]+))?$")
_ASSOCIATIONS_PATH = re.compile(r"^/clusters/(?P<cluster>[^/]+)/pod-identity-associations(?:/(?P<id>[^/]+))?$")
# PodIdentityAssociationSummary: what ListPodIdentityAssociations gives of each association
_ASSOCIATION_SUMMARY_FIELDS = ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId",
                               "ownerArn")
_REFRESH_PATH = re.compile(r"^/clusters/(?P<cluster>[^/]+)/insights-refresh$")
_ACCESS_ENTRIES_PATH = re.compile(r"^/clusters/(?P<cluster>[^/]+)/access-entries(?:/(?P<principal>.+))?$")
_ADDONS_PATH = re.compile(r"^/clusters/(?P<cluster>[^/]+)/addons(?:/(?P<name>[^/]+))?$")
_CLUSTER_PATH = re.compile(r"^/clusters/(?P<cluster>[^/]+)$")
_ADDON_VERSIONS_PATH = "/addons/supported-versions"
_SUMMARY_FIELDS = ("id", "name", "category", "kubernetesVersion", "lastRefreshTime", "lastTransitionTime",
                   "description", "insightStatus")  # InsightSummary: an Insight without its details


class AwsFront:
    """Serves `quotas` ({quota code: vCPUs}) for ec2 in Service Quotas and, for the clusters named in each, their
    EKS insights (Insight objects), authentication mode and access entries (AccessEntry objects), add-ons (Addon
    objects) and Pod Identity associations (PodIdentityAssociation objects); `addon_versions` (AddonInfo objects)
    for DescribeAddonVersions; forwards the rest to `emulator`."""

    def __init__(self, server: HTTPServer, emulator: str, region: str, quotas: Mapping[str, float]):
        self.emulator = emulator.rstrip("/")
        self.region = region
        self.quotas = dict(quotas)
        self.insights: dict[str, list[dict]] = {}  # cluster name -> its insights, as DescribeInsight returns them
        # cluster name -> its Pod Identity associations, as DescribePodIdentityAssociation returns them
        self.pod_identities: dict[str, list[dict]] = {}
        # ClusterVersionInformation objects, served when set; None forwards the call to the emulator (404)
        self.cluster_versions: list[dict] | None = None
        self.versions_page_size = 2  # DescribeClusterVersions pages this small, so the collector must follow them
        self.versions_queries: list[dict[str, str]] = []  # the query strings DescribeClusterVersions was called with
        self.refresh_status = "COMPLETED"  # what DescribeInsightsRefresh reports after a refresh is started
        self.refreshes: list[str] = []  # the clusters whose insights refresh was started, in order
        self.authentication_modes: dict[str, str] = {}  # cluster name -> its accessConfig.authenticationMode
        self.access_entries: dict[str, list[dict]] = {}  # cluster name -> its access entries
        self.addons: dict[str, list[dict]] = {}  # cluster name -> its add-ons, as DescribeAddon returns them
        self.addon_versions: list[dict] = []  # AddonInfo objects, each with its versions' compatibilities
        self.calls: list[str] = []  # the Service Quotas operations answered, in order
        server.expect_request(re.compile("/.*")).respond_with_handler(self._answer)
        self.url = server.url_for("/").rstrip("/")

    def _answer(self, request: Request) -> Response:
        target = request.headers.get("X-Amz-Target", "")
        if target.startswith(SERVICE_QUOTAS_TARGET):
            return self._service_quotas(target.removeprefix(SERVICE_QUOTAS_TARGET), json.loads(request.data or b"{}"))
        path = request.path
        if path == "/cluster-versions" and self.cluster_versions is not None:
            return self._cluster_versions(dict(request.args))
        insights = _INSIGHTS_PATH.match(path)
        if insights and insights["cluster"] in self.insights:
            return self._insights(self.insights[insights["cluster"]], insights["id"])
        refresh = _REFRESH_PATH.match(path)
        if refresh and refresh["cluster"] in self.insights:
            return self._refresh(refresh["cluster"], started=request.method == "POST")
        entries = _ACCESS_ENTRIES_PATH.match(path)
        if entries and entries["cluster"] in self.access_entries:
            return self._access_entries(entries["cluster"], entries["principal"])
        addons = _ADDONS_PATH.match(path)
        if addons and addons["cluster"] in self.addons:
            return self._addons(addons["cluster"], addons["name"])
        if path == _ADDON_VERSIONS_PATH and self.addon_versions:
            return self._addon_versions(request.args.get("addonName"), request.args.get("kubernetesVersion"))
        described = _CLUSTER_PATH.match(path)
        if described and request.method == "GET" and described["cluster"] in self.authentication_modes:
            return self._with_access_config(self._forwarded(request), described["cluster"])
        associations = _ASSOCIATIONS_PATH.match(path)
        if associations and associations["cluster"] in self.pod_identities and request.method == "GET":
            return self._associations(self.pod_identities[associations["cluster"]], associations["id"])
        return self._forwarded(request)

    def _refresh(self, cluster: str, started: bool) -> Response:
        if started:
            self.refreshes.append(cluster)
            return _json(200, {"message": "Insights refresh started", "status": "IN_PROGRESS"})
        if cluster not in self.refreshes:
            return _not_found(f"No insights refresh found for cluster: {cluster}")
        return _json(200, {"message": f"Insights refresh {self.refresh_status.lower()}",
                           "status": self.refresh_status, "startedAt": 1764547200, "endedAt": 1764547260})

    def _access_entries(self, cluster: str, principal: str | None) -> Response:
        entries = self.access_entries[cluster]
        if principal is None:
            return _json(200, {"accessEntries": [e["principalArn"] for e in entries]})
        found = next((e for e in entries if e["principalArn"] == principal), None)
        if found is None:
            return _not_found(f"The specified principalArn could not be found: {principal}")
        return _json(200, {"accessEntry": found})

    def _addons(self, cluster: str, name: str | None) -> Response:
        addons = self.addons[cluster]
        if name is None:
            return _json(200, {"addons": [a["addonName"] for a in addons]})
        found = next((a for a in addons if a["addonName"] == name), None)
        if found is None:
            return _not_found(f"No addon: {name} found in cluster: {cluster}")
        return _json(200, {"addon": found})

    def _addon_versions(self, name: str | None, kubernetes_version: str | None) -> Response:
        """The add-ons named, each with only its versions compatible with `kubernetes_version`, as EKS filters."""
        chosen = []
        for info in self.addon_versions:
            if name and info["addonName"] != name:
                continue
            versions = [{**v, "compatibilities": [c for c in v["compatibilities"]
                                                  if c["clusterVersion"] == kubernetes_version]}
                        for v in info["addonVersions"]] if kubernetes_version else info["addonVersions"]
            chosen.append({**info, "addonVersions": [v for v in versions if v["compatibilities"]]})
        return _json(200, {"addons": chosen})

    def _with_access_config(self, answer: Response, cluster: str) -> Response:
        if answer.status_code != 200:
            return answer
        document = json.loads(answer.get_data())
        document["cluster"]["accessConfig"] = {"authenticationMode": self.authentication_modes[cluster]}
        return _json(200, document)

    def _associations(self, associations: list[dict], association_id: str | None) -> Response:
        """eks restJson1: GET /clusters/{name}/pod-identity-associations lists, .../{associationId} describes."""
        if association_id is None:
            return _json(200, {"associations": [{k: a[k] for k in _ASSOCIATION_SUMMARY_FIELDS if k in a}
                                                for a in associations]})
        found = next((a for a in associations if a["associationId"] == association_id), None)
        if found is None:
            return _not_found(f"No association found for id: {association_id}")
        return _json(200, {"association": found})

    def _insights(self, insights: list[dict], insight_id: str | None) -> Response:
        if insight_id is None:
            return _json(200, {"insights": [{k: i[k] for k in _SUMMARY_FIELDS if k in i} for i in insights]})
        found = next((i for i in insights if i["id"] == insight_id), None)
        if found is None:
            return Response(json.dumps({"message": f"No insight found for id: {insight_id}"}), status=404,
                            headers={"x-amzn-ErrorType": "ResourceNotFoundException"}, content_type="application/json")
        return _json(200, {"insight": found})

    def _cluster_versions(self, query: dict[str, str]) -> Response:
        assert self.cluster_versions is not None
        self.versions_queries.append(query)
        start = int(query.get("nextToken", "0"))
        end = start + self.versions_page_size
        page: dict = {"clusterVersions": self.cluster_versions[start:end]}
        if end < len(self.cluster_versions):
            page["nextToken"] = str(end)
        return _json(200, page)

    def _service_quotas(self, operation: str, body: dict) -> Response:
        self.calls.append(operation)
        if operation != "GetServiceQuota":
            return _error(400, "InvalidParameterValueException", f"{operation} is not served here")
        code, service = body.get("QuotaCode"), body.get("ServiceCode")
        if service != "ec2" or code not in self.quotas:
            return _error(400, "NoSuchResourceException", f"The request failed because the specified quota "
                                                          f"{code} of service {service} does not exist.")
        return _json(200, {"Quota": {
            "ServiceCode": "ec2", "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
            "QuotaArn": f"arn:aws:servicequotas:{self.region}:123456789012:ec2/{code}",
            "QuotaCode": code, "QuotaName": f"quota {code}", "Value": float(self.quotas[code]), "Unit": "None",
            "Adjustable": True, "GlobalQuota": False,
        }})

    def _forwarded(self, request: Request) -> Response:
        url = self.emulator + request.full_path.rstrip("?")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        forwarded = urllib.request.Request(url, data=request.get_data() or None, headers=headers,
                                           method=request.method)
        try:
            with urllib.request.urlopen(forwarded, timeout=60) as answer:  # noqa: S310 (loopback only)
                return _relayed(answer.status, answer.headers.items(), answer.read())
        except urllib.error.HTTPError as refused:
            return _relayed(refused.code, refused.headers.items(), refused.read())


def _relayed(status: int, headers, body: bytes) -> Response:
    kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
    return Response(body, status=status, headers=kept)


def _json(status: int, document: dict) -> Response:
    return Response(json.dumps(document), status=status, content_type=_JSON_1_1)


def _not_found(message: str) -> Response:
    """A restJson1 error: the code in the x-amzn-ErrorType header."""
    return Response(json.dumps({"message": message}), status=404, content_type="application/json",
                    headers={"x-amzn-ErrorType": "ResourceNotFoundException"})


def _error(status: int, kind: str, message: str) -> Response:
    return _json(status, {"__type": kind, "message": message})
