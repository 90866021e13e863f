"""Durability: acknowledged writes survive SIGKILL, restarts keep the admin files and keys, and
the data directory's secrets are private."""
import configparser
import os
import stat
import threading
import time

import botocore.exceptions

from conftest import Cli, expect_error, server_fixture


# Write bursts from one principal, as fast as it can: without the request rate limit, which would
# refuse most of them (the limits have tests of their own, test_limits.py).
server = server_fixture("--rate-limit", "0")


THREADS = 8


def all_users(iam):
    users = [u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
    for u in users:
        assert u["UserId"].startswith("AIDA") and u["Arn"].endswith(f":user/{u['UserName']}") and u["CreateDate"], u
    return [u["UserName"] for u in users]


def burst_then_kill(server, round_no, kill_after=1.5, duration=3.0):
    """8 threads create users as fast as they can; the server is SIGKILLed mid-burst.
    Returns the names whose CreateUser was acknowledged (HTTP 200)."""
    acked, lock = [], threading.Lock()
    stop = threading.Event()
    errors = []

    # boto3's default session is not thread-safe for creating clients: make them up front.
    clients = [server.client("iam") for _ in range(THREADS)]

    def worker(t):
        iam = clients[t]
        i = 0
        while not stop.is_set():
            name = f"dur-{round_no}-{t}-{i}"
            i += 1
            try:
                iam.create_user(UserName=name)
            except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError,
                    botocore.exceptions.ReadTimeoutError, botocore.exceptions.SSLError,
                    botocore.exceptions.HTTPClientError):
                return  # the server is gone
            except botocore.exceptions.ClientError as e:
                errors.append(e)
                return
            with lock:
                acked.append(name)

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(THREADS)]
    start = time.time()
    for th in threads:
        th.start()
    # Wait for the burst to be under way, then kill at kill_after seconds.
    while time.time() - start < kill_after:
        time.sleep(0.05)
    with lock:
        assert acked, "no CreateUser was acknowledged before the kill"
    server.kill()
    assert server.proc.returncode == -9
    killed_at = time.time()
    stop_deadline = start + duration
    for th in threads:
        th.join(timeout=max(1.0, stop_deadline - time.time()) + 10)
    stop.set()
    assert not errors, [str(e) for e in errors[:3]]
    assert all(not th.is_alive() for th in threads)
    assert killed_at - start < duration
    return list(acked)


def test_sigkill_during_write_burst_keeps_every_acknowledged_user(server):
    total = 0
    for round_no in range(3):
        acked = burst_then_kill(server, round_no)
        total += len(acked)
        server.start()
        iam = server.client("iam")
        listed = all_users(iam)
        assert len(listed) == len(set(listed))
        missing = set(acked) - set(listed)
        assert not missing, f"round {round_no}: {len(missing)} acknowledged users lost, e.g. {sorted(missing)[:5]}"
        # Every record written in this round (acknowledged or not) must be whole. Earlier rounds'
        # were checked after their own recovery; ListUsers above shows every record's fields anyway.
        ours = [n for n in listed if n.startswith(f"dur-{round_no}-")]
        assert len(ours) >= len(acked)
        for name in ours:
            u = iam.get_user(UserName=name)["User"]
            assert u["UserName"] == name and u["UserId"].startswith("AIDA") and u["Arn"].endswith(f":user/{name}")
        assert "admin" in listed
    assert total > 3 * THREADS, f"the bursts were too small to mean anything ({total} writes)"
    # The server still writes after the last recovery.
    server.client("iam").create_user(UserName="after-the-kills")
    assert server.client("iam").get_user(UserName="after-the-kills")["User"]["UserName"] == "after-the-kills"


def read_config(path):
    cp = configparser.ConfigParser()
    cp.read(path)
    return cp


def test_sigterm_restart_keeps_admin_files_and_keys(server, tmp_path):
    keys_before = {p: server.admin_keys(p) for p in ("orchestera-admin", "orchestera-org")}
    creds_text = open(server.admin_credentials).read()
    ids = {p: server.client("sts", profile=p).get_caller_identity() for p in keys_before}
    server.client("iam").create_user(UserName="survivor")
    old_endpoint = server.endpoint
    cfg = read_config(server.admin_config)
    assert cfg["profile orchestera-admin"]["endpoint_url"] == old_endpoint

    assert server.stop() == 0, "SIGTERM should end the server cleanly"
    server.start()
    assert open(server.admin_credentials).read() == creds_text
    assert {p: server.admin_keys(p) for p in keys_before} == keys_before
    cfg = read_config(server.admin_config)
    for p in ("profile orchestera-admin", "profile orchestera-org"):
        assert cfg[p]["endpoint_url"] == server.endpoint, (p, cfg[p]["endpoint_url"], server.endpoint)
        assert cfg[p]["ca_bundle"] == server.ca
        assert cfg[p]["region"] == "us-east-1"
    for p, ident in ids.items():
        now = server.client("sts", profile=p).get_caller_identity()
        assert (now["Arn"], now["UserId"], now["Account"]) == (ident["Arn"], ident["UserId"], ident["Account"])
    assert server.client("iam").get_user(UserName="survivor")["User"]["UserName"] == "survivor"
    # The CLI, reading only the admin files, finds the new endpoint.
    home = tmp_path / "home"
    home.mkdir()
    cli = Cli(home, {"AWS_CONFIG_FILE": server.admin_config, "AWS_SHARED_CREDENTIALS_FILE": server.admin_credentials})
    assert cli.json("sts", "get-caller-identity", "--profile", "orchestera-org")["Arn"] == ids["orchestera-org"]["Arn"]


