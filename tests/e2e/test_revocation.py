"""Revocation is immediate, on both planes — better than AWS, whose sessions outlive the change:
deactivating or deleting an access key, removing a user from a group, deleting a role or an
access entry takes effect on the very next request, including Kubernetes requests that carry a
token minted before the change (tokens are verified against the current state on every request;
there is no authentication cache)."""
import json

from test_onboarding_cluster import account_id_of, kube_get, new_member, provision, token_for


def test_revocation_takes_effect_on_the_next_request(server, admin_cli, tmp_path):
    acct = account_id_of(admin_cli)
    provision(admin_cli, "spark-dev")
    admin_cli.run("eks", "update-kubeconfig", "--name", "spark-dev", "--region", "us-east-1")
    home, alice = new_member(admin_cli, tmp_path, server, "alice")
    endpoint = ["--endpoint-url", server.endpoint, "--ca-bundle", server.ca, "--region", "us-east-1"]
    alice_arn = f"arn:aws:iam::{acct}:user/alice"
    key_id = (home / ".aws" / "credentials").read_text().split("aws_access_key_id = ")[1].split()[0]

    # Removing a user from a group: the group's policy stops applying at once.
    admin_cli.run("iam", "put-group-policy", "--group-name", "orchestera-platform-devs", "--policy-name", "read-users",
                  "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
                      {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
    assert alice.run("iam", "list-users", "--profile", "orchestera", *endpoint, check=False).returncode == 0
    admin_cli.run("iam", "remove-user-from-group", "--group-name", "orchestera-platform-devs", "--user-name", "alice")
    denied = alice.run("iam", "list-users", "--profile", "orchestera", *endpoint, check=False)
    assert "AccessDenied" in denied.stderr
    admin_cli.run("iam", "add-user-to-group", "--group-name", "orchestera-platform-devs", "--user-name", "alice")

    # Deleting the access entry: a token minted before is refused by the next request.
    token = token_for(alice, "spark-dev")
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 200
    role_arn = f"arn:aws:iam::{acct}:role/orchestera-platform-devs"
    entry = admin_cli.json("eks", "describe-access-entry", "--cluster-name", "spark-dev", "--principal-arn", role_arn)
    admin_cli.run("eks", "delete-access-entry", "--cluster-name", "spark-dev", "--principal-arn", role_arn)
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 401
    admin_cli.run("eks", "create-access-entry", "--cluster-name", "spark-dev", "--principal-arn", role_arn,
                  "--kubernetes-groups", *entry["accessEntry"]["kubernetesGroups"])
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 200

    # Deleting the role: its sessions die on both planes, tokens included.
    token = token_for(alice, "spark-dev")
    session = json.loads(alice.run("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "revoked",
                                   "--profile", "orchestera", *endpoint, "--output", "json").stdout)["Credentials"]
    session_env = {"AWS_ACCESS_KEY_ID": session["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": session["SecretAccessKey"],
                   "AWS_SESSION_TOKEN": session["SessionToken"]}
    assert alice.run("eks", "list-clusters", *endpoint, env=session_env, check=False).returncode == 0
    for policy in admin_cli.json("iam", "list-role-policies", "--role-name", "orchestera-platform-devs")["PolicyNames"]:
        admin_cli.run("iam", "delete-role-policy", "--role-name", "orchestera-platform-devs", "--policy-name", policy)
    for p in admin_cli.json("iam", "list-attached-role-policies", "--role-name", "orchestera-platform-devs")["AttachedPolicies"]:
        admin_cli.run("iam", "detach-role-policy", "--role-name", "orchestera-platform-devs", "--policy-arn", p["PolicyArn"])
    admin_cli.run("iam", "delete-role", "--role-name", "orchestera-platform-devs")
    gone = alice.run("eks", "list-clusters", *endpoint, env=session_env, check=False)
    assert gone.returncode != 0 and ("InvalidClientTokenId" in gone.stderr or "ExpiredToken" in gone.stderr), gone.stderr
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 401

    # Deactivating, then deleting, an access key: a token signed with it is refused at once.
    admin_cli.run("eks", "create-access-entry", "--cluster-name", "spark-dev", "--principal-arn", alice_arn)
    admin_cli.run("eks", "associate-access-policy", "--cluster-name", "spark-dev", "--principal-arn", alice_arn,
                  "--policy-arn", "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                  "--access-scope", "type=cluster")
    token = alice.json("eks", "get-token", "--cluster-name", "spark-dev", "--profile", "orchestera", *endpoint)["status"]["token"]
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 200
    admin_cli.run("iam", "update-access-key", "--user-name", "alice", "--access-key-id", key_id, "--status", "Inactive")
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 401
    assert "InvalidClientTokenId" in alice.run("eks", "list-clusters", "--profile", "orchestera", *endpoint,
                                               check=False).stderr
    admin_cli.run("iam", "update-access-key", "--user-name", "alice", "--access-key-id", key_id, "--status", "Active")
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 200
    admin_cli.run("iam", "delete-access-key", "--user-name", "alice", "--access-key-id", key_id)
    assert kube_get(server, admin_cli, "spark-dev", token, "/api/v1/namespaces/default/pods")[0] == 401
