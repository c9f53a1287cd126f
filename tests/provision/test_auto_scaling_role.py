"""EC2 Auto Scaling's service-linked role, which a key encrypting the nodes' volumes must name (C006): apply makes it
only where the account has none, and takes AWS's word that someone made it meanwhile, nothing else."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from domino_eks.knowledge import iam
from domino_eks.provision.handlers.kms import ensure_auto_scaling_role
from tests.provision.support import IamAnswers, aws_with_hooks, clients

NONE_YET = ("NoSuchEntity", f"The role with name {iam.AUTO_SCALING_SERVICE_ROLE} cannot be found.")
# what IAM answers CreateServiceLinkedRole when the role exists
TAKEN = ("InvalidInput", f"Service role name {iam.AUTO_SCALING_SERVICE_ROLE} has been taken in this account, "
                         "please try a different suffix.")


def test_an_account_without_the_role_gets_it_and_one_with_it_only_has_it_read(endpoint):
    first, second = IamAnswers(), IamAnswers()

    ensure_auto_scaling_role(aws_with_hooks(endpoint, **{"before-send": first}))
    ensure_auto_scaling_role(aws_with_hooks(endpoint, **{"before-send": second}))

    assert clients(endpoint)["iam"].get_role(RoleName=iam.AUTO_SCALING_SERVICE_ROLE)["Role"]["Arn"] == (
        iam.autoscaling_service_role_arn("123456789012"))
    assert (first.calls, second.calls) == (["GetRole", "CreateServiceLinkedRole"], ["GetRole"])


def test_a_role_made_between_the_read_and_the_create_is_taken_as_it_is(endpoint):
    answers = IamAnswers(GetRole=NONE_YET, CreateServiceLinkedRole=TAKEN)

    ensure_auto_scaling_role(aws_with_hooks(endpoint, **{"before-send": answers}))

    assert answers.calls == ["GetRole", "CreateServiceLinkedRole"]


def test_any_other_refusal_of_the_create_is_the_error_it_is(endpoint):
    refusal = ("InvalidInput", "Invalid service name autoscaling.amazonaws.com")
    answers = IamAnswers(GetRole=NONE_YET, CreateServiceLinkedRole=refusal)

    with pytest.raises(ClientError) as failed:
        ensure_auto_scaling_role(aws_with_hooks(endpoint, **{"before-send": answers}))

    assert failed.value.response["Error"] == {"Type": "Sender", "Code": "InvalidInput", "Message": refusal[1]}
