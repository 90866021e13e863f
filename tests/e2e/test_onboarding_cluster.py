"""The onboarding page (../shared/docs/onboarding.md) end to end, as a new user would run it:
the admin provisions a cluster with `aws eks create-cluster`, creates the namespace with kubectl
and a user in the platform group; the member writes the page's two files (plus endpoint_url and
ca_bundle), removes the CLI cache, runs update-kubeconfig, whoami and both can-i — then a pod's
life with kubectl. And the denials around it."""
import base64
import json
import os
import re
import shutil
import subprocess
import urllib.parse

import pytest

from conftest import Cli, account_id, admin_of, member_home, wait_for

KUBECTL = shutil.which("kubectl")


def kubectl(who, *args, check=True):
    """kubectl as `who` (a Cli: its HOME, and its AWS environment for the exec plugin)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update({"HOME": str(who.home), "PYTHONWARNINGS": "ignore"})
    env.update(who.env)
    p = subprocess.run([KUBECTL, *args], capture_output=True, text=True, env=env, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def provision(admin_cli, name):
    acct = account_id_of(admin_cli)
    out = admin_cli.json("eks", "create-cluster", "--name", name, "--role-arn",
                         f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
                         "--resources-vpc-config", "subnetIds=subnet-a,subnet-b")
    assert out["cluster"]["status"] == "CREATING"
    wait_for(lambda: admin_cli.json("eks", "describe-cluster", "--name", name)["cluster"]["status"] == "ACTIVE",
             what=f"cluster {name} ACTIVE")
    return acct


def account_id_of(cli):
    return cli.json("sts", "get-caller-identity")["Account"]


def new_member(admin_cli, tmp_path, server, name, in_group=True):
    acct = account_id_of(admin_cli)
    admin_cli.run("iam", "create-user", "--user-name", name)
    if in_group:
        admin_cli.run("iam", "add-user-to-group", "--group-name", "orchestera-platform-devs", "--user-name", name)
    key = admin_cli.json("iam", "create-access-key", "--user-name", name)["AccessKey"]
    home = member_home(tmp_path / name, server, f"arn:aws:iam::{acct}:role/orchestera-platform-devs",
                       key["AccessKeyId"], key["SecretAccessKey"])
    return home, Cli(home)


@pytest.fixture
def cluster(server, admin_cli, tmp_path):
    provision(admin_cli, "spark-dev")
    admin_cli.run("eks", "update-kubeconfig", "--name", "spark-dev", "--region", "us-east-1")
    kubectl(admin_cli, "create", "namespace", "data-science")
    return "spark-dev"


def test_onboarding_page_verbatim(server, admin_cli, cluster, tmp_path):
    acct = account_id_of(admin_cli)
    home, member = new_member(admin_cli, tmp_path, server, "alice")
    # "Remove any cached aws tokens"
    subprocess.run(["bash", "-c", "rm -rf ~/.aws/cli/cache/*"], env={"HOME": str(home)}, check=True)
    out = member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    assert f"arn:aws:eks:us-east-1:{acct}:cluster/{cluster}" in out.stdout

    whoami = kubectl(member, "auth", "whoami", "-o", "json")
    info = json.loads(whoami.stdout)["status"]["userInfo"]
    assert info["username"].startswith(f"arn:aws:sts::{acct}:assumed-role/orchestera-platform-devs/botocore-session-")
    assert info["groups"] == ["orchestera:platform-devs", "system:authenticated"]
    assert info["uid"].startswith(f"aws-iam-authenticator:{acct}:AROA")
    assert info["extra"]["canonicalArn"] == [f"arn:aws:iam::{acct}:role/orchestera-platform-devs"]

    for verb in ("create", "delete"):
        p = subprocess.run(["bash", "-c", f"kubectl auth can-i {verb} pods -n data-science 2>&1"],
                           capture_output=True, text=True,
                           env={"HOME": str(home), "PATH": os.environ["PATH"]})
        assert p.stdout.strip() == "yes", p.stdout

    # The normal life of a data engineer on the cluster.
    kubectl(member, "run", "test", "--image=busybox", "-n", "data-science", "--restart=Never", "--", "sleep", "1")
    listed = kubectl(member, "get", "pods", "-n", "data-science", "-o", "json")
    pods = json.loads(listed.stdout)["items"]
    assert [p["metadata"]["name"] for p in pods] == ["test"]
    # No node runs pods yet: Pending, and the status says why.
    cond = pods[0]["status"]["conditions"][0]
    assert (pods[0]["status"]["phase"], cond["type"], cond["status"], cond["reason"]) == \
        ("Pending", "PodScheduled", "False", "Unschedulable")
    kubectl(member, "delete", "pod", "test", "-n", "data-science")
    gone = kubectl(member, "get", "pod", "test", "-n", "data-science", check=False)
    assert gone.returncode == 1 and 'pods "test" not found' in gone.stderr


def test_members_have_no_access_to_system_namespaces_or_cluster_wide(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "bob")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    assert kubectl(member, "auth", "can-i", "create", "pods", "-n", "kube-system", check=False).stdout.strip() == "no"
    assert kubectl(member, "auth", "can-i", "list", "nodes", check=False).stdout.strip() == "no"
    assert kubectl(member, "auth", "can-i", "create", "rolebindings", "-n", "data-science", check=False).stdout.strip() == "no"
    assert kubectl(member, "auth", "can-i", "get", "secrets", "-n", "data-science", check=False).stdout.strip() == "no"
    assert kubectl(member, "auth", "can-i", "list", "namespaces").stdout.strip() == "yes"
    p = kubectl(member, "get", "pods", "-n", "kube-system", check=False)
    assert p.returncode == 1
    assert 'pods is forbidden: User "arn:aws:sts::' in p.stderr
    assert 'cannot list resource "pods" in API group "" in the namespace "kube-system"' in p.stderr


def test_namespaces_created_later_are_workspaces_too(server, admin_cli, cluster, tmp_path):
    kubectl(admin_cli, "create", "namespace", "ml-team")
    kubectl(admin_cli, "create", "namespace", "kube-extra")
    home, member = new_member(admin_cli, tmp_path, server, "carol")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    assert kubectl(member, "auth", "can-i", "create", "pods", "-n", "ml-team").stdout.strip() == "yes"
    assert kubectl(member, "auth", "can-i", "create", "pods", "-n", "kube-extra", check=False).stdout.strip() == "no"
    # The grant is an RBAC object anyone with access can see and an admin can edit.
    rb = json.loads(kubectl(admin_cli, "get", "rolebinding", "orchestera:platform-devs", "-n", "ml-team",
                            "-o", "json").stdout)
    assert rb["subjects"] == [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "orchestera:platform-devs"}]


def test_removing_a_user_from_the_group_removes_access(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "dave")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    assert kubectl(member, "auth", "can-i", "create", "pods", "-n", "data-science").stdout.strip() == "yes"
    admin_cli.run("iam", "remove-user-from-group", "--group-name", "orchestera-platform-devs", "--user-name", "dave")
    subprocess.run(["bash", "-c", "rm -rf ~/.aws/cli/cache/*"], env={"HOME": str(home)}, check=True)
    p = kubectl(member, "auth", "can-i", "create", "pods", "-n", "data-science", check=False)
    assert p.returncode != 0
    assert "AccessDenied" in p.stderr and "sts:AssumeRole" in p.stderr


def test_user_outside_the_group_cannot_assume_or_get_a_kubeconfig(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "eve", in_group=False)
    p = member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev",
                   check=False)
    assert p.returncode != 0
    assert "AccessDenied" in p.stderr and "is not authorized to perform: sts:AssumeRole" in p.stderr
    assert not (home / ".kube" / "config").exists()


def token_for(member, cluster):
    out = member.json("eks", "get-token", "--cluster-name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    return out["status"]["token"]


def described_endpoint(admin_cli, cluster):
    """A cluster's endpoint and a TLS context that trusts its CA only, from DescribeCluster."""
    import ssl
    c = admin_cli.json("eks", "describe-cluster", "--name", cluster)["cluster"]
    return c["endpoint"], ssl.create_default_context(cadata=base64.b64decode(c["certificateAuthority"]["data"]).decode())


