"""SigV4 authentication as IAM and STS answer it: boto3 for the ordinary paths, hand-built
requests (botocore's own signer, then altered) for the rest."""
import datetime as dt
import glob
import json
import os
import re
import shutil
import subprocess

import botocore.auth as ba
import botocore.awsrequest as bar
import botocore.credentials as bc
import pytest
import requests

from conftest import (AWS, IAM_VERSION, STS_VERSION, Server, account_id, expect_error, make_user, raw_request,
                      signing_clock, unique)

INVALID_TOKEN = "The security token included in the request is invalid."
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.")
AMZ = "%Y%m%dT%H%M%SZ"

LIST_USERS = {"Action": "ListUsers", "Version": IAM_VERSION}
WHOAMI = {"Action": "GetCallerIdentity", "Version": STS_VERSION}


def session_creds(server, duration=None):
    """Role credentials: the management admin assumes the workspace's OrganizationAccountAccessRole."""
    ws = account_id(server)
    kw = {"DurationSeconds": duration} if duration else {}
    out = server.client("sts", profile="orchestera-org").assume_role(
        RoleArn=f"arn:aws:iam::{ws}:role/OrganizationAccountAccessRole", RoleSessionName="authn-test", **kw)
    c = out["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], out


def test_forged_secret_is_signature_does_not_match(shared_server):
    key, secret = shared_server.admin_keys()
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    code, msg, status = expect_error(shared_server.client("iam", key, forged).list_users)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert msg.startswith(MISMATCH), msg
    code, msg, status = expect_error(shared_server.client("sts", key, forged).get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)


def test_unknown_access_key_id_is_invalid_client_token(shared_server):
    code, msg, status = expect_error(
        shared_server.client("iam", "AKIAZZZZZZZZZZZZZZZZ", "x" * 40).list_users)
    assert (code, msg, status) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    code, msg, status = expect_error(
        shared_server.client("sts", "AKIAZZZZZZZZZZZZZZZZ", "x" * 40).get_caller_identity)
    assert (code, msg, status) == ("InvalidClientTokenId", INVALID_TOKEN, 403)


def test_deactivated_key_is_refused_and_reactivated_key_works(shared_server):
    iam = shared_server.client("iam")
    name, key, secret = make_user(iam)
    sts = shared_server.client("sts", key, secret)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{name}")

    iam.update_access_key(UserName=name, AccessKeyId=key, Status="Inactive")
    assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert expect_error(sts.get_caller_identity) == ("InvalidClientTokenId", INVALID_TOKEN, 403)

    iam.update_access_key(UserName=name, AccessKeyId=key, Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{name}")


def test_deleted_key_is_invalid_client_token(shared_server):
    iam = shared_server.client("iam")
    name, key, secret = make_user(iam)
    sts = shared_server.client("sts", key, secret)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{name}")
    iam.delete_access_key(UserName=name, AccessKeyId=key)
    assert expect_error(sts.get_caller_identity) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    assert expect_error(shared_server.client("iam", key, secret).list_users) == \
        ("InvalidClientTokenId", INVALID_TOKEN, 403)


def test_no_authentication_is_missing_authentication_token(shared_server):
    r = raw_request(shared_server, LIST_USERS, sign=False)
    assert (r.status, r.code, r.message) == (403, "MissingAuthenticationToken",
                                             "Request is missing Authentication Token"), r
    r = raw_request(shared_server, WHOAMI, service="sts", method="GET", sign=False)
    assert (r.status, r.code) == (403, "MissingAuthenticationToken"), r


def test_garbled_authorization_header_is_incomplete_signature(shared_server):
    def garble(h):
        h["Authorization"] = "AWS4-HMAC-SHA256 garbage"

    r = raw_request(shared_server, LIST_USERS, mutate=garble)
    assert (r.status, r.code) == (400, "IncompleteSignature"), r
    assert "Authorization header" in r.message, r

    def drop_signature(h):
        h["Authorization"] = re.sub(r",\s*Signature=[0-9a-f]+", "", h["Authorization"])

    r = raw_request(shared_server, LIST_USERS, mutate=drop_signature)
    assert (r.status, r.code) == (400, "IncompleteSignature"), r
    assert "Authorization header requires 'Signature' parameter." in r.message, r
    # The server still answers properly signed requests afterwards.
    assert raw_request(shared_server, LIST_USERS).status == 200


def test_request_signed_20_minutes_ago_is_expired(shared_server):
    signed_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)
    with signing_clock(at=signed_at):
        r = raw_request(shared_server, LIST_USERS)
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    m = re.fullmatch(r"Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) "
                     r"\((\d{8}T\d{6}Z) - 15 min\.\)", r.message)
    assert m, r.message
    assert m.group(1) == signed_at.strftime(AMZ)
    earliest = dt.datetime.strptime(m.group(2), AMZ)
    now = dt.datetime.strptime(m.group(3), AMZ)
    assert now - earliest == dt.timedelta(minutes=15)
    assert abs((now.replace(tzinfo=dt.timezone.utc) - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 60

    # boto3 gets the same answer for STS.
    with signing_clock(offset=-dt.timedelta(minutes=20)):
        code, msg, status = expect_error(shared_server.client("sts").get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert msg.startswith("Signature expired: "), msg


def test_request_signed_20_minutes_ahead_is_not_yet_current(shared_server):
    signed_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)
    with signing_clock(at=signed_at):
        r = raw_request(shared_server, LIST_USERS)
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    m = re.fullmatch(r"Signature not yet current: (\d{8}T\d{6}Z) is still later than (\d{8}T\d{6}Z) "
                     r"\((\d{8}T\d{6}Z) \+ 15 min\.\)", r.message)
    assert m, r.message
    assert m.group(1) == signed_at.strftime(AMZ)


def test_small_clock_skew_is_accepted(shared_server):
    for minutes in (-10, 10):
        with signing_clock(offset=dt.timedelta(minutes=minutes)):
            assert shared_server.client("sts").get_caller_identity()["Account"]


def test_sts_request_scoped_to_wrong_service(shared_server):
    """An STS action signed with an `iam` (or other) credential scope."""
    for wrong in ("iam", "s3"):
        r = raw_request(shared_server, WHOAMI, service=wrong)
        assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), (wrong, r)
        assert "Credential should be scoped to correct service: 'sts'." in r.message, (wrong, r)


def test_iam_request_scoped_to_wrong_service(shared_server):
    r = raw_request(shared_server, LIST_USERS, service="sts")
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert "Credential should be scoped to correct service: 'iam'." in r.message, r


def test_credential_scope_date_must_match_request_date(shared_server):
    def shift_scope_date(h):
        date = h["X-Amz-Date"][:8]
        other = (dt.datetime.strptime(date, "%Y%m%d") - dt.timedelta(days=1)).strftime("%Y%m%d")
        h["Authorization"] = h["Authorization"].replace(f"/{date}/", f"/{other}/")

    r = raw_request(shared_server, LIST_USERS, mutate=shift_scope_date)
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP" in r.message, r


def test_any_region_in_scope_is_accepted(shared_server):
    iam = shared_server.client("iam", region="eu-west-1")
    assert any(u["UserName"] == "admin" for u in iam.list_users()["Users"])


def test_tampered_session_token_is_invalid_client_token(shared_server):
    key, secret, token, _ = session_creds(shared_server)
    ok = shared_server.client("sts", key, secret, token).get_caller_identity()
    assert ":assumed-role/OrganizationAccountAccessRole/authn-test" in ok["Arn"]
    i = len(token) // 2
    flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
    for bad in (flipped, token[:-4], token + "AAAA"):
        code, msg, status = expect_error(shared_server.client("sts", key, secret, bad).get_caller_identity)
        assert (code, msg, status) == ("InvalidClientTokenId", INVALID_TOKEN, 403), bad
    # Another session's token with this session's key id does not pass either.
    key2, secret2, token2, _ = session_creds(shared_server)
    assert expect_error(shared_server.client("sts", key, secret, token2).get_caller_identity)[0] == \
        "InvalidClientTokenId"


def test_session_key_without_token_is_invalid_client_token(shared_server):
    key, secret, token, _ = session_creds(shared_server)
    assert key.startswith("ASIA") and len(key) == 20
    code, msg, status = expect_error(shared_server.client("sts", key, secret).get_caller_identity)
    assert (code, msg, status) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    assert expect_error(shared_server.client("iam", key, secret).list_users)[0] == "InvalidClientTokenId"


def test_session_token_may_be_sent_unsigned(shared_server):
    """Some signers add X-Amz-Security-Token after signing; it is accepted unsigned."""
    key, secret, token, _ = session_creds(shared_server)
    r = raw_request(shared_server, WHOAMI, service="sts", key=key, secret=secret,
                    mutate=lambda h: h.__setitem__("X-Amz-Security-Token", token))
    assert r.status == 200, r
    assert ":assumed-role/OrganizationAccountAccessRole/authn-test" in r.text


def test_presigned_get_caller_identity(shared_server):
    sts = shared_server.client("sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Signature=" in url and "Action=GetCallerIdentity" in url
    r = requests.get(url, verify=shared_server.ca, timeout=30)
    assert r.status_code == 200, r.text
    acct = account_id(shared_server)
    assert f"<Arn>arn:aws:iam::{acct}:user/admin</Arn>" in r.text
    assert "<GetCallerIdentityResult>" in r.text
    # A presigned URL whose signature was altered is refused.
    bad = re.sub(r"X-Amz-Signature=([0-9a-f])", lambda m: "X-Amz-Signature=" + ("0" if m.group(1) != "0" else "1"), url)
    r = requests.get(bad, verify=shared_server.ca, timeout=30)
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text, r.text


def test_presigned_url_uses_the_15_minute_window_not_x_amz_expires(shared_server):
    """EKS tokens say X-Amz-Expires=60 and are reused for ~14 minutes: only the ±15 min rule applies."""
    sts = shared_server.client("sts")
    with signing_clock(offset=-dt.timedelta(minutes=5)):
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    r = requests.get(url, verify=shared_server.ca, timeout=30)
    assert r.status_code == 200, r.text
    with signing_clock(offset=-dt.timedelta(minutes=20)):
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    r = requests.get(url, verify=shared_server.ca, timeout=30)
    assert r.status_code == 403, r.text
    assert "<Code>SignatureDoesNotMatch</Code>" in r.text and "Signature expired: " in r.text, r.text


def test_presigned_get_caller_identity_with_session_credentials(shared_server):
    key, secret, token, out = session_creds(shared_server)
    url = shared_server.client("sts", key, secret, token).generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Security-Token=" in url
    r = requests.get(url, verify=shared_server.ca, timeout=30)
    assert r.status_code == 200, r.text
    assert f"<Arn>{out['AssumedRoleUser']['Arn']}</Arn>" in r.text


def test_get_caller_identity_as_json(shared_server):
    r = raw_request(shared_server, WHOAMI, service="sts", headers={"Accept": "application/json"})
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json")
    doc = json.loads(r.text)
    result = doc["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
    acct = account_id(shared_server)
    assert result == {"UserId": result["UserId"], "Account": acct, "Arn": f"arn:aws:iam::{acct}:user/admin"}
    assert result["UserId"].startswith("AIDA")
    assert doc["GetCallerIdentityResponse"]["ResponseMetadata"]["RequestId"]


def test_expired_session_credentials_are_expired_token(server, tmp_path):
    """Session credentials of 900 s, then the same data dir served 2 hours later (libfaketime)."""
    faketime = shutil.which("faketime")
    if not faketime:
        pytest.skip("faketime is not on PATH (apt-get install -y faketime); cannot shift the server's clock")
    # Preload libfaketime into the server itself rather than running it under the `faketime`
    # wrapper: the wrapper does not pass SIGTERM on, so the server would outlive the test.
    libs = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1") +
                  glob.glob("/usr/local/lib/faketime/libfaketime.so.1"))
    if not libs:
        pytest.skip("faketime is installed but libfaketime.so.1 was not found")
    key, secret, token, out = session_creds(server, duration=900)
    exp = out["Credentials"]["Expiration"]
    assert 800 <= (exp - dt.datetime.now(dt.timezone.utc)).total_seconds() <= 900
    assert server.client("sts", key, secret, token).get_caller_identity()

    server.stop()
    server.extra_env = {"LD_PRELOAD": libs[0], "FAKETIME": "+2h"}
    server.start()
    later = dt.timedelta(hours=2)

    # Sanity: the server's clock really moved. A long-term key signed with the real time is now
    # 2 hours stale, and one signed with the shifted time is fine.
    r = raw_request(server, WHOAMI, service="sts")
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert r.message.startswith("Signature expired:"), r
    with signing_clock(offset=later):
        assert server.client("sts").get_caller_identity()["Account"]

    # The session, signed in step with the server's clock: expired.
    with signing_clock(offset=later):
        code, msg, status = expect_error(server.client("sts", key, secret, token).get_caller_identity)
        assert (code, status) == ("ExpiredToken", 403), (code, msg)
        assert msg == "The security token included in the request is expired", msg
        assert expect_error(server.client("iam", key, secret, token).list_users)[0] == "ExpiredToken"
    # Signed with the real clock (2 h of skew): credentials are checked first, so still ExpiredToken.
    code, msg, status = expect_error(server.client("sts", key, secret, token).get_caller_identity)
    assert (code, status) == ("ExpiredToken", 403), (code, msg)

    # The real aws CLI, run under the same offset.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_SESSION_TOKEN=token,
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=server.endpoint, AWS_CA_BUNDLE=server.ca,
               PYTHONWARNINGS="ignore")
    p = subprocess.run([faketime, "-f", "+2h", AWS, "sts", "get-caller-identity"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert p.returncode != 0, p.stdout
    assert "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: " \
           "The security token included in the request is expired" in p.stderr, p.stderr


def test_body_changed_after_signing_is_signature_does_not_match(shared_server):
    name = unique("tamper")
    # Sign a harmless ListUsers, then send a CreateUser body under the same signature.
    key, secret = shared_server.admin_keys()
    req = bar.AWSRequest(method="POST", url=shared_server.endpoint + "/", data=b"Action=ListUsers&Version=2010-05-08",
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    ba.SigV4Auth(bc.Credentials(key, secret), "iam", "us-east-1").add_auth(req)
    p = req.prepare()
    evil = f"Action=CreateUser&Version=2010-05-08&UserName={name}".encode()
    headers = dict(p.headers)
    headers["Content-Length"] = str(len(evil))
    r = requests.post(p.url, data=evil, headers=headers, verify=shared_server.ca, timeout=30)
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text, r.text
    assert expect_error(shared_server.client("iam").get_user, UserName=name)[0] == "NoSuchEntity"


def test_signed_header_missing_or_changed_is_signature_does_not_match(shared_server):
    r = raw_request(shared_server, LIST_USERS, headers={"X-Extra": "one"},
                    mutate=lambda h: h.pop("X-Extra"))
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    r = raw_request(shared_server, LIST_USERS, headers={"X-Extra": "one"},
                    mutate=lambda h: h.__setitem__("X-Extra", "two"))
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    # Unsigned extra headers do not matter.
    r = raw_request(shared_server, LIST_USERS, mutate=lambda h: h.__setitem__("X-Unsigned", "whatever"))
    assert r.status == 200, r


def test_payload_hash_header_must_match_the_body(shared_server):
    wrong = "0" * 64
    r = raw_request(shared_server, LIST_USERS, headers={"X-Amz-Content-SHA256": wrong})
    assert r.status in (400, 403) and r.code in ("SignatureDoesNotMatch", "XAmzContentSHA256Mismatch",
                                                 "InvalidRequest"), r


def test_scope_terminator_and_region_must_be_valid(shared_server):
    r = raw_request(shared_server, LIST_USERS,
                    mutate=lambda h: h.__setitem__("Authorization", h["Authorization"].replace("/aws4_request", "/aws5_request")))
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert "Credential should be scoped with a valid terminator: 'aws4_request'" in r.message, r
    r = raw_request(shared_server, LIST_USERS, region="Not_A_Region!")
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert "Credential should be scoped to a valid region" in r.message, r


def test_presigned_expires_must_be_in_range(shared_server):
    sts = shared_server.client("sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    for bad in ("0", "604801", "abc"):
        r = requests.get(url.replace("X-Amz-Expires=60", f"X-Amz-Expires={bad}"), verify=shared_server.ca, timeout=30)
        assert r.status_code in (400, 403), (bad, r.text)


def test_sessions_survive_a_restart(server):
    """Session tokens are sealed with the data dir's key, so they stay valid across restarts."""
    key, secret, token, out = session_creds(server)
    server.stop()
    server.start()
    assert server.client("sts", key, secret, token).get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]


def test_endpoint_url_with_a_path_prefix(shared_server):
    """The client signs the prefix (double-encoded), so the server must verify it as received."""
    import boto3
    import botocore.config
    key, secret = shared_server.admin_keys()
    for prefix in ("/orchestera/api", "/with%20space/", "/a/b/../c"):
        sts = boto3.client("sts", endpoint_url=shared_server.endpoint + prefix, verify=shared_server.ca,
                           region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
                           config=botocore.config.Config(retries={"max_attempts": 1}))
        assert sts.get_caller_identity()["Arn"].endswith(":user/admin"), prefix


def _hand_signed(server, key, secret, body, when, use_date_header):
    """A minimal SigV4 signer (independent of botocore) that may carry the time in `Date`."""
    import hashlib
    import hmac
    from email.utils import format_datetime
    host = server.endpoint.split("//", 1)[1]
    amz = when.strftime(AMZ)
    day = amz[:8]
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": host}
    if use_date_header:
        headers["date"] = format_datetime(when, usegmt=True)
    else:
        headers["x-amz-date"] = amz
    names = sorted(headers)
    canonical = "\n".join(["POST", "/", "", "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = f"{day}/us-east-1/sts/aws4_request"
    sts_text = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "sts", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts_text.encode(), hashlib.sha256).hexdigest()
    out = {n.title(): v for n, v in headers.items() if n != "host"}
    out["Authorization"] = f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={';'.join(names)}, Signature={sig}"
    return requests.post(server.endpoint + "/", data=body, headers=out, verify=server.ca, timeout=30)


def test_independent_signer_and_date_header(shared_server):
    key, secret = shared_server.admin_keys()
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    r = _hand_signed(shared_server, key, secret, body, now, use_date_header=False)
    assert r.status_code == 200, r.text
    # Without X-Amz-Date, the time comes from the (signed) Date header.
    r = _hand_signed(shared_server, key, secret, body, now, use_date_header=True)
    assert r.status_code == 200, r.text
    r = _hand_signed(shared_server, key, secret, body, now - dt.timedelta(minutes=30), use_date_header=True)
    assert r.status_code == 403 and "Signature expired" in r.text, r.text


def test_header_and_query_signatures_together_are_refused(shared_server):
    sts = shared_server.client("sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    signed = raw_request(shared_server, WHOAMI, service="sts", method="GET")  # proves GET is served
    assert signed.status == 200, signed
    key, secret = shared_server.admin_keys()
    req = bar.AWSRequest(method="GET", url=url)
    ba.SigV4Auth(bc.Credentials(key, secret), "sts", "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.get(p.url, headers=dict(p.headers), verify=shared_server.ca, timeout=30)
    assert r.status_code in (400, 403), r.text


def test_huge_headers_are_refused_and_server_keeps_serving(shared_server):
    try:
        r = requests.post(shared_server.endpoint + "/", data=b"Action=ListUsers&Version=2010-05-08",
                          headers={"X-Filler": "a" * (256 * 1024)}, verify=shared_server.ca, timeout=30)
        assert r.status_code in (400, 413, 431), r.status_code
    except requests.exceptions.ConnectionError:
        pass  # closing the connection is an acceptable answer to a 256 KB header
    assert shared_server.client("sts").get_caller_identity()["Account"]
