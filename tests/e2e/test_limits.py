"""Per-principal request rate limits and the open-watch limit, configured on the command line:
the AWS plane answers Throttling (Query services) or ThrottlingException (REST/JSON) with
Retry-After, the Kubernetes plane 429 TooManyRequests with Retry-After — and the real clients,
which retry on those, still get their work done. Other principals are not slowed down."""
import json
import ssl
import threading
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import admin_of, server_fixture
from test_onboarding_cluster import described_endpoint, kubectl, new_member, provision, token_for


limited = server_fixture("--rate-limit", "5", "--rate-burst", "5", "--max-watches", "2", name="limited")


def test_rate_limits_throttle_one_principal_and_clients_recover(limited, tmp_path):
    server = limited
    admin = admin_of(server, tmp_path)
    key, secret = server.admin_keys()
    no_retry = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
    iam = boto3.client("iam", endpoint_url=server.endpoint, verify=server.ca, region_name="us-east-1",
                       aws_access_key_id=key, aws_secret_access_key=secret, config=no_retry)
    eks = boto3.client("eks", endpoint_url=server.endpoint, verify=server.ca, region_name="us-east-1",
                       aws_access_key_id=key, aws_secret_access_key=secret, config=no_retry)
    time.sleep(1.2)  # a full bucket
    throttled = []
    for _ in range(12):
        try:
            iam.list_users()
        except botocore.exceptions.ClientError as e:
            throttled.append(e.response)
    assert 1 <= len(throttled) <= 7, len(throttled)
    first = throttled[0]
    assert first["Error"]["Code"] == "Throttling" and first["Error"]["Message"] == "Rate exceeded"
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert int(first["ResponseMetadata"]["HTTPHeaders"]["retry-after"]) >= 1
    with pytest.raises(botocore.exceptions.ClientError) as rest:
        for _ in range(12):
            eks.list_clusters()
    assert rest.value.response["Error"]["Code"] == "ThrottlingException"
    assert rest.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

    # The CLI retries throttled calls and succeeds; another principal is not held back meanwhile.
    provision(admin, "spark-dev")
    admin.run("eks", "update-kubeconfig", "--name", "spark-dev", "--region", "us-east-1")
    kubectl(admin, "create", "namespace", "data-science")
    _, member = new_member(admin, tmp_path, server, "alice")
    creds = (member.home / ".aws" / "credentials").read_text()
    member_sts = boto3.client("sts", endpoint_url=server.endpoint, verify=server.ca, region_name="us-east-1",
                              aws_access_key_id=creds.split("aws_access_key_id = ")[1].split()[0],
                              aws_secret_access_key=creds.split("aws_secret_access_key = ")[1].split()[0],
                              config=no_retry)
    for _ in range(12):
        try:
            iam.list_users()
        except botocore.exceptions.ClientError:
            pass
    assert member_sts.get_caller_identity()["Arn"].endswith(":user/alice")

    # Kubernetes: 429 TooManyRequests with Retry-After once the user's bucket is empty; kubectl
    # waits and retries.
    member.run("eks", "update-kubeconfig", "--name", "spark-dev", "--region", "us-east-1", "--profile", "orchestera-dev")
    token = token_for(member, "spark-dev")
    endpoint, ctx = described_endpoint(admin, "spark-dev")
    time.sleep(1.2)
    codes, retry_after, reason = [], None, None
    for _ in range(12):
        req = urllib.request.Request(endpoint + "/api/v1/namespaces/data-science/pods",
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
                codes.append(r.status)
        except urllib.error.HTTPError as e:
            codes.append(e.code)
            retry_after = e.headers.get("Retry-After")
            reason = json.loads(e.read())["reason"]
    assert 200 in codes and 429 in codes, codes
    assert reason == "TooManyRequests" and int(retry_after) >= 1
    for i in range(8):
        kubectl(member, "create", "configmap", f"c{i}", "-n", "data-science")
    assert len(json.loads(kubectl(member, "get", "configmaps", "-n", "data-science", "-o", "json").stdout)["items"]) >= 8


def test_open_watches_are_limited_per_user(limited, tmp_path):
    server = limited
    admin = admin_of(server, tmp_path)
    provision(admin, "spark-dev")
    token = admin.json("eks", "get-token", "--cluster-name", "spark-dev", "--region", "us-east-1")["status"]["token"]
    endpoint, ctx = described_endpoint(admin, "spark-dev")

    def open_watch():
        time.sleep(0.5)  # stay under the request rate limit
        req = urllib.request.Request(endpoint + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30",
                                     headers={"Authorization": "Bearer " + token})
        try:
            return urllib.request.urlopen(req, context=ctx, timeout=30)
        except urllib.error.HTTPError as e:
            return e

    first, second = open_watch(), open_watch()
    assert first.status == 200 and second.status == 200
    third = open_watch()
    assert third.code == 429 and "Too many open watches" in json.loads(third.read())["message"]
    first.close()
    time.sleep(1.5)  # the server notices the closed stream
    fourth = open_watch()
    assert fourth.status == 200
    second.close()
    fourth.close()
