"""A stand-in for AWS APIs the emulator lacks, in front of the emulator for everything else.

moto 5.2 has no EC2 quotas in Service Quotas and answers EKS insights and DescribeClusterVersions with 404
(design.md). This server answers those calls with the JSON shapes botocore's service model defines — service-quotas
2019-06-24 (awsJson1_1: the operation in the X-Amz-Target header, errors as {"__type", "message"}) and eks 2017-11-01
(restJson1: POST /clusters/{name}/insights is ListInsights, GET /clusters/{name}/insights/{id} DescribeInsight,
GET /cluster-versions DescribeClusterVersions, paged by maxResults and nextToken) — and passes every
other request to the moto server unchanged, so one endpoint URL serves a whole run as AWS would. It stands in for
AWS, never for our code.
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
_SUMMARY_FIELDS = ("id", "name", "category", "kubernetesVersion", "lastRefreshTime", "lastTransitionTime",
                   "description", "insightStatus")  # InsightSummary: an Insight without its details


class AwsFront:
    """Serves `quotas` ({quota code: vCPUs}) for ec2 in Service Quotas and, for clusters named in `insights`,
    their EKS insights (Insight objects); forwards the rest to `emulator`."""

    def __init__(self, server: HTTPServer, emulator: str, region: str, quotas: Mapping[str, float]):
        self.emulator = emulator.rstrip("/")
        self.region = region
        self.quotas = dict(quotas)
        self.insights: dict[str, list[dict]] = {}  # cluster name -> its insights, as DescribeInsight returns them
        # ClusterVersionInformation objects, served when set; None forwards the call to the emulator (404)
        self.cluster_versions: list[dict] | None = None
        self.versions_page_size = 2  # DescribeClusterVersions pages this small, so the collector must follow them
        self.versions_queries: list[dict[str, str]] = []  # the query strings DescribeClusterVersions was called with
        self.calls: list[str] = []  # the Service Quotas operations answered, in order
        server.expect_request(re.compile("/.*")).respond_with_handler(self._answer)
        self.url = server.url_for("/").rstrip("/")

    def _answer(self, request: Request) -> Response:
        target = request.headers.get("X-Amz-Target", "")
        if target.startswith(SERVICE_QUOTAS_TARGET):
            return self._service_quotas(target.removeprefix(SERVICE_QUOTAS_TARGET), json.loads(request.data or b"{}"))
        if request.path == "/cluster-versions" and self.cluster_versions is not None:
            return self._cluster_versions(dict(request.args))
        insights = _INSIGHTS_PATH.match(request.path)
        if insights and insights["cluster"] in self.insights:
            return self._insights(self.insights[insights["cluster"]], insights["id"])
        return self._forwarded(request)

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


def _error(status: int, kind: str, message: str) -> Response:
    return _json(status, {"__type": kind, "message": message})
