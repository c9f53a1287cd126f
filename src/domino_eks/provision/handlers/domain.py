"""The FQDN's TLS certificate (ACM, validated by DNS) and, in the spec's hosted zone, its validation record.

Route 53 records carry no tags; the validation record is found through the certificate that names it,
and its name holds a token unique to that certificate, so it cannot be anyone else's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws.session import Aws
from domino_eks.knowledge import aws_durations
from domino_eks.provision import kinds, tags, waiters
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    concurrently,
    ids,
    paginate,
    retag,
    tolerating,
)
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.waiters import Wait

RECORD_TTL = 300


class Certificate(Handler):
    kind = kinds.CERTIFICATE
    discovers_with = ("acm", "resourcegroupstaggingapi")
    properties = frozenset({"domain_name", "idempotency_token", "tags"})
    ready_waiter = Wait("acm", "ValidationRecordReady", lambda outputs: {"CertificateArn": outputs["arn"]},
                        aws_durations.CERTIFICATE_VALIDATION_RECORD)

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        acm, tagging = aws.client("acm"), aws.client("resourcegroupstaggingapi")
        # the tagging index answers with the deployment's certificates and their tags, in one call however
        # many certificates the region holds
        indexed = [(m["ResourceARN"], tags.from_aws(m.get("Tags"))) for m in paginate(
            tagging, "get_resources", "ResourceTagMappingList", ResourceTypeFilters=["acm:certificate"],
            TagFilters=[{"Key": tags.DEPLOYMENT, "Values": [scope.name]}])]
        ours = [(arn, found) for arn, found in indexed if tags.belongs(found, scope.name)]
        described = concurrently(lambda arn: acm.describe_certificate(CertificateArn=arn), [arn for arn, _ in ours])
        for (_, found), certificate in zip(ours, described, strict=True):
            yield Existing(self.key(found), self._outputs(certificate), {"tags": found})

    @staticmethod
    def _outputs(described: dict) -> dict[str, Any]:
        certificate = described["Certificate"]
        record: Mapping[str, Any] = next((o["ResourceRecord"] for o in certificate.get("DomainValidationOptions", [])
                                          if o.get("ResourceRecord")), {})
        return {"arn": certificate["CertificateArn"], "validation_name": record.get("Name"),
                "validation_type": record.get("Type"), "validation_value": record.get("Value")}

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        arn = aws.client("acm").request_certificate(DomainName=p["domain_name"], ValidationMethod="DNS",
                                                    IdempotencyToken=p["idempotency_token"],
                                                    Tags=tags.to_aws(p["tags"]))["CertificateArn"]
        return {"arn": arn}

    def ready_outputs(self, aws: Aws, outputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """With the validation record, which the DNS record's properties refer to."""
        return self._outputs(aws.client("acm").describe_certificate(CertificateArn=outputs["arn"]))

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], lambda changed: aws.client("acm").add_tags_to_certificate(
            CertificateArn=existing.outputs["arn"], Tags=tags.to_aws(changed)))
        return self.ready(aws, existing)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("ResourceNotFoundException"):
            aws.client("acm").delete_certificate(CertificateArn=existing.outputs["arn"])


class DnsRecord(Handler):
    kind = kinds.DNS_RECORD
    discovers_with = ("route53",)
    found_through = (kinds.CERTIFICATE,)
    properties = frozenset({"hosted_zone_id", "name", "type", "value"})
    observed = ("value",)
    at_least = ()

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        zone = scope.deployment.domain.hosted_zone_id
        if not zone:
            return
        route53 = aws.client("route53")
        for certificate in scope.of_type(kinds.CERTIFICATE):
            name, type_ = certificate.outputs["validation_name"], certificate.outputs["validation_type"]
            if not name:
                continue
            listed = route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=name,
                                                       StartRecordType=type_, MaxItems="1")["ResourceRecordSets"]
            record = next((r for r in listed if r["Name"] == name and r["Type"] == type_), None)
            if record:
                value = record["ResourceRecords"][0]["Value"]
                yield Existing(Key(self.kind, f"validation-{certificate.key.name}"),
                               {"name": name, "hosted_zone_id": zone, "type": type_, "value": value},
                               {"value": value}, ids((kinds.CERTIFICATE, certificate.outputs["arn"])))

    @staticmethod
    def _change(route53: Any, action: str, record: Mapping[str, Any]) -> None:
        change = route53.change_resource_record_sets(HostedZoneId=record["hosted_zone_id"], ChangeBatch={"Changes": [{
            "Action": action,
            "ResourceRecordSet": {"Name": record["name"], "Type": record["type"], "TTL": RECORD_TTL,
                                  "ResourceRecords": [{"Value": record["value"]}]},
        }]})
        waiters.wait(route53, "ResourceRecordSetsChanged", Id=change["ChangeInfo"]["Id"])

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        self._change(aws.client("route53"), "UPSERT", p)
        return {key: p[key] for key in ("name", "hosted_zone_id", "type", "value")}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.create(aws, p)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidChangeBatch"):  # already gone
            self._change(aws.client("route53"), "DELETE", existing.outputs)
