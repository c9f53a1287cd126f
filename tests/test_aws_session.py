"""The one session and client cache: a retry mode named per use, one refusal of a profile that is not there,
and a server's HTML error page retried like any answer of its status."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from werkzeug.exceptions import InternalServerError

from domino_eks.aws import faults, models, session
from domino_eks.errors import InputError

# what a Flask server (moto's) answers when its handler raises: `<!doctype html>`, not the `<html>` botocore expects
CRASH_PAGE = InternalServerError().get_body()
# IAM's answer to AttachRolePolicy (query protocol, iam 2010-05-08): no output members, only the metadata
ATTACHED = ('<AttachRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata>'
            '<RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></AttachRolePolicyResponse>')


@pytest.mark.parametrize(("use", "mode", "calls"), [(session.COLLECTING, "standard", 3),
                                                    (session.PROVISIONING, "adaptive", 13)])
def test_every_client_retries_as_its_use_says(use, mode, calls):
    aws = session.Aws(session.static_session("us-west-2"), "http://127.0.0.1:9", retries=use)

    client = aws.client("ec2")

    assert client is aws.client("ec2")  # one client per service, whatever thread asks
    assert client.meta.config.retries == {"mode": mode, "total_max_attempts": calls}
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_a_profile_named_by_the_environment_is_refused_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))

    with pytest.raises(InputError) as refused:
        session.profile_session(None, "us-west-2")

    assert str(refused.value) == (f"AWS_PROFILE: AWS profile 'nosuch' not found in {tmp_path / 'config'} or "
                                  f"{tmp_path / 'credentials'}")


def test_a_session_reads_botocore_data_files_as_botocore_does_only_without_ordered_dicts():
    import botocore.loaders

    loader = session.static_session("us-west-2")._session.get_component("data_loader")
    _, path = loader.load_data_with_path("endpoints")  # the file's path without its suffix
    model = loader.load_service_model("ec2", "service-2")

    assert isinstance(loader.file_loader, models.PlainJsonFiles)
    assert type(model) is dict and type(model["shapes"]) is dict
    assert model == botocore.loaders.Loader().load_service_model("ec2", "service-2")
    assert loader.file_loader.load_file(path) == botocore.loaders.JSONFileLoader().load_file(path)
    assert loader.file_loader.load_file(path + ".absent") is None


@pytest.mark.parametrize("kind", ["service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"])
def test_a_session_lists_the_services_having_a_kind_of_file_as_botocore_does(kind):
    import botocore.loaders

    loader = session.static_session("us-west-2")._session.get_component("data_loader")
    # boto3 adds its own data directory to the session's search path
    botocores = botocore.loaders.Loader(extra_search_paths=loader.search_paths, include_default_search_paths=False)

    assert set(botocore.loaders.Loader().search_paths) < set(loader.search_paths)
    assert loader.list_available_services(kind) == botocores.list_available_services(kind)
    assert "ec2" in loader.list_available_services(kind)


def test_clients_are_made_with_the_collector_paused_and_it_runs_again_afterwards():
    import gc

    raw = session.static_session("us-west-2")
    collecting: list[bool] = []
    # emitted as botocore builds a client, once the service's model is read
    raw.events.register("creating-client-class", lambda **_: collecting.append(gc.isenabled()))
    aws = session.Aws(raw, "http://127.0.0.1:9", retries=session.COLLECTING)

    aws.prepare(["ec2", "s3"])
    aws.client("iam")

    assert collecting == [False, False, False]
    assert gc.isenabled()


def test_clients_prepared_for_a_block_stay_out_of_the_collectors_sight_until_it_ends():
    import gc

    aws = session.Aws(session.static_session("us-west-2"), "http://127.0.0.1:9", retries=session.COLLECTING)
    collections: list[int] = []

    def counted(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(counted)
    try:
        with aws.prepared(["ec2", "s3"]):
            before_the_block = list(collections)
            frozen = gc.get_freeze_count()
    finally:
        gc.callbacks.remove(counted)

    assert before_the_block == []  # no pass over the new models before the block starts
    assert frozen > 50_000  # the EC2 and S3 models alone are over 50,000 containers
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_second_session_in_the_process_decodes_no_data_file_again():
    models.decoded_model.cache_clear()
    first = session.static_session("us-west-2")._session.get_component("data_loader")
    model = first.load_service_model("ec2", "service-2")
    read = models.decoded_model.cache_info().misses

    second = session.static_session("us-west-2")._session.get_component("data_loader")

    assert second is not first
    assert second.load_service_model("ec2", "service-2") is model
    assert models.decoded_model.cache_info().misses == read
    assert second.load_data("endpoints") is not first.load_data("endpoints")  # botocore writes into this one


def test_prepared_clients_are_made_once_and_then_only_handed_out():
    raw = session.static_session("us-west-2")
    made: list[str] = []
    # the event botocore emits as it builds a client, named for the service
    raw.events.register("creating-client-class", lambda event_name, **_: made.append(event_name.rsplit(".", 1)[1]))
    aws = session.Aws(raw, "http://127.0.0.1:9", retries=session.COLLECTING)

    aws.prepare(["ec2", "iam", "ec2"])
    assert made == ["ec2", "iam"]

    assert {aws.client("iam").meta.service_model.service_name, aws.client("ec2").meta.service_model.service_name} == {
        "ec2", "iam"}
    assert made == ["ec2", "iam"]  # nothing made again


def test_a_crash_page_is_retried_like_any_500_and_the_call_then_succeeds(httpserver):
    httpserver.expect_ordered_request("/", method="POST").respond_with_data(
        CRASH_PAGE, status=500, content_type="text/html; charset=utf-8")
    httpserver.expect_ordered_request("/", method="POST").respond_with_data(ATTACHED, content_type="text/xml")
    aws = session.Aws(session.static_session("us-west-2"), httpserver.url_for("/"), retries=session.PROVISIONING)

    aws.client("iam").attach_role_policy(RoleName="nodes",
                                         PolicyArn="arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")

    assert CRASH_PAGE.startswith("<!doctype html>")
    assert len(httpserver.log) == 2
    httpserver.check_assertions()


@pytest.mark.parametrize(("service", "call", "operation"), [
    ("iam", lambda client: client.get_role(RoleName="nodes"), "GetRole"),  # query: XML errors
    ("eks", lambda client: client.list_clusters(), "ListClusters"),  # rest-json: JSON errors
])
def test_a_crash_page_on_every_attempt_is_a_server_error_not_a_missing_api(httpserver, service, call, operation):
    httpserver.expect_request(re.compile(".*")).respond_with_data(CRASH_PAGE, status=500,
                                                                  content_type="text/html; charset=utf-8")
    aws = session.Aws(session.static_session("us-west-2"), httpserver.url_for("/"), retries=session.COLLECTING)

    with pytest.raises(ClientError) as failed:
        call(aws.client(service))

    assert len(httpserver.log) == 3  # every attempt the retry mode allows
    assert not faults.lacks_api(failed.value)  # so apply reports it, where it skips what an endpoint lacks
    assert failed.value.operation_name == operation
    assert str(faults.describe(failed.value)) == f"500: Internal Server Error — {faults.RUN_AGAIN}"


def test_the_emulators_session_ignores_the_users_aws_configuration(tmp_path, monkeypatch):
    """AWS_PROFILE naming a profile this machine lacks, or a config file of other settings, must not reach the
    emulator's session: it uses neither."""
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\nmax_attempts = 1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "nowhere")

    raw = session.static_session("us-east-2")
    client = raw.client("sts", endpoint_url="http://127.0.0.1:1")

    assert client.meta.region_name == "us-east-2"
    assert raw.get_credentials().access_key == "testing"
