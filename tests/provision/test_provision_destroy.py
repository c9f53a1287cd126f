"""destroy deletes what apply made, and refuses to lose data unless --delete-data says so."""

from __future__ import annotations

import pytest

from domino_eks import cli
from domino_eks.errors import ToolError
from domino_eks.provision import apply, destroy, kinds, plan
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import aws_with_hooks, clients, tagged


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    assert isinstance(ended.value.code, int)
    return ended.value.code, out, err


@pytest.fixture
def applied(endpoint, spec, name) -> str:
    aws = aws_with_hooks(endpoint)
    survey = plan.survey(aws, spec_source.load(str(spec)))
    assert apply.run(aws, survey.graph, survey.found, survey.plan, Silent()).complete
    return name


def put_object(s3, bucket: str, key: str) -> None:
    """The emulator enforces the TLS-only Deny without its condition, so it denies every object call while
    the policy is there: lift it for the write, then put it back as apply left it."""
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=b"a dataset")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def test_destroy_refuses_a_bucket_holding_objects_and_deletes_nothing(endpoint, spec, applied, capsys):
    put_object(clients(endpoint)["s3"], f"{applied}-user-data", "projects/report.csv")
    before = tagged(endpoint, applied)

    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve")

    assert code == 3
    assert f"{kinds.S3_BUCKET} {applied}-user-data holds objects (for example 'projects/report.csv')" in err
    assert "--delete-data" in err and "Nothing was deleted" in err
    assert tagged(endpoint, applied) == before


def test_old_versions_are_data_too(endpoint, spec, applied, capsys):
    s3 = clients(endpoint)["s3"]
    put_object(s3, f"{applied}-backups", "backup.tar")
    s3.delete_bucket_policy(Bucket=f"{applied}-backups")
    s3.delete_object(Bucket=f"{applied}-backups", Key="backup.tar")  # versioned: the object stays, hidden

    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve")

    assert code == 3 and f"{applied}-backups holds objects" in err


def test_delete_data_empties_the_buckets_and_destroys_everything(endpoint, spec, applied, capsys):
    s3 = clients(endpoint)["s3"]
    put_object(s3, f"{applied}-user-data", "projects/report.csv")
    put_object(s3, f"{applied}-backups", "backup.tar")

    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve", "--delete-data")

    assert code == 0, err
    assert tagged(endpoint, applied) == {}
    assert f"{applied}-user-data" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_destroy_without_a_terminal_or_auto_approve_changes_nothing(endpoint, spec, applied, capsys):
    before = tagged(endpoint, applied)
    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint)
    assert code == 2 and "--auto-approve" in err
    assert tagged(endpoint, applied) == before


def test_destroy_of_nothing_says_so(endpoint, spec, capsys):
    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve")
    assert code == 0 and "Nothing to destroy" in err


def test_destroy_leaves_resources_of_other_deployments_alone(endpoint, spec, applied, tmp_path, name, capsys):
    from tests.provision.support import write_spec

    neighbour = f"{name}n"
    other = write_spec(tmp_path / "other.yaml", neighbour)
    aws = aws_with_hooks(endpoint)
    survey = plan.survey(aws, spec_source.load(str(other)))
    assert apply.run(aws, survey.graph, survey.found, survey.plan, Silent()).complete
    kept = tagged(endpoint, neighbour)

    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve")

    assert code == 0, err
    assert tagged(endpoint, applied) == {}
    assert tagged(endpoint, neighbour) == kept


def test_destroy_stops_when_it_cannot_tell_whether_a_bucket_holds_data(endpoint, name):
    gone = Existing(Key(kinds.S3_BUCKET, "gone"), {"name": f"{name}-gone"})  # deleted behind destroy's back

    with pytest.raises(ToolError, match=rf"{kinds.S3_BUCKET} gone: NoSuchBucket"):
        destroy.data_at_risk(aws_with_hooks(endpoint), {gone.key: gone})