def test_restart_after_sigkill_keeps_admin_keys(server):
    keys = server.admin_keys()
    server.kill()
    server.start()
    assert server.admin_keys() == keys
    assert server.client("iam").get_user()["User"]["UserName"] == "admin"
    assert read_config(server.admin_config)["profile orchestera-admin"]["endpoint_url"] == server.endpoint


def test_data_dir_secrets_are_private(server):
    d = server.data_dir
    for path in (d / "secret.key", d / "pki" / "ca.key", d / "admin" / "credentials"):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o600, f"{path} has mode {oct(mode)}"
    # The database holds the IAM entities (secrets sealed) and is the server's alone too.
    for path in d.glob("orchestera.db*"):
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, f"{path} has mode {oct(os.stat(path).st_mode)}"
    assert stat.S_IMODE(os.stat(d).st_mode) & 0o077 == 0
    # A secret key that others can read is refused at start.
    server.stop()
    os.chmod(d / "secret.key", 0o644)
    try:
        try:
            server.start(timeout=10)
        except RuntimeError as e:
            assert "exited" in str(e)
        else:
            raise AssertionError("the server started with a world-readable secret.key")
        assert "secret.key" in open(server.log).read()
    finally:
        os.chmod(d / "secret.key", 0o600)
    server.start()
    assert server.client("sts").get_caller_identity()["Account"]


def test_sigterm_flushes_access_key_last_used(server):
    """Last-used data is flushed once a second; a clean stop must not drop the pending flush."""
    iam = server.client("iam")
    iam.create_user(UserName="busy")
    k = iam.create_access_key(UserName="busy")["AccessKey"]
    server.client("sts", k["AccessKeyId"], k["SecretAccessKey"]).get_caller_identity()
    assert server.stop() == 0
    server.start()
    used = server.client("iam").get_access_key_last_used(AccessKeyId=k["AccessKeyId"])["AccessKeyLastUsed"]
    assert "LastUsedDate" in used and used["ServiceName"] == "sts", used


def test_sigterm_during_write_burst_keeps_every_acknowledged_user(server):
    acked, lock, stop = [], threading.Lock(), threading.Event()
    clients = [server.client("iam") for _ in range(4)]

    def worker(t):
        i = 0
        while not stop.is_set():
            name = f"term-{t}-{i}"
            i += 1
            try:
                clients[t].create_user(UserName=name)
            except botocore.exceptions.ClientError as e:
                raise AssertionError(f"unexpected {e}")
            except Exception:  # noqa: BLE001 - the server went away
                return
            with lock:
                acked.append(name)

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(4)]
    for th in threads:
        th.start()
    wait = time.time() + 0.7
    while time.time() < wait:
        time.sleep(0.05)
    assert server.stop() == 0
    stop.set()
    for th in threads:
        th.join(15)
    server.start()
    listed = set(all_users(server.client("iam")))
    assert acked and not set(acked) - listed


def test_sigkill_keeps_acknowledged_access_keys_usable(server):
    """Keys are what clients hold: every acknowledged CreateAccessKey must authenticate after a crash."""
    clients = [server.client("iam") for _ in range(4)]
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def worker(t):
        i = 0
        while not stop.is_set():
            name = f"keyed-{t}-{i}"
            i += 1
            try:
                clients[t].create_user(UserName=name)
                k = clients[t].create_access_key(UserName=name)["AccessKey"]
            except botocore.exceptions.ClientError as e:
                raise AssertionError(f"unexpected {e}")
            except Exception:  # noqa: BLE001 - the server went away
                return
            with lock:
                acked.append((name, k["AccessKeyId"], k["SecretAccessKey"]))

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(4)]
    for th in threads:
        th.start()
    deadline = time.time() + 1.0
    while time.time() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    for th in threads:
        th.join(15)
    assert acked
    server.start()
    for name, key, secret in acked[-40:] + acked[:10]:
        assert server.client("sts", key, secret).get_caller_identity()["Arn"].endswith(f":user/{name}")
    iam = server.client("iam")
    have = {k["AccessKeyId"] for name, _, _ in acked for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}
    assert {k for _, k, _ in acked} <= have
