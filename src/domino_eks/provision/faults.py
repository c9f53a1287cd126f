"""What went wrong with one resource, in AWS's words (the error code) and ours (what to do about it)."""

from __future__ import annotations

from dataclasses import dataclass

RESUMES = "run the command again: it picks up where it stopped"
RUN_AGAIN = f"fix the cause and {RESUMES}"

# error code -> what to do; codes as AWS returns them (EC2's dotted ones included)
HINTS: dict[str, str] = {
    "AccessDenied": "the credentials lack this permission: grant it, or use a profile (--profile) that has it",
    "AccessDeniedException": "the credentials lack this permission: grant it, or use a profile (--profile) that has it",
    "UnauthorizedOperation": "the credentials lack this permission: grant it, or use a profile (--profile) that has it",
    "ExpiredToken": "the session expired: refresh the credentials (e.g. `aws sso login`) and run again",
    "ExpiredTokenException": "the session expired: refresh the credentials (e.g. `aws sso login`) and run again",
    "RequestExpired": "the request expired: check the computer's clock, then run again",
    "Throttling": "AWS kept throttling after every retry: wait a minute and run again",
    "ThrottlingException": "AWS kept throttling after every retry: wait a minute and run again",
    "RequestLimitExceeded": "AWS kept throttling after every retry: wait a minute and run again",
    "VpcLimitExceeded": "the account's VPC quota is used up: delete an unused VPC or ask AWS for more "
                        "(Service Quotas), or reuse one with network.vpcId",
    "AddressLimitExceeded": "the account's Elastic IP quota is used up: release an unused one or ask AWS for more",
    "LimitExceeded": "an account quota is used up: free some or raise it in Service Quotas",
    "LimitExceededException": "an account quota is used up: free some or raise it in Service Quotas",
    "InvalidSubnet.Range": "the subnet is outside the VPC's range: set network.vpcCidr to the VPC's CIDR",
    "InvalidSubnet.Conflict": "the subnet overlaps one already in the VPC: choose a free network.vpcCidr",
    "UnsupportedAvailabilityZoneException": "EKS has no capacity in that zone: pick other controlPlaneZones",
    "InvalidParameterException": "AWS rejected a value (the message names it); if it names a role just created, "
                                 "IAM had not propagated yet: run again",
    "BucketAlreadyExists": "bucket names are global and this one belongs to another account: "
                           "name the buckets yourself in storage.buckets",
    "BucketAlreadyOwnedByYou": "a bucket of this name in this account belongs to another deployment or to "
                               "someone else: name the buckets yourself in storage.buckets",
    "DependencyViolation": "something apply did not create still uses it (network interfaces, load balancers "
                           "created by Kubernetes...): remove that, then run again",
    "ResourceInUseException": "it is still in use (a load balancer uses the certificate, a node group the "
                              "cluster...): remove the user, then run again",
    "FileSystemAlreadyExists": "a file system with this creation token is still being deleted: wait and run again",
    "NoSuchHostedZone": "domain.hostedZoneId names no Route 53 zone this account can see",
    "InvalidChangeBatch": "Route 53 rejected the record: the message says why",
    "EntityAlreadyExists": "an IAM object of this name exists but was not created by domino-eks: "
                           "delete or rename it, or choose another metadata.name",
    "AlreadyExists": "a resource of this name exists but was not created by domino-eks: "
                     "delete or rename it, or choose another metadata.name",
    "InvalidGroup.Duplicate": "a security group of this name exists in the VPC but was not created by "
                              "domino-eks: delete or rename it",
}


@dataclass(frozen=True)
class Fault:
    code: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message} — {self.hint}"


def describe(error: BaseException) -> Fault:
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        WaiterError,
    )

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "Unknown"
        message = (error.response.get("Error", {}).get("Message") or str(error)).strip().splitlines()[0]
        return Fault(code, message, HINTS.get(code, RUN_AGAIN))
    if isinstance(error, WaiterError):
        return Fault("WaiterFailed", str(error), "AWS reports the resource failed or took too long: "
                                                 "look at it in the console, then run again")
    if isinstance(error, EndpointConnectionError):
        return Fault("EndpointConnectionError", str(error), "the endpoint cannot be reached: check "
                                                            "--endpoint-url, the network or a proxy")
    if isinstance(error, NoCredentialsError):
        return Fault("NoCredentials", str(error), "configure credentials (--profile, AWS_PROFILE) and run again")
    if isinstance(error, NeedsReplacement):
        return Fault("NeedsReplacement", str(error), "apply does not replace resources in place: destroy and apply "
                                                     "again, or restore the spec's previous value")
    return Fault(type(error).__name__, str(error), RUN_AGAIN)


class NeedsReplacement(Exception):
    """A property changed that AWS cannot change in place (a subnet's CIDR)."""


def lacks_api(error: BaseException) -> bool:
    """The endpoint does not implement this call: moto answers 404 with an HTML page, LocalStack 501."""
    from botocore.exceptions import ClientError

    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error.response.get("Error", {}).get("Code")
    return (status == 404 and code == "404") or status == 501


def code_of(error: BaseException) -> str | None:
    from botocore.exceptions import ClientError

    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
