"""What went wrong with an AWS call, in AWS's words (the error code) and ours (what to do about it).

One describer serves both halves of the tool: apply and destroy print a `Fault` with its hint, per
resource; a snapshot notes a refused call as `Fault.as_note()`, the call and AWS's words only.
"""

from __future__ import annotations

from dataclasses import dataclass

RESUMES = "run the command again: it picks up where it stopped"
RUN_AGAIN = f"fix the cause and {RESUMES}"

# the hints several error codes share, so each sentence is written once
DENIED = "the credentials lack this permission: grant it, or use a profile (--profile) that has it"
EXPIRED = "the session expired: refresh the credentials (e.g. `aws sso login`) and run again"
THROTTLED = "AWS kept throttling after every retry: wait a minute and run again"
QUOTA = "an account quota is used up: free some or raise it in Service Quotas"

# error code -> what to do; codes as AWS returns them (EC2's dotted ones included)
HINTS: dict[str, str] = {
    "AccessDenied": DENIED,
    "AccessDeniedException": DENIED,
    "UnauthorizedOperation": DENIED,
    "ExpiredToken": EXPIRED,
    "ExpiredTokenException": EXPIRED,
    "RequestExpired": "the request expired: check the computer's clock, then run again",
    "Throttling": THROTTLED,
    "ThrottlingException": THROTTLED,
    "RequestLimitExceeded": THROTTLED,
    "VpcLimitExceeded": "the account's VPC quota is used up: delete an unused VPC or ask AWS for more "
                        "(Service Quotas), or reuse one with network.vpcId",
    "AddressLimitExceeded": "the account's Elastic IP quota is used up: release an unused one or ask AWS for more",
    "LimitExceeded": QUOTA,
    "LimitExceededException": QUOTA,
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
    operation: str | None = None  # the API call AWS answered with an error ("DescribeFileSystems")
    unsupported: bool = False  # the endpoint does not implement the call at all (an emulator's gap)

    def __str__(self) -> str:
        return f"{self.code}: {self.message} — {self.hint}"

    def as_note(self) -> str:
        """'DescribeFileSystems: AccessDeniedException: User ... is not authorized ...': what a snapshot records
        of a refused call. No hint: the rules that skip for want of the fact say what to do."""
        said = self.message if self.unsupported else f"{self.code}: {self.message}"
        return f"{self.operation}: {said}"


class NeedsReplacement(Exception):
    """A property changed that AWS cannot change in place (a subnet's CIDR)."""


class NotOurs(Exception):
    """A resource of the name apply was to create exists without this deployment's tags: someone else made it.
    apply does not take it over, since destroy would then delete it."""

    def __init__(self, what: str, name: str, remedy: str):
        super().__init__(f"{what} {name} already exists in this account and this deployment did not create it; "
                         "domino-eks will not take it over, change it or delete it")
        self.remedy = remedy


def describe(error: BaseException) -> Fault:
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        WaiterError,
    )

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "Unknown"
        if lacks_api(error):  # the message is the endpoint's HTML error page: say what it means instead
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            return Fault(code, f"not supported by this endpoint (HTTP {status})", HINTS.get(code, RUN_AGAIN),
                         error.operation_name, unsupported=True)
        message = (error.response.get("Error", {}).get("Message") or str(error)).strip().splitlines()[0]
        return Fault(code, message, HINTS.get(code, RUN_AGAIN), error.operation_name)
    if isinstance(error, WaiterError):
        return Fault("WaiterFailed", str(error), "AWS reports the resource failed or took too long: "
                                                 "look at it in the console, then run again")
    if isinstance(error, EndpointConnectionError):
        return Fault("EndpointConnectionError", str(error), "the endpoint cannot be reached: check "
                                                            "--endpoint-url, the network or a proxy")
    if isinstance(error, NoCredentialsError):
        return Fault("NoCredentials", str(error), "configure credentials (--profile, AWS_PROFILE) and run again")
    if isinstance(error, NotOurs):
        return Fault("NotOurs", str(error), error.remedy)
    if isinstance(error, NeedsReplacement):
        return Fault("NeedsReplacement", str(error), "apply does not replace resources in place: destroy and apply "
                                                     "again, or restore the spec's previous value")
    return Fault(type(error).__name__, str(error), RUN_AGAIN)


def lacks_api(error: BaseException) -> bool:
    """The endpoint does not implement this call. moto answers 404 with an HTML page (botocore, finding no
    error code in it, takes the status for one); LocalStack answers 501; an HTML page in any answer is no
    AWS error document, so no AWS API."""
    from botocore.exceptions import ClientError

    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error.response.get("Error", {}).get("Code")
    message = str(error.response.get("Error", {}).get("Message") or "")
    return (status == 404 and code == "404") or status == 501 or message.lstrip().startswith("<")


def code_of(error: BaseException) -> str | None:
    from botocore.exceptions import ClientError

    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
