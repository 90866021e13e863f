"""End-to-end fixtures: the real `orchestera` binary on loopback ports chosen at run time
(it binds port 0 and prints its endpoint), driven by the real aws CLI and boto3."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import botocore.config
import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("ORCHESTERA_BIN", ROOT / "build" / "release" / "src" / "cli" / "orchestera"))
AWS = shutil.which("aws")
SERVING = re.compile(r"serving the AWS API .* at (https://\S+)")


class Server:
    """One orchestera process over one data directory; can be stopped, killed and restarted."""

    def __init__(self, data_dir: Path, extra_env=None, prefix=None, args=None):
        self.data_dir = data_dir
        self.args = list(args or [])
        self.extra_env = extra_env or {}
        self.prefix = prefix or []
        self.proc = None
        self.endpoint = None
        self.log = data_dir.parent / (data_dir.name + ".log")

    def start(self, timeout=30):
        env = dict(os.environ, **self.extra_env)
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            self.prefix + [str(BINARY), "server", "--data-dir", str(self.data_dir),
                           "--aws-listen", "127.0.0.1:0", "--kube-listen", "127.0.0.1:0", *self.args],
            stdout=subprocess.PIPE, stderr=logf, env=env, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"orchestera exited with {self.proc.returncode}; see {self.log}")
                continue
            m = SERVING.search(line)
            if m:
                self.endpoint = m.group(1)
                # Keep draining stdout so the server never blocks on a full pipe.
                import threading
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return self
        raise RuntimeError("orchestera did not report its endpoint in time")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def kill(self):
        return self.stop(signal.SIGKILL)

    @property
    def ca(self):
        return str(self.data_dir / "pki" / "ca.crt")

    @property
    def admin_config(self):
        return str(self.data_dir / "admin" / "config")

    @property
    def admin_credentials(self):
        return str(self.data_dir / "admin" / "credentials")

    def admin_keys(self, profile="orchestera-admin"):
        import configparser
        cp = configparser.ConfigParser()
        cp.read(self.admin_credentials)
        return cp[profile]["aws_access_key_id"], cp[profile]["aws_secret_access_key"]

    def client(self, service, key=None, secret=None, token=None, profile="orchestera-admin", region="us-east-1"):
        if key is None:
            key, secret = self.admin_keys(profile)
        return boto3.client(service, endpoint_url=self.endpoint, verify=self.ca, region_name=region,
                            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                            config=botocore.config.Config(retries={"max_attempts": 1}))


def server_fixture(*args, name="server"):
    """A fixture (named `name`) giving each test a fresh server started with these extra flags."""
    @pytest.fixture(name=name)
    def server(tmp_path):
        s = Server(tmp_path / "data", args=list(args)).start()
        yield s
        s.stop()
    return server


server = server_fixture()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a module's read-mostly tests (they create uniquely named entities)."""
    s = Server(tmp_path_factory.mktemp("shared") / "data").start()
    yield s
    s.stop()


class Cli:
    """Runs the real aws CLI with a HOME of its own, as a new user would."""

    def __init__(self, home: Path, env=None):
        self.home = home
        self.env = dict(env or {})

    def run(self, *args, check=True, env=None):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        full_env.update({"HOME": str(self.home), "PYTHONWARNINGS": "ignore"})
        full_env.update(self.env)
        full_env.update(env or {})
        p = subprocess.run([AWS, *args], capture_output=True, text=True, env=full_env, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def json(self, *args, **kw):
        p = self.run(*args, "--output", "json", **kw)
        return json.loads(p.stdout) if p.stdout.strip() else {}


def admin_of(server, tmp_path):
    """The workspace administrator's aws CLI, with the files the server wrote, in a HOME of its own."""
    home = tmp_path / "admin-home"
    home.mkdir()
    return Cli(home, {"AWS_CONFIG_FILE": server.admin_config,
                      "AWS_SHARED_CREDENTIALS_FILE": server.admin_credentials,
                      "AWS_PROFILE": "orchestera-admin"})


@pytest.fixture
def admin_cli(server, tmp_path):
    return admin_of(server, tmp_path)


def member_home(tmp_path: Path, server: Server, role_arn: str, key: str, secret: str) -> Path:
    """Writes ~/.aws/config and ~/.aws/credentials exactly as the onboarding page shows them,
    plus the endpoint_url and ca_bundle lines in [profile orchestera-dev]."""
    home = tmp_path / "member-home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(
        "[default]\n"
        "region = us-east-1\n"
        "\n"
        "[profile orchestera-dev]\n"
        f"role_arn = {role_arn}\n"
        "source_profile = orchestera\n"
        "region = us-east-1\n"
        f"endpoint_url = {server.endpoint}\n"
        f"ca_bundle = {server.ca}\n")
    (home / ".aws" / "credentials").write_text(
        "[orchestera]\n"
        f"aws_access_key_id = {key}\n"
        f"aws_secret_access_key = {secret}\n")
    return home