def kube_get(server, admin_cli, cluster, token, path="/api/v1/namespaces/data-science/pods"):
    import urllib.request
    endpoint, ctx = described_endpoint(admin_cli, cluster)
    req = urllib.request.Request(endpoint + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_tokens_are_bound_to_their_cluster_and_host(server, admin_cli, cluster, tmp_path):
    provision(admin_cli, "other")
    home, member = new_member(admin_cli, tmp_path, server, "frank")
    token = token_for(member, cluster)
    status, _ = kube_get(server, admin_cli, cluster, token)
    assert status == 200
    # A token minted for cluster A is refused by cluster B.
    status, body = kube_get(server, admin_cli, "other", token)
    assert (status, body["reason"], body["kind"]) == (401, "Unauthorized", "Status")
    # Tampered: one query value changed after signing.
    url = base64.urlsafe_b64decode(token[len("k8s-aws-v1."):] + "==").decode()
    tampered_url = url.replace("Version=2011-06-15", "Version=2011-06-15&Extra=1")
    tampered = "k8s-aws-v1." + base64.urlsafe_b64encode(tampered_url.encode()).decode().rstrip("=")
    assert kube_get(server, admin_cli, cluster, tampered)[0] == 401
    # A signature that does not verify.
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    sig = query["X-Amz-Signature"][0]
    forged_url = url.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    forged = "k8s-aws-v1." + base64.urlsafe_b64encode(forged_url.encode()).decode().rstrip("=")
    assert kube_get(server, admin_cli, cluster, forged)[0] == 401
    # A foreign host: the token would make the server call someone else's "STS".
    foreign_url = url.replace(parts.netloc, "evil.example.com")
    foreign = "k8s-aws-v1." + base64.urlsafe_b64encode(foreign_url.encode()).decode().rstrip("=")
    assert kube_get(server, admin_cli, cluster, foreign)[0] == 401
    assert kube_get(server, admin_cli, cluster, "garbage")[0] == 401


def test_admin_gets_cluster_admin_and_describe_cluster_shape(server, admin_cli, cluster):
    c = admin_cli.json("eks", "describe-cluster", "--name", cluster)["cluster"]
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+", c["endpoint"]), c["endpoint"]
    pem = base64.b64decode(c["certificateAuthority"]["data"]).decode()
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert kubectl(admin_cli, "auth", "can-i", "*", "*", "--all-namespaces").stdout.strip() == "yes"
    missing = admin_cli.run("eks", "describe-cluster", "--name", "nope", check=False)
    assert "ResourceNotFoundException" in missing.stderr and "No cluster found for name: nope." in missing.stderr
    dup = admin_cli.run("eks", "create-cluster", "--name", cluster, "--role-arn", c["roleArn"],
                        "--resources-vpc-config", "subnetIds=s", check=False)
    assert "ResourceInUseException" in dup.stderr
    entries = admin_cli.json("eks", "list-access-entries", "--cluster-name", cluster)["accessEntries"]
    acct = account_id_of(admin_cli)
    assert sorted(entries) == sorted([f"arn:aws:iam::{acct}:user/admin", f"arn:aws:iam::{acct}:role/orchestera-platform-devs"])


KUBECTL_VERSIONS = ["1.28", "1.29", "1.30", "1.31", "1.32", "1.33"]


def test_every_supported_kubectl_passes_the_onboarding_checks(server, admin_cli, cluster, tmp_path):
    """kubectl 1.28 to 1.33, installed side by side, each with a cold discovery cache."""
    home, member = new_member(admin_cli, tmp_path, server, "grace")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    for version in KUBECTL_VERSIONS:
        binary = f"/usr/lib/google-cloud-sdk/bin/kubectl.{version}"
        assert os.path.exists(binary), f"kubectl {version} is not installed at {binary}"
        shutil.rmtree(home / ".kube" / "cache", ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
        env["HOME"] = str(home)
        run = lambda *args: subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=120)
        whoami = run("auth", "whoami", "-o", "json")
        assert whoami.returncode == 0, (version, whoami.stderr)
        assert "assumed-role/orchestera-platform-devs/" in json.loads(whoami.stdout)["status"]["userInfo"]["username"]
        for verb in ("create", "delete"):
            p = run("auth", "can-i", verb, "pods", "-n", "data-science")
            assert (p.returncode, p.stdout.strip()) == (0, "yes"), (version, verb, p.stderr)
        p = run("get", "pods", "-n", "data-science")
        assert p.returncode == 0 and "No resources found" in p.stderr, (version, p.stderr)


def test_secrets_are_encrypted_at_rest(server, admin_cli, cluster):
    kubectl(admin_cli, "create", "secret", "generic", "db-creds", "-n", "data-science",
            "--from-literal=password=hunter2-plaintext-marker")
    got = json.loads(kubectl(admin_cli, "get", "secret", "db-creds", "-n", "data-science", "-o", "json").stdout)
    assert base64.b64decode(got["data"]["password"]) == b"hunter2-plaintext-marker"
    for f in server.data_dir.glob("orchestera.db*"):
        raw = f.read_bytes()
        assert b"hunter2-plaintext-marker" not in raw and base64.b64encode(b"hunter2-plaintext-marker") not in raw, f


def raw_kube(server, admin_cli, cluster, token, method, path, body=None, content_type="application/json"):
    import urllib.request
    endpoint, ctx = described_endpoint(admin_cli, cluster)
    req = urllib.request.Request(endpoint + path, method=method, data=body,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_label_annotate_and_patch(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "heidi")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    kubectl(member, "create", "configmap", "settings", "-n", "data-science", "--from-literal=a=1")
    kubectl(member, "label", "configmap", "settings", "-n", "data-science", "team=ml")
    kubectl(member, "annotate", "configmap", "settings", "-n", "data-science", "owner=heidi")
    kubectl(member, "patch", "configmap", "settings", "-n", "data-science", "--type=merge", "-p", '{"data":{"b":"2"}}')
    kubectl(member, "patch", "configmap", "settings", "-n", "data-science", "--type=json",
            "-p", '[{"op":"replace","path":"/data/a","value":"3"}]')
    cm = json.loads(kubectl(member, "get", "configmap", "settings", "-n", "data-science", "-o", "json").stdout)
    assert cm["metadata"]["labels"] == {"team": "ml"} and cm["metadata"]["annotations"]["owner"] == "heidi"
    assert cm["data"] == {"a": "3", "b": "2"}
    selected = kubectl(member, "get", "configmaps", "-n", "data-science", "-l", "team=ml", "-o", "name").stdout.split()
    assert selected == ["configmap/settings"]
    assert kubectl(member, "get", "configmaps", "-n", "data-science", "-l", "team=other", "-o", "name").stdout.strip() == ""
    bad = kubectl(member, "get", "configmaps", "-n", "data-science", "-l", "team in (", check=False)
    assert bad.returncode == 1 and "BadRequest" in bad.stderr


def test_malformed_paths_get_status_errors_and_the_server_keeps_serving(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "ivan")
    token = token_for(member, cluster)
    for method, path in [("POST", "/api/v1"), ("PUT", "/apis/rbac.authorization.k8s.io/v1"), ("DELETE", "/api"),
                         ("GET", "/api/v1/namespaces/data-science/nodes"),
                         ("POST", "/api/v1/namespaces/data-science/namespaces"),
                         ("GET", "/api/v1/pods/x"), ("GET", "/api/v1/namespaces/data-science/pods/x/y/z")]:
        status, body = raw_kube(server, admin_cli, cluster, token, method, path, b"{}")
        assert status in (403, 404, 405), (method, path, status, body)
        assert body["kind"] == "Status", body
    status, body = raw_kube(server, admin_cli, cluster, token, "POST", "/api/v1/namespaces/data-science/configmaps",
                            b'{"metadata":{"name":"Bad_Name"}}')
    assert (status, body["reason"]) == (422, "Invalid"), body
    assert 'metadata.name: Invalid value: "Bad_Name"' in body["message"]
    status, _ = raw_kube(server, admin_cli, cluster, token, "POST", "/api/v1/namespaces/data-science/configmaps", b"not json")
    assert status == 400
    assert kube_get(server, admin_cli, cluster, token)[0] == 200


def test_deleting_a_cluster_removes_its_objects(server, admin_cli, cluster, tmp_path):
    kubectl(admin_cli, "create", "configmap", "keep", "-n", "data-science", "--from-literal=a=1")
    c = admin_cli.json("eks", "describe-cluster", "--name", cluster)["cluster"]
    assert admin_cli.json("eks", "delete-cluster", "--name", cluster)["cluster"]["status"] == "DELETING"
    wait_for(lambda: "ResourceNotFoundException" in admin_cli.run("eks", "describe-cluster", "--name", cluster,
                                                                  check=False).stderr, what="cluster gone")
    provision(admin_cli, cluster)  # the same name again: a new, empty cluster
    new = admin_cli.json("eks", "describe-cluster", "--name", cluster)["cluster"]
    assert new["id"] != c["id"]
    admin_cli.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1")
    got = kubectl(admin_cli, "get", "configmap", "keep", "-n", "data-science", check=False)
    assert got.returncode == 1 and "NotFound" in got.stderr


def test_watch_streams_changes(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "judy")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env["HOME"] = str(home)
    w = subprocess.Popen([KUBECTL, "get", "configmaps", "-n", "data-science", "-w", "-o", "name"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        import time
        time.sleep(2)
        kubectl(member, "create", "configmap", "w1", "-n", "data-science", "--from-literal=a=1")
        kubectl(member, "label", "configmap", "w1", "-n", "data-science", "x=y")
        kubectl(member, "delete", "configmap", "w1", "-n", "data-science")
        time.sleep(2)
    finally:
        w.terminate()
        out, err = w.communicate(timeout=10)
    assert out.split().count("configmap/w1") == 3, (out, err)
    # A watch from a resourceVersion replays what came after it, and timeoutSeconds ends it.
    token = token_for(member, cluster)
    status, listed = raw_kube(server, admin_cli, cluster, token, "GET", "/api/v1/namespaces/data-science/configmaps")
    rv = listed["metadata"]["resourceVersion"]
    kubectl(member, "create", "configmap", "w2", "-n", "data-science", "--from-literal=a=1")
    import urllib.request
    endpoint, ctx = described_endpoint(admin_cli, cluster)
    req = urllib.request.Request(endpoint + f"/api/v1/namespaces/data-science/configmaps?watch=true&resourceVersion={rv}"
                                 "&timeoutSeconds=2&fieldSelector=metadata.name%3Dw2",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        events = [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "w2")]


def test_owner_references_are_garbage_collected(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "kim")
    token = token_for(member, cluster)
    base = "/api/v1/namespaces/data-science/configmaps"

    def create(name, owner=None):
        md = {"name": name}
        if owner:
            md["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"],
                                      "uid": owner["metadata"]["uid"]}]
        status, body = raw_kube(server, admin_cli, cluster, token, "POST", base, json.dumps({"metadata": md}).encode())
        assert status == 201, body
        return body

    driver = create("driver")
    executor = create("executor", driver)
    create("executor-child", executor)  # dependents of dependents go too
    create("bystander")
    assert raw_kube(server, admin_cli, cluster, token, "DELETE", base + "/driver")[0] == 200
    names = [i["metadata"]["name"] for i in raw_kube(server, admin_cli, cluster, token, "GET", base)[1]["items"]]
    assert names == ["bystander"], names
    # Orphan keeps the dependents and strips the reference.
    driver = create("driver2")
    create("executor2", driver)
    status, _ = raw_kube(server, admin_cli, cluster, token, "DELETE", base + "/driver2",
                         json.dumps({"propagationPolicy": "Orphan"}).encode())
    assert status == 200
    status, orphan = raw_kube(server, admin_cli, cluster, token, "GET", base + "/executor2")
    assert status == 200 and "ownerReferences" not in orphan["metadata"]


def test_logs_of_a_pod_that_cannot_run_say_why(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "leo")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    kubectl(member, "run", "lonely", "--image=busybox", "-n", "data-science", "--restart=Never", "--", "echo", "hi")
    p = kubectl(member, "logs", "lonely", "-n", "data-science", check=False)
    assert p.returncode == 1
    assert 'container "lonely" in pod "lonely" is waiting to start: no node is available to run it' in p.stderr


def test_token_and_subject_access_reviews_for_administrators(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "mia")
    member_token = token_for(member, cluster)
    admin_token = admin_cli.json("eks", "get-token", "--cluster-name", cluster, "--region", "us-east-1")["status"]["token"]
    tr = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": member_token}}
    status, body = raw_kube(server, admin_cli, cluster, admin_token, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                            json.dumps(tr).encode())
    assert status == 201 and body["status"]["authenticated"] is True, body
    assert "orchestera:platform-devs" in body["status"]["user"]["groups"]
    tr["spec"]["token"] = "k8s-aws-v1.garbage"
    status, body = raw_kube(server, admin_cli, cluster, admin_token, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                            json.dumps(tr).encode())
    assert status == 201 and body["status"]["authenticated"] is False
    sar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
           "spec": {"user": "someone", "groups": ["orchestera:platform-devs"],
                    "resourceAttributes": {"namespace": "data-science", "verb": "create", "resource": "pods"}}}
    path = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
    status, body = raw_kube(server, admin_cli, cluster, admin_token, "POST", path, json.dumps(sar).encode())
    assert status == 201 and body["status"]["allowed"] is True, body
    sar["spec"]["resourceAttributes"]["namespace"] = "kube-system"
    assert raw_kube(server, admin_cli, cluster, admin_token, "POST", path, json.dumps(sar).encode())[1]["status"]["allowed"] is False
    # Members may not ask about others.
    status, body = raw_kube(server, admin_cli, cluster, member_token, "POST", path, json.dumps(sar).encode())
    assert (status, body["reason"]) == (403, "Forbidden")


POD_YAML = """apiVersion: v1
kind: Pod
metadata:
  name: applied
  namespace: data-science
  labels:
    app: demo
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "1"]
"""


def test_apply_create_f_and_strict_field_validation(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "nina")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(POD_YAML)
    assert "pod/applied created" in kubectl(member, "apply", "-f", str(manifest)).stdout
    assert "pod/applied unchanged" in kubectl(member, "apply", "-f", str(manifest)).stdout
    manifest.write_text(POD_YAML.replace("app: demo", "app: demo2"))
    assert "pod/applied configured" in kubectl(member, "apply", "-f", str(manifest)).stdout
    pod = json.loads(kubectl(member, "get", "pod", "applied", "-n", "data-science", "-o", "json").stdout)
    assert pod["metadata"]["labels"] == {"app": "demo2"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in pod["metadata"]["annotations"]
    # An unknown field is refused by the server under kubectl's default strict validation.
    bad = tmp_path / "bad.yaml"
    bad.write_text(POD_YAML.replace("name: applied", "name: created").replace("  restartPolicy: Never", "  restartPolicy: Never\n  foo: bar"))
    p = kubectl(member, "create", "-f", str(bad), check=False)
    assert p.returncode == 1
    assert 'strict decoding error: unknown field "spec.foo"' in p.stderr, p.stderr
    assert kubectl(member, "get", "pod", "created", "-n", "data-science", check=False).returncode == 1
    # --validate=warn creates it and says so.
    p = kubectl(member, "create", "-f", str(bad), "--validate=warn")
    assert 'unknown field "spec.foo"' in p.stderr


def test_server_side_apply(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "omar")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: data-science\ndata:\n  a: '1'\n")
    assert "serverside-applied" in kubectl(member, "apply", "--server-side", "-f", str(manifest)).stdout
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: data-science\ndata:\n  b: '2'\n")
    kubectl(member, "apply", "--server-side", "-f", str(manifest))
    cm = json.loads(kubectl(member, "get", "configmap", "ssa", "-n", "data-science", "-o", "json",
                            "--show-managed-fields").stdout)
    # Fields the manager no longer applies are removed; ownership is recorded.
    assert cm["data"] == {"b": "2"}
    assert [m["manager"] for m in cm["metadata"]["managedFields"]] == ["kubectl"]
    # Another manager changing an owned field conflicts unless forced.
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: data-science\ndata:\n  b: '3'\n")
    p = kubectl(member, "apply", "--server-side", "--field-manager=other", "-f", str(manifest), check=False)
    assert p.returncode == 1 and "conflict" in p.stderr.lower(), p.stderr
    kubectl(member, "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", str(manifest))
    cm = json.loads(kubectl(member, "get", "configmap", "ssa", "-n", "data-science", "-o", "json").stdout)
    assert cm["data"] == {"b": "3"}


def test_python_kubernetes_client_with_the_member_kubeconfig(server, admin_cli, cluster, tmp_path):
    """The Python client loads the member's kubeconfig (exec plugin: aws eks get-token) unmodified."""
    home, member = new_member(admin_cli, tmp_path, server, "pia")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    script = r'''
import json, sys
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
pod = client.V1Pod(metadata=client.V1ObjectMeta(name="py"), spec=client.V1PodSpec(
    restart_policy="Never", containers=[client.V1Container(name="main", image="busybox", command=["true"])]))
v1.create_namespaced_pod("data-science", pod)
names = [p.metadata.name for p in v1.list_namespaced_pod("data-science").items]
review = client.AuthorizationV1Api().create_self_subject_access_review(client.V1SelfSubjectAccessReview(
    spec=client.V1SelfSubjectAccessReviewSpec(resource_attributes=client.V1ResourceAttributes(
        namespace="data-science", verb="delete", resource="pods"))))
v1.delete_namespaced_pod("py", "data-science")
try:
    v1.list_namespaced_pod("kube-system")
    denied = None
except client.exceptions.ApiException as e:
    denied = e.status
print(json.dumps({"names": names, "allowed": review.status.allowed, "denied": denied}))
'''
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env["HOME"] = str(home)
    import sys
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out == {"names": ["py"], "allowed": True, "denied": 403}, out


def test_finalizers_hold_an_object_until_removed(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "quinn")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    token = token_for(member, cluster)
    base = "/api/v1/namespaces/data-science/configmaps"
    body = {"metadata": {"name": "held", "finalizers": ["example.com/cleanup"]}}
    assert raw_kube(server, admin_cli, cluster, token, "POST", base, json.dumps(body).encode())[0] == 201
    status, deleting = raw_kube(server, admin_cli, cluster, token, "DELETE", base + "/held")
    assert status == 200 and "deletionTimestamp" in deleting["metadata"]
    status, still = raw_kube(server, admin_cli, cluster, token, "GET", base + "/held")
    assert status == 200 and still["metadata"]["finalizers"] == ["example.com/cleanup"]
    kubectl(member, "patch", "configmap", "held", "-n", "data-science", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    assert raw_kube(server, admin_cli, cluster, token, "GET", base + "/held")[0] == 404


def test_watch_from_compacted_history_is_gone(tmp_path):
    from conftest import Server
    server = Server(tmp_path / "data", args=["--history-seconds", "1"]).start()
    try:
        admin = admin_of(server, tmp_path)
        provision(admin, "c1")
        admin.run("eks", "update-kubeconfig", "--name", "c1", "--region", "us-east-1")
        kubectl(admin, "create", "namespace", "data-science")
        token = admin.json("eks", "get-token", "--cluster-name", "c1", "--region", "us-east-1")["status"]["token"]
        base = "/api/v1/namespaces/data-science/configmaps"
        rv = raw_kube(server, admin, "c1", token, "GET", base)[1]["metadata"]["resourceVersion"]
        for i in range(3):
            kubectl(admin, "create", "configmap", f"h{i}", "-n", "data-science")
            kubectl(admin, "delete", "configmap", f"h{i}", "-n", "data-science")
        import time
        time.sleep(4)  # history older than a second is compacted by now
        import urllib.request
        endpoint, ctx = described_endpoint(admin, "c1")
        req = urllib.request.Request(endpoint + base + f"?watch=true&resourceVersion={rv}",
                                     headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            events = [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]
        assert len(events) == 1 and events[0]["type"] == "ERROR", events
        assert (events[0]["object"]["code"], events[0]["object"]["reason"]) == (410, "Expired")
    finally:
        server.stop()


def test_break_glass_kubeconfig_for_the_operator(server, admin_cli, cluster, tmp_path):
    acct = account_id_of(admin_cli)
    path = server.data_dir / "admin" / f"break-glass-{acct}-{cluster}.kubeconfig"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update({"HOME": str(tmp_path), "KUBECONFIG": str(path)})
    run = lambda *a: subprocess.run([KUBECTL, *a], capture_output=True, text=True, env=env, timeout=60)
    who = run("auth", "whoami", "-o", "json")
    assert who.returncode == 0, who.stderr
    info = json.loads(who.stdout)["status"]["userInfo"]
    assert info["username"] == "orchestera:break-glass-admin" and "system:masters" in info["groups"]
    assert run("auth", "can-i", "*", "*", "--all-namespaces").stdout.strip() == "yes"
    assert run("get", "namespace", "data-science").returncode == 0


def test_namespace_deletion_terminates_then_removes_contents(server, admin_cli, cluster, tmp_path):
    kubectl(admin_cli, "create", "namespace", "scratch")
    kubectl(admin_cli, "create", "configmap", "inside", "-n", "scratch", "--from-literal=a=1")
    token = admin_cli.json("eks", "get-token", "--cluster-name", cluster, "--region", "us-east-1")["status"]["token"]
    status, ns = raw_kube(server, admin_cli, cluster, token, "DELETE", "/api/v1/namespaces/scratch")
    assert status == 200 and ns["status"]["phase"] == "Terminating" and "deletionTimestamp" in ns["metadata"]
    status, body = raw_kube(server, admin_cli, cluster, token, "POST", "/api/v1/namespaces/scratch/configmaps",
                            b'{"metadata":{"name":"late"}}')
    assert status in (403, 404), body
    if status == 403:
        assert "because it is being terminated" in body["message"]
    wait_for(lambda: raw_kube(server, admin_cli, cluster, token, "GET", "/api/v1/namespaces/scratch")[0] == 404,
             what="namespace finalized")
    kubectl(admin_cli, "create", "namespace", "scratch")
    got = kubectl(admin_cli, "get", "configmap", "inside", "-n", "scratch", check=False)
    assert got.returncode == 1 and "NotFound" in got.stderr
    # kubectl's own delete waits for the namespace to go.
    assert 'namespace "scratch" deleted' in kubectl(admin_cli, "delete", "namespace", "scratch").stdout


def test_describe_and_wait(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "rita")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    kubectl(member, "run", "waiter", "--image=busybox", "-n", "data-science", "--restart=Never", "--", "true")
    described = kubectl(member, "describe", "pod", "waiter", "-n", "data-science").stdout
    assert "Name:" in described and "waiter" in described and "PodScheduled" in described
    # wait on a condition that holds, and for deletion.
    p = kubectl(member, "wait", "--for=condition=PodScheduled=False", "pod/waiter", "-n", "data-science", "--timeout=20s")
    assert "condition met" in p.stdout
    p = kubectl(member, "wait", "--for=condition=Ready", "pod/waiter", "-n", "data-science", "--timeout=2s", check=False)
    assert p.returncode == 1 and "timed out" in p.stderr
    deleter = subprocess.Popen([KUBECTL, "wait", "--for=delete", "pod/waiter", "-n", "data-science", "--timeout=30s"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**{k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"},
                                    "HOME": str(home)})
    import time
    time.sleep(2)
    kubectl(member, "delete", "pod", "waiter", "-n", "data-science")
    out, err = deleter.communicate(timeout=40)
    assert deleter.returncode == 0 and "condition met" in out, (out, err)


def cluster_tls(who):
    """The API endpoint and a TLS context trusting its CA, from the kubeconfig update-kubeconfig
    wrote for `who` (its current context)."""
    import ssl
    import yaml
    cfg = yaml.safe_load((who.home / ".kube" / "config").read_text())
    context = next(c["context"] for c in cfg["contexts"] if c["name"] == cfg["current-context"])
    cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == context["cluster"])
    ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
    return cluster["server"], ssl.create_default_context(cadata=ca)


def kube_call(who, token, method, path, body=None):
    """(status, JSON body) of one request to the cluster of `who`'s kubeconfig."""
    import urllib.request
    endpoint, ctx = cluster_tls(who)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(endpoint + path, method=method, data=data,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def kube_watch(who, token, path):
    """Every event of a watch the server ends (give it timeoutSeconds), each with the seconds
    since the watch began."""
    import time
    import urllib.request
    endpoint, ctx = cluster_tls(who)
    req = urllib.request.Request(endpoint + path, headers={"Authorization": "Bearer " + token})
    start = time.time()
    events = []
    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
        for line in r:
            if line.strip():
                events.append((time.time() - start, json.loads(line)))
    return events


def test_watch_bookmarks_only_when_asked(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "sam")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    token = token_for(member, cluster)
    base = "/api/v1/namespaces/data-science/configmaps"
    kubectl(member, "create", "configmap", "b1", "-n", "data-science", "--from-literal=a=1")
    rv = kube_call(member, token, "GET", base)[1]["metadata"]["resourceVersion"]
    # kube-apiserver's schedule: every minute, and 2 s before the watch's deadline.
    events = kube_watch(member, token, f"{base}?watch=true&allowWatchBookmarks=true&timeoutSeconds=5&resourceVersion={rv}")
    bookmarks = [(t, e["object"]) for t, e in events if e["type"] == "BOOKMARK"]
    assert bookmarks, events
    t, obj = bookmarks[0]
    assert 1.5 < t < 5, t
    assert set(obj) == {"kind", "apiVersion", "metadata"} and (obj["kind"], obj["apiVersion"]) == ("ConfigMap", "v1")
    assert set(obj["metadata"]) == {"resourceVersion"} and int(obj["metadata"]["resourceVersion"]) >= int(rv)
    # Without allowWatchBookmarks there are none.
    events = kube_watch(member, token, f"{base}?watch=true&timeoutSeconds=4&resourceVersion={rv}")
    assert not [e for _, e in events if e["type"] == "BOOKMARK"], events


def test_watch_list_streams_the_state_then_an_initial_events_end_bookmark(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "tia")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    token = token_for(member, cluster)
    base = "/api/v1/namespaces/data-science/configmaps"
    for name in ("s1", "s2"):
        kubectl(member, "create", "configmap", name, "-n", "data-science", "--from-literal=a=1")
    rv = kube_call(member, token, "GET", base)[1]["metadata"]["resourceVersion"]
    events = [e for _, e in kube_watch(member, token, f"{base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                                                      f"&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=2")]
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in events[:3]] == \
        [("ADDED", "s1"), ("ADDED", "s2"), ("BOOKMARK", None)], events
    end = events[2]["object"]["metadata"]
    assert end["annotations"] == {"k8s.io/initial-events-end": "true"} and int(end["resourceVersion"]) >= int(rv)
    # The combinations kube-apiserver refuses.
    status, body = kube_call(member, token, "GET", f"{base}?watch=true&sendInitialEvents=true")
    assert (status, body["reason"]) == (422, "Invalid"), body
    assert "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" in body["message"]
    # client-go's reflector in streaming-list mode (a feature gate newer clients turn on) syncs
    # through it: kubectl wait with the gate on.
    kubectl(member, "run", "streamed", "--image=busybox", "-n", "data-science", "--restart=Never")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update({"HOME": str(home), "KUBE_FEATURE_WatchListClient": "true"})
    p = subprocess.run([KUBECTL, "wait", "--for=condition=PodScheduled=False", "pod/streamed", "-n", "data-science",
                        "--timeout=20s", "-v=6"], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "condition met" in p.stdout, p.stderr
    assert "sendInitialEvents=true" in p.stderr, p.stderr
    assert "received the bookmark that marks the end of initial events stream" in p.stderr, p.stderr


BOUND_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bound"},
             "spec": {"nodeName": "node-1", "containers": [{"name": "main", "image": "busybox"}]}}


def test_pods_bound_to_a_node_are_deleted_gracefully(server, admin_cli, cluster, tmp_path):
    import threading
    home, member = new_member(admin_cli, tmp_path, server, "uma")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    token = token_for(member, cluster)
    base = "/api/v1/namespaces/data-science/pods"
    status, created = kube_call(member, token, "POST", base, BOUND_POD)
    assert status == 201 and created["spec"]["terminationGracePeriodSeconds"] == 30, created
    seen = []
    watcher = threading.Thread(target=lambda: seen.extend(kube_watch(
        member, token, f"{base}?watch=true&timeoutSeconds=8&resourceVersion={created['metadata']['resourceVersion']}")))
    watcher.start()
    import time
    time.sleep(1)
    # The pod's own grace period: marked, not removed (no node agent exists yet to finish it).
    assert 'pod "bound" deleted' in kubectl(member, "delete", "pod", "bound", "-n", "data-science", "--wait=false").stdout
    pod = json.loads(kubectl(member, "get", "pod", "bound", "-n", "data-science", "-o", "json").stdout)
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30 and "deletionTimestamp" in pod["metadata"]
    # A delete with grace 0 (what the node agent will send once the containers are stopped) removes it.
    p = kubectl(member, "delete", "pod", "bound", "-n", "data-science", "--grace-period=0", "--force")
    assert 'pod "bound" force deleted' in p.stdout, p
    watcher.join(timeout=20)
    assert [(e["type"], "deletionTimestamp" in e["object"]["metadata"]) for _, e in seen] == \
        [("MODIFIED", True), ("DELETED", True)], seen
    # Grace periods are validated as kube-apiserver validates them; a negative one is one second.
    assert kube_call(member, token, "POST", base, BOUND_POD)[0] == 201
    status, body = kube_call(member, token, "DELETE", base + "/bound?gracePeriodSeconds=soon")
    assert (status, body["reason"]) == (400, "BadRequest"), body
    status, body = kube_call(member, token, "DELETE", base + "/bound", {"propagationPolicy": "Eventually"})
    assert (status, body["reason"]) == (422, "Invalid"), body
    status, body = kube_call(member, token, "DELETE", base + "/bound?gracePeriodSeconds=-5")
    assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 1, body
    assert kube_call(member, token, "DELETE", base + "/bound", {"gracePeriodSeconds": 0})[0] == 200
    assert kube_call(member, token, "GET", base + "/bound")[0] == 404


def test_pods_no_node_has_are_deleted_at_once_whatever_the_grace_period(server, admin_cli, cluster, tmp_path):
    home, member = new_member(admin_cli, tmp_path, server, "vic")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    token = token_for(member, cluster)
    base = "/api/v1/namespaces/data-science/pods"
    unbound = {**BOUND_POD, "metadata": {"name": "unbound"}, "spec": {"containers": BOUND_POD["spec"]["containers"]}}
    assert kube_call(member, token, "POST", base, unbound)[0] == 201
    status, body = kube_call(member, token, "DELETE", base + "/unbound?gracePeriodSeconds=60")
    assert status == 200, body
    assert kube_call(member, token, "GET", base + "/unbound")[0] == 404


def test_each_cluster_has_its_own_endpoint_and_ca_that_survive_restarts(server, admin_cli, cluster, tmp_path):
    import ssl
    import urllib.request
    provision(admin_cli, "other")
    a = admin_cli.json("eks", "describe-cluster", "--name", cluster)["cluster"]
    b = admin_cli.json("eks", "describe-cluster", "--name", "other")["cluster"]
    assert a["endpoint"] != b["endpoint"]
    assert a["certificateAuthority"]["data"] != b["certificateAuthority"]["data"]
    # A client that trusts cluster A's CA cannot be talked into trusting cluster B's endpoint.
    ca_a = base64.b64decode(a["certificateAuthority"]["data"]).decode()
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(b["endpoint"] + "/healthz", context=ssl.create_default_context(cadata=ca_a), timeout=10)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
    # Cluster A's break-glass client certificate is not accepted by cluster B.
    acct = account_id_of(admin_cli)
    glass_a = (server.data_dir / "admin" / f"break-glass-{acct}-{cluster}.kubeconfig").read_text()
    ca_b_file = tmp_path / "ca-b.crt"
    ca_b_file.write_bytes(base64.b64decode(b["certificateAuthority"]["data"]))
    crossed = tmp_path / "crossed.kubeconfig"
    crossed.write_text(re.sub(r"certificate-authority: .*", f"certificate-authority: {ca_b_file}",
                              glass_a.replace(a["endpoint"], b["endpoint"])))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update({"HOME": str(tmp_path), "KUBECONFIG": str(crossed)})
    p = subprocess.run([KUBECTL, "get", "namespaces"], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode != 0 and ("certificate" in p.stderr or "Unauthorized" in p.stderr), p.stderr

    # After a restart each cluster is served where it was, with the same CA: the kubeconfig
    # written before still works without running update-kubeconfig again.
    server.stop()
    server.start()
    assert admin_cli.json("eks", "describe-cluster", "--name", cluster)["cluster"]["endpoint"] == a["endpoint"]
    assert admin_cli.json("eks", "describe-cluster", "--name", "other")["cluster"]["certificateAuthority"] == \
        b["certificateAuthority"]
    assert kubectl(admin_cli, "get", "namespace", "data-science").returncode == 0

    # A deleted cluster's endpoint closes, and its CA and break-glass credential are gone.
    admin_cli.run("eks", "delete-cluster", "--name", "other")
    wait_for(lambda: "ResourceNotFoundException" in admin_cli.run("eks", "describe-cluster", "--name", "other",
                                                                    check=False).stderr, what="cluster deleted")
    with pytest.raises(urllib.error.URLError) as closed:
        urllib.request.urlopen(b["endpoint"] + "/healthz", context=ssl.create_default_context(cadata=ca_a), timeout=10)
    assert isinstance(closed.value.reason, ConnectionRefusedError)
    assert not (server.data_dir / "admin" / f"break-glass-{acct}-other.kubeconfig").exists()
    assert not (server.data_dir / "pki" / "clusters" / b["id"]).exists()


# ---- CustomResourceDefinitions ---------------------------------------------------------------

CRD_NAME = "sparkapplications.sparkoperator.k8s.io"


def spark_crd():
    """A SparkApplication-like CRD: a status subresource, printer columns, a short name."""
    spec_schema = {
        "type": "object", "required": ["image"],
        "properties": {
            "image": {"type": "string", "description": "The container image of the driver and executors."},
            "mode": {"type": "string", "enum": ["cluster", "client"]},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 50},
            "restartPolicy": {"type": "string", "default": "Never"},
            "args": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
        },
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": CRD_NAME},
        "spec": {
            "group": "sparkoperator.k8s.io", "scope": "Namespaced",
            "names": {"plural": "sparkapplications", "singular": "sparkapplication", "kind": "SparkApplication",
                      "shortNames": ["sparkapp"]},
            "versions": [{
                "name": "v1beta2", "served": True, "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object", "description": "A Spark application.", "properties": {
                    "spec": spec_schema,
                    "status": {"type": "object", "properties": {"state": {"type": "string"}}}}}},
                "subresources": {"status": {},
                                 "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
                "additionalPrinterColumns": [
                    {"name": "State", "type": "string", "jsonPath": ".status.state"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Image", "type": "string", "jsonPath": ".spec.image", "priority": 1},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
            }, {
                # Served too, stored as v1beta2 (conversion None).
                "name": "v1beta1", "served": True, "storage": False,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": spec_schema}}},
            }],
        },
    }


def spark_app(name, **spec):
    return {"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication",
            "metadata": {"name": name, "namespace": "data-science"},
            "spec": {"image": "spark:3.5", "mode": "cluster", "replicas": 2, **spec}}


def write_manifest(tmp_path, name, obj):
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return str(path)


def test_custom_resource_definitions_with_kubectl(server, admin_cli, cluster, tmp_path):
    kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "crd.json", spark_crd()))
    kubectl(admin_cli, "wait", "--for=condition=Established", f"crd/{CRD_NAME}", "--timeout=20s")
    crd = json.loads(kubectl(admin_cli, "get", "crd", CRD_NAME, "-o", "json").stdout)
    assert crd["status"]["acceptedNames"]["listKind"] == "SparkApplicationList"
    assert crd["status"]["storedVersions"] == ["v1beta2"]
    assert {c["type"]: c["status"] for c in crd["status"]["conditions"]} == {"NamesAccepted": "True", "Established": "True"}

    # Create with kubectl apply (client-side) and server-side; read by plural, short name and kind.
    kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "a.json", spark_app("pi")))
    kubectl(admin_cli, "apply", "--server-side", "-f", write_manifest(tmp_path, "b.json", spark_app("wordcount", replicas=5)))
    table = kubectl(admin_cli, "get", "sparkapp", "-n", "data-science").stdout.splitlines()
    assert table[0].split() == ["NAME", "STATE", "REPLICAS", "AGE"]
    # The schema's default is applied to what is stored.
    pi = json.loads(kubectl(admin_cli, "get", "sparkapp", "pi", "-n", "data-science", "-o", "json").stdout)
    assert pi["spec"]["restartPolicy"] == "Never"
    assert table[1].split()[:2] == ["pi", "2"] and table[2].split()[:2] == ["wordcount", "5"]
    wide = kubectl(admin_cli, "get", "sparkapplications", "-n", "data-science", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAME", "STATE", "REPLICAS", "IMAGE", "AGE"] and "spark:3.5" in wide[1]
    got = json.loads(kubectl(admin_cli, "get", "SparkApplication", "pi", "-n", "data-science", "-o", "json").stdout)
    assert got["metadata"]["generation"] == 1 and got["spec"]["replicas"] == 2
    # The other served version reads the same object.
    v1 = json.loads(kubectl(admin_cli, "get", "sparkapplications.v1beta1.sparkoperator.k8s.io", "pi",
                            "-n", "data-science", "-o", "json").stdout)
    assert v1["apiVersion"] == "sparkoperator.k8s.io/v1beta1" and v1["spec"]["image"] == "spark:3.5"

    # Schema validation: 422 in kube's words; unknown fields refused (Strict, kubectl's default),
    # or pruned when validation is off.
    bad = kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "bad.json", spark_app("bad", replicas="two")), check=False)
    assert bad.returncode == 1
    assert ('spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'
            in bad.stderr), bad.stderr
    enum = kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "e.json", spark_app("e", mode="local")), check=False)
    assert 'spec.mode: Unsupported value: "local": supported values: "cluster", "client"' in enum.stderr, enum.stderr
    unknown = write_manifest(tmp_path, "u.json", spark_app("extra", foo="bar"))
    strict = kubectl(admin_cli, "apply", "-f", unknown, check=False)
    assert strict.returncode == 1 and 'strict decoding error: unknown field "spec.foo"' in strict.stderr, strict.stderr
    warned = kubectl(admin_cli, "apply", "--validate=warn", "-f", unknown)
    assert 'unknown field "spec.foo"' in warned.stderr
    extra = json.loads(kubectl(admin_cli, "get", "sparkapp", "extra", "-n", "data-science", "-o", "json").stdout)
    assert "foo" not in extra["spec"]

    # Status only through /status; a spec change bumps the generation.
    kubectl(admin_cli, "patch", "sparkapp", "pi", "-n", "data-science", "--type=merge",
            "-p", '{"spec":{"replicas":3},"status":{"state":"IGNORED"}}')
    kubectl(admin_cli, "patch", "sparkapp", "pi", "-n", "data-science", "--subresource=status", "--type=merge",
            "-p", '{"spec":{"replicas":9},"status":{"state":"RUNNING","replicas":3}}')
    got = json.loads(kubectl(admin_cli, "get", "sparkapp", "pi", "-n", "data-science", "-o", "json").stdout)
    assert (got["spec"]["replicas"], got["status"]["state"], got["metadata"]["generation"]) == (3, "RUNNING", 2)
    assert kubectl(admin_cli, "get", "sparkapp", "pi", "-n", "data-science").stdout.splitlines()[1].split()[:3] == \
        ["pi", "RUNNING", "3"]
    # Scale subresource, and strategic merge patch refused as kube refuses it for custom kinds.
    kubectl(admin_cli, "scale", "sparkapp", "pi", "-n", "data-science", "--replicas=4")
    assert json.loads(kubectl(admin_cli, "get", "sparkapp", "pi", "-n", "data-science", "-o", "json").stdout)["spec"]["replicas"] == 4
    smp = kubectl(admin_cli, "patch", "sparkapp", "pi", "-n", "data-science", "-p", '{"spec":{"replicas":1}}', check=False)
    assert smp.returncode == 1 and "application/strategic-merge-patch+json is not supported by sparkoperator.k8s.io/v1beta2, " \
        "Kind=SparkApplication: the body of the request was in an unknown format" in smp.stderr, smp.stderr

    # explain reads the published schema.
    explained = kubectl(admin_cli, "explain", "sparkapplication.spec").stdout
    assert "image" in explained and "The container image of the driver and executors." in explained

    # Deleting the CRD deletes its objects and stops serving the kind.
    kubectl(admin_cli, "delete", "crd", CRD_NAME)
    gone = kubectl(admin_cli, "get", "sparkapp", "-n", "data-science", check=False)
    # (kubectl's discovery cache still names the kind: the list itself is 404)
    assert gone.returncode == 1 and "the server could not find the requested resource" in gone.stderr, gone.stderr
    kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "crd.json", spark_crd()))
    kubectl(admin_cli, "wait", "--for=condition=Established", f"crd/{CRD_NAME}", "--timeout=20s")
    again = kubectl(admin_cli, "get", "sparkapp", "-n", "data-science")
    assert "No resources found" in again.stderr, (again.stdout, again.stderr)


