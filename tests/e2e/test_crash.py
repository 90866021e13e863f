"""Crash durability across both planes: writers create IAM users and Kubernetes objects (and
delete some) concurrently while the server is SIGKILLed at random moments, many times, restarting
each time. Every acknowledged write must be there afterwards (every acknowledged delete gone), and
nothing unacknowledged may be half there: an object is either absent or whole."""
import json
import random
import threading
import time

import requests
import yaml

from conftest import admin_of, server_fixture
from test_onboarding_cluster import account_id_of, provision


# Write bursts from one principal, as fast as it can: without the request rate limit, which would
# refuse most of them (the limits have tests of their own, test_limits.py).
server = server_fixture("--rate-limit", "0")


ROUNDS = 10
PAYLOAD = "x" * 2000  # big enough that a torn write would show


def break_glass(server, acct, cluster):
    cfg = yaml.safe_load((server.data_dir / "admin" / f"break-glass-{acct}-{cluster}.kubeconfig").read_text())
    c, u = cfg["clusters"][0]["cluster"], cfg["users"][0]["user"]
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would replace the cluster's CA
    s.verify = c["certificate-authority"]
    s.cert = (u["client-certificate"], u["client-key"])
    return c["server"], s


def test_sigkill_at_random_moments_loses_no_acknowledged_write_on_either_plane(server, tmp_path):
    admin = admin_of(server, tmp_path)
    acct = account_id_of(admin)
    provision(admin, "c1")
    base, _ = break_glass(server, acct, "c1")
    cms = base + "/api/v1/namespaces/default/configmaps"
    rng = random.Random(7)
    # A delete whose answer the kill swallowed may or may not have happened: only the
    # acknowledged ones are certain.
    acked_users, acked_cms, tried_deletes, acked_deletes = set(), set(), set(), set()
    lock = threading.Lock()
    kills = 0
    for round_no in range(ROUNDS):
        stop = threading.Event()
        iam = [server.client("iam") for _ in range(3)]
        _, session = break_glass(server, acct, "c1")

        def users(t):
            i = 0
            while not stop.is_set():
                name = f"r{round_no}-t{t}-u{i}"
                i += 1
                try:
                    iam[t].create_user(UserName=name)
                except Exception:
                    continue
                with lock:
                    acked_users.add(name)

        def configmaps(t):
            i = 0
            while not stop.is_set():
                name = f"r{round_no}-t{t}-c{i}"
                i += 1
                body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"payload": PAYLOAD + name}}
                try:
                    r = session.post(cms, json=body, timeout=5)
                except requests.RequestException:
                    continue
                if r.status_code == 201:
                    with lock:
                        acked_cms.add(name)
                    if i % 3 == 0:  # delete every third one again
                        with lock:
                            tried_deletes.add(name)
                        try:
                            d = session.delete(f"{cms}/{name}", timeout=5)
                        except requests.RequestException:
                            continue
                        if d.status_code == 200:
                            with lock:
                                acked_deletes.add(name)

        threads = [threading.Thread(target=users, args=(t,)) for t in range(3)]
        threads += [threading.Thread(target=configmaps, args=(t,)) for t in range(3)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 2.0))
        server.kill()
        kills += 1
        stop.set()
        for t in threads:
            t.join(timeout=30)
        server.start()

    # Every acknowledged user is there; every listed user is whole.
    names = [u["UserName"] for page in server.client("iam").get_paginator("list_users").paginate() for u in page["Users"]]
    assert acked_users <= set(names), sorted(acked_users - set(names))[:5]
    # Every acknowledged configmap is there unless a delete of it was sent; none whose delete was
    # acknowledged is; each one present is whole (its full payload), never torn.
    _, session = break_glass(server, acct, "c1")
    listed = session.get(cms, timeout=30).json()["items"]
    present = {c["metadata"]["name"]: c for c in listed}
    missing = (acked_cms - tried_deletes) - set(present)
    assert not missing, sorted(missing)[:5]
    assert not (acked_deletes & set(present)), sorted(acked_deletes & set(present))[:5]
    for name, c in present.items():
        assert c["data"] == {"payload": PAYLOAD + name}, name
        assert int(c["metadata"]["resourceVersion"]) > 0 and c["metadata"]["uid"]
    assert kills == ROUNDS and len(acked_users) > ROUNDS and len(acked_cms) > ROUNDS
    print(f"{kills} kills; acknowledged: {len(acked_users)} users, {len(acked_cms)} configmaps, "
          f"{len(acked_deletes)} deletes; 0 lost")
