"""The audit trail: the onboarding flow leaves a record of every change and every denial on both
planes, with who (IAM principal, access key, session, Kubernetes user and groups), what, and the
reason (the policy statement or RBAC binding that decided); `orchestera audit` filters it; and no
secret — access keys' secrets, session tokens, EKS tokens, Secret values — is ever written to it
or to the logs."""
import json
import os
import subprocess

from conftest import BINARY
from test_onboarding_cluster import account_id_of, kubectl, new_member, provision, token_for


def audit(server, *args):
    p = subprocess.run([str(BINARY), "audit", "--data-dir", str(server.data_dir), *args],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p


def entries(server, *args):
    return [json.loads(line) for line in audit(server, "--json", *args).stdout.splitlines() if line.strip()]


def test_onboarding_leaves_an_audit_trail_without_secrets(server, admin_cli, tmp_path):
    acct = account_id_of(admin_cli)
    provision(admin_cli, "spark-dev")
    admin_cli.run("eks", "update-kubeconfig", "--name", "spark-dev", "--region", "us-east-1")
    kubectl(admin_cli, "create", "namespace", "data-science")
    kubectl(admin_cli, "create", "secret", "generic", "db", "-n", "data-science", "--from-literal=password=s3cr3t-value-marker")
    home, alice = new_member(admin_cli, tmp_path, server, "alice")
    secret = (home / ".aws" / "credentials").read_text().split("aws_secret_access_key = ")[1].strip()
    alice.run("eks", "update-kubeconfig", "--name", "spark-dev", "--region", "us-east-1", "--profile", "orchestera-dev")
    kubectl(alice, "run", "job-1", "--image=busybox", "-n", "data-science", "--restart=Never", "--", "true")
    assert kubectl(alice, "get", "pods", "-n", "kube-system", check=False).returncode == 1
    assert alice.run("iam", "list-users", "--profile", "orchestera-dev", check=False).returncode != 0
    token = token_for(alice, "spark-dev")
    session_token = json.loads(alice.run("sts", "assume-role", "--role-arn",
                                         f"arn:aws:iam::{acct}:role/orchestera-platform-devs", "--role-session-name",
                                         "audit-check", "--profile", "orchestera", "--endpoint-url", server.endpoint,
                                         "--ca-bundle", server.ca, "--region", "us-east-1", "--output", "json").stdout)["Credentials"]["SessionToken"]
    # A forged secret: refused, and recorded with the key id it claimed.
    forged = alice.run("iam", "get-user", "--endpoint-url", server.endpoint, "--ca-bundle", server.ca,
                       env={"AWS_ACCESS_KEY_ID": alice_key(home), "AWS_SECRET_ACCESS_KEY": "x" * 40}, check=False)
    assert forged.returncode != 0

    trail = entries(server)
    def find(**want):
        return [e for e in trail if all(e.get(k) == v for k, v in want.items())]

    created = find(plane="aws", action="iam:CreateUser", decision="allow")
    assert created and created[0]["principalArn"] == f"arn:aws:iam::{acct}:user/admin"
    assert created[0]["resource"] == f"arn:aws:iam::{acct}:user/alice"
    assert "allowed by" in created[0]["reason"] and created[0]["accessKeyId"].startswith("AKIA")
    assert find(plane="aws", action="eks:CreateCluster", decision="allow")
    assumed = find(plane="aws", action="sts:AssumeRole", decision="allow", principalArn=f"arn:aws:iam::{acct}:user/alice")
    assert assumed and "allowed by" in assumed[0]["reason"]
    # The member's pod: who (the assumed role's session and the Kubernetes user it maps to), and
    # which binding allowed it.
    pod = [e for e in find(plane="kubernetes", action="create", decision="allow", cluster="spark-dev")
           if e["resource"] == "/api/v1/namespaces/data-science/pods"]
    assert pod, trail
    assert pod[0]["principalArn"].startswith(f"arn:aws:sts::{acct}:assumed-role/orchestera-platform-devs/")
    assert pod[0]["kubernetesGroups"] == ["orchestera:platform-devs", "system:authenticated"]
    assert pod[0]["accessKeyId"].startswith("ASIA") and pod[0]["status"] == 201
    assert 'allowed by RoleBinding "orchestera:platform-devs/data-science"' in pod[0]["reason"], pod[0]["reason"]
    denied = [e for e in find(plane="kubernetes", decision="deny") if "kube-system" in e["resource"]]
    assert denied and denied[0]["action"] == "list" and denied[0]["status"] == 403
    iam_denied = find(plane="aws", action="iam:ListUsers", decision="deny")
    assert iam_denied and "no identity-based policy allows" in iam_denied[0]["reason"]
    forged_entry = find(plane="aws", decision="deny", status=403, accessKeyId=alice_key(home))
    assert forged_entry and forged_entry[0]["reason"].startswith("SignatureDoesNotMatch: ")
    assert "\n" not in forged_entry[0]["reason"]  # the reason, not the canonical request
    # Reads that were allowed are not kept.
    assert not find(plane="kubernetes", action="get", decision="allow")

    # Filters: by principal, decision, plane, cluster, time.
    alice_only = entries(server, "--principal", "user/alice")
    assert alice_only and all("user/alice" in e.get("principalArn", "") for e in alice_only)
    assert all(e["decision"] == "deny" for e in entries(server, "--decision", "deny"))
    assert all(e["plane"] == "kubernetes" for e in entries(server, "--plane", "kubernetes", "--cluster", "spark-dev"))
    assert entries(server, "--since", "1h") == trail
    assert entries(server, "--until", "1h") == []
    table = audit(server, "--decision", "deny", "--plane", "kubernetes")
    assert "DECISION" in table.stdout and "kube-system" in table.stdout and "matching entries" in table.stderr
    bad = subprocess.run([str(BINARY), "audit", "--data-dir", str(server.data_dir), "--since", "yesterday"],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "neither a time" in bad.stderr

    # No secret anywhere: not in the trail, not in the server's log.
    files = [p for p in (server.data_dir / "audit").iterdir()]
    assert files and all((p.stat().st_mode & 0o777) == 0o600 for p in files)
    written = "".join(p.read_text() for p in files) + server.log.read_text()
    for s in (secret, session_token, token, token[len("k8s-aws-v1."):], "s3cr3t-value-marker"):
        assert s not in written


def alice_key(home):
    return (home / ".aws" / "credentials").read_text().split("aws_access_key_id = ")[1].split()[0]