def test_custom_resources_watch_and_crd_invalid_and_forbidden(server, admin_cli, cluster, tmp_path):
    bad = spark_crd()
    bad["metadata"]["name"] = "sparks.sparkoperator.k8s.io"
    bad["spec"]["versions"][1]["storage"] = True
    p = kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "bad-crd.json", bad), check=False)
    assert p.returncode == 1
    assert 'metadata.name: Invalid value: "sparks.sparkoperator.k8s.io": must be spec.names.plural+"."+spec.group' in p.stderr
    assert "spec.versions: Invalid value: must have exactly one version marked as storage version" in p.stderr, p.stderr

    # Platform developers cannot define kinds.
    home, member = new_member(admin_cli, tmp_path, server, "crd-dev")
    member.run("eks", "update-kubeconfig", "--name", cluster, "--region", "us-east-1", "--profile", "orchestera-dev")
    denied = kubectl(member, "apply", "-f", write_manifest(tmp_path, "crd.json", spark_crd()), check=False)
    assert denied.returncode == 1
    assert 'customresourcedefinitions.apiextensions.k8s.io "sparkapplications.sparkoperator.k8s.io" is forbidden' in denied.stderr \
        or "customresourcedefinitions.apiextensions.k8s.io is forbidden" in denied.stderr, denied.stderr

    kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "crd.json", spark_crd()))
    kubectl(admin_cli, "wait", "--for=condition=Established", f"crd/{CRD_NAME}", "--timeout=20s")
    watcher = subprocess.Popen([KUBECTL, "get", "sparkapp", "-n", "data-science", "-w", "--output-watch-events"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**{k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"},
                                    "HOME": str(admin_cli.home), **admin_cli.env})
    try:
        import time
        time.sleep(2)
        kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "w.json", spark_app("watched")))
        kubectl(admin_cli, "delete", "sparkapp", "watched", "-n", "data-science")
        time.sleep(1)
    finally:
        watcher.terminate()
    out, err = watcher.communicate(timeout=10)
    events = [line.split()[:2] for line in out.splitlines()[1:]]
    assert ["ADDED", "watched"] in events and ["DELETED", "watched"] in events, (out, err)

    # A namespace's deletion takes its custom resources along; the CRD lives in this cluster only.
    kubectl(admin_cli, "create", "namespace", "scratch")
    app = spark_app("in-scratch")
    app["metadata"]["namespace"] = "scratch"
    kubectl(admin_cli, "apply", "-f", write_manifest(tmp_path, "s.json", app))
    kubectl(admin_cli, "delete", "namespace", "scratch")
    wait_for(lambda: "in-scratch" not in kubectl(admin_cli, "get", "sparkapp", "-A", "-o", "name").stdout,
             what="custom resources of a deleted namespace gone")
    provision(admin_cli, "spark-other")
    admin_cli.run("eks", "update-kubeconfig", "--name", "spark-other", "--region", "us-east-1")
    other = kubectl(admin_cli, "get", "crd")
    assert CRD_NAME not in other.stdout