# ---------------------------------------------------------------------------------------------
# Shared helpers for the identity-plane suite (imported by the test modules as `from conftest import …`).

import contextlib
import datetime as _dt
import urllib.parse
import uuid
import xml.etree.ElementTree as _ET
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions
import requests

IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"


def unique(prefix="u"):
    """A short unique entity name (names must be unique per account, regardless of case)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def err(exc):
    """(code, message, http status) of a botocore ClientError."""
    assert isinstance(exc, botocore.exceptions.ClientError), repr(exc)
    e = exc.response.get("Error", {})
    return e.get("Code"), e.get("Message", ""), exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def expect_error(fn, *args, **kwargs):
    """Calls fn and returns (code, message, status) of the ClientError it must raise."""
    try:
        fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return err(e)
    raise AssertionError(f"{getattr(fn, '__name__', fn)} succeeded but an error was expected")


def wait_for(fn, timeout=10.0, interval=0.1, what="condition"):
    """Polls fn() until it returns a truthy value; returns that value or fails after timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value {last!r}")


@contextlib.contextmanager
def signing_clock(offset=None, at=None):
    """Makes botocore sign as if the time were now+offset (a timedelta) or `at` (an aware datetime)."""
    def fake(remove_tzinfo=True):
        now = at if at is not None else _dt.datetime.now(_dt.timezone.utc) + (offset or _dt.timedelta(0))
        return now.replace(tzinfo=None) if remove_tzinfo else now

    with mock.patch.object(botocore.auth, "get_current_datetime", fake):
        yield


class RawResponse:
    """A response to a hand-built request, with the Query error fields parsed out."""

    def __init__(self, r: requests.Response):
        self.status = r.status_code
        self.text = r.text
        self.headers = r.headers
        self.code = self.message = None
        if self.text.lstrip().startswith("<"):
            try:
                root = _ET.fromstring(self.text)
            except _ET.ParseError:
                root = None
            if root is not None:
                for el in root.iter():
                    tag = el.tag.split("}")[-1]
                    if tag == "Code" and self.code is None:
                        self.code = el.text
                    elif tag == "Message" and self.message is None:
                        self.message = el.text or ""

    def __repr__(self):
        return f"<RawResponse {self.status} {self.code}: {self.message!r} {self.text[:300]!r}>"


def raw_request(server, params=None, *, service="iam", key=None, secret=None, token=None, region="us-east-1",
                method="POST", body=None, headers=None, sign=True, profile="orchestera-admin",
                mutate=None, timeout=30):
    """Sends an IAM/STS Query request the way botocore builds it, signed with SigV4 by botocore's own
    signer (unless sign=False). `body` (bytes/str) overrides the form encoding of `params`;
    `mutate(prepared_headers)` may alter the signed headers before sending."""
    if key is None:
        key, secret = server.admin_keys(profile)
    url = server.endpoint + "/"
    hdrs = {}
    data = b""
    if method == "POST":
        hdrs["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        if body is not None:
            data = body.encode() if isinstance(body, str) else body
        else:
            data = urllib.parse.urlencode(params or {}).encode()
    elif params:
        url += "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    hdrs.update(headers or {})
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=data, headers=hdrs)
    if sign:
        creds = botocore.credentials.Credentials(key, secret, token)
        botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
    prepared = req.prepare()
    out_headers = dict(prepared.headers)
    if mutate:
        mutate(out_headers)
    r = requests.request(method, prepared.url, data=prepared.body, headers=out_headers, verify=server.ca,
                         timeout=timeout)
    return RawResponse(r)


def account_id(server, profile="orchestera-admin"):
    return server.client("sts", profile=profile).get_caller_identity()["Account"]


def make_user(iam, name=None, *, inline=None, managed=(), groups=(), keys=True, boundary=None):
    """Creates an IAM user with optional inline policies {name: doc}, managed policy ARNs, group
    memberships and a permissions boundary; returns (name, key id, secret) (key None when keys=False)."""
    name = name or unique("user")
    kw = {"PermissionsBoundary": boundary} if boundary else {}
    iam.create_user(UserName=name, **kw)
    for pname, doc in (inline or {}).items():
        iam.put_user_policy(UserName=name, PolicyName=pname,
                            PolicyDocument=doc if isinstance(doc, str) else json.dumps(doc))
    for arn in managed:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    for g in groups:
        iam.add_user_to_group(GroupName=g, UserName=name)
    if not keys:
        return name, None, None
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return name, k["AccessKeyId"], k["SecretAccessKey"]


def allow(actions, resources="*", effect="Allow", condition=None):
    """A one-statement identity policy document (a dict)."""
    st = {"Effect": effect, "Action": actions, "Resource": resources}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def trust(principal_arn, condition=None):
    st = {"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})