def test_list_paging_with_limit_and_continue(server, admin_cli, cluster, tmp_path):
    for i in range(7):
        kubectl(admin_cli, "create", "configmap", f"page-{i}", "-n", "data-science", f"--from-literal=i={i}")
        if i % 2 == 0:
            kubectl(admin_cli, "label", "configmap", f"page-{i}", "-n", "data-science", "even=yes")
    token = admin_cli.json("eks", "get-token", "--cluster-name", cluster, "--region", "us-east-1")["status"]["token"]
    base = "/api/v1/namespaces/data-science/configmaps"
    names, rvs, cont, pages = [], set(), "", 0
    while True:
        status, page = kube_call(admin_cli, token, "GET", base + "?limit=3" + (f"&continue={cont}" if cont else ""))
        assert status == 200 and len(page["items"]) <= 3
        names += [i["metadata"]["name"] for i in page["items"] if i["metadata"]["name"].startswith("page-")]
        rvs.add(page["metadata"]["resourceVersion"])
        pages += 1
        cont = page["metadata"].get("continue", "")
        if not cont:
            break
    assert names == [f"page-{i}" for i in range(7)] and pages >= 3 and len(rvs) == 1
    # With a selector, pages are filled with matching items.
    status, page = kube_call(admin_cli, token, "GET", base + "?limit=2&labelSelector=even%3Dyes")
    assert [i["metadata"]["name"] for i in page["items"]] == ["page-0", "page-2"] and page["metadata"]["continue"]
    status, rest = kube_call(admin_cli, token, "GET", base + "?limit=2&labelSelector=even%3Dyes&continue=" + page["metadata"]["continue"])
    assert [i["metadata"]["name"] for i in rest["items"]] == ["page-4", "page-6"]
    status, bad = kube_call(admin_cli, token, "GET", base + "?limit=2&continue=garbage")
    assert (status, bad["reason"]) == (400, "BadRequest")
    # kubectl pages through tables by itself.
    out = kubectl(admin_cli, "get", "configmaps", "-n", "data-science", "--chunk-size=2", "-o", "name").stdout.split()
    assert [n for n in out if n.startswith("configmap/page-")] == [f"configmap/page-{i}" for i in range(7)]
    table = kubectl(admin_cli, "get", "configmaps", "-n", "data-science", "--chunk-size=2").stdout
    assert all(f"page-{i}" in table for i in range(7))
