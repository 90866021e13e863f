"""Organizations and tenancy: the management account (profile orchestera-org) creates and
administers workspaces through the real CLI; accounts stay isolated from each other."""
import json
import re

import pytest

from conftest import Cli, account_id, allow, expect_error, make_user, trust, unique

ORG_ROLE = "OrganizationAccountAccessRole"


def org_cli(admin_cli):
    return lambda *args, **kw: admin_cli.json(*args, "--profile", "orchestera-org", **kw)


def test_describe_organization_and_list_accounts(server, admin_cli):
    org = org_cli(admin_cli)
    mgmt = account_id(server, "orchestera-org")
    ws = account_id(server)
    assert mgmt != ws
    o = org("organizations", "describe-organization")["Organization"]
    assert re.fullmatch(r"o-[a-z0-9]{10,32}", o["Id"]), o["Id"]
    assert o["MasterAccountId"] == mgmt
    assert o["Arn"] == f"arn:aws:organizations::{mgmt}:organization/{o['Id']}"
    assert o["FeatureSet"] == "ALL"
    accounts = org("organizations", "list-accounts")["Accounts"]
    assert sorted(a["Id"] for a in accounts) == sorted([mgmt, ws])
    for a in accounts:
        assert a["Status"] == "ACTIVE"
        assert a["Arn"] == f"arn:aws:organizations::{mgmt}:account/{o['Id']}/{a['Id']}"
    # Every account of the organization may describe it.
    assert admin_cli.json("organizations", "describe-organization")["Organization"]["Id"] == o["Id"]


def test_create_account_and_administer_it_through_the_access_role(server, admin_cli, tmp_path):
    org = org_cli(admin_cli)
    mgmt = account_id(server, "orchestera-org")
    status = org("organizations", "create-account", "--email", "x@example.com",
                 "--account-name", "ws2")["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    assert status["AccountName"] == "ws2"
    new = status["AccountId"]
    assert re.fullmatch(r"\d{12}", new) and new not in (mgmt, account_id(server))
    again = org("organizations", "describe-create-account-status",
                "--create-account-request-id", status["Id"])["CreateAccountStatus"]
    assert (again["State"], again["AccountId"], again["Id"]) == ("SUCCEEDED", new, status["Id"])
    acc = org("organizations", "describe-account", "--account-id", new)["Account"]
    assert (acc["Id"], acc["Name"], acc["Email"], acc["Status"]) == (new, "ws2", "x@example.com", "ACTIVE")
    assert len(org("organizations", "list-accounts")["Accounts"]) == 3
    p = admin_cli.run("organizations", "create-account", "--email", "X@example.com", "--account-name", "dup",
                      "--profile", "orchestera-org", check=False)
    assert p.returncode != 0 and "DuplicateAccountException" in p.stderr, p.stderr

    # A profile that assumes the new account's OrganizationAccountAccessRole from the org admin.
    config = tmp_path / "config"
    config.write_text(open(server.admin_config).read() +
                      f"\n[profile ws2]\nrole_arn = arn:aws:iam::{new}:role/{ORG_ROLE}\n"
                      f"source_profile = orchestera-org\nregion = us-east-1\n"
                      f"endpoint_url = {server.endpoint}\nca_bundle = {server.ca}\n")
    cli = Cli(admin_cli.home, {**admin_cli.env, "AWS_CONFIG_FILE": str(config)})
    ident = cli.json("sts", "get-caller-identity", "--profile", "ws2")
    assert ident["Account"] == new
    assert re.fullmatch(rf"arn:aws:sts::{new}:assumed-role/{ORG_ROLE}/botocore-session-\d+", ident["Arn"]), ident
    user = cli.json("iam", "create-user", "--user-name", "ws2-dev", "--profile", "ws2")["User"]
    assert user["Arn"] == f"arn:aws:iam::{new}:user/ws2-dev"
    names = [u["UserName"] for u in cli.json("iam", "list-users", "--profile", "ws2")["Users"]]
    assert names == ["ws2-dev"]  # a brand-new account has no other users
    role = cli.json("iam", "get-role", "--role-name", ORG_ROLE, "--profile", "ws2")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] in (
        f"arn:aws:iam::{mgmt}:root", mgmt)
    # The user lives in the new account only.
    assert expect_error(server.client("iam", profile="orchestera-org").get_user, UserName="ws2-dev")[0] == "NoSuchEntity"
    assert expect_error(server.client("iam").get_user, UserName="ws2-dev")[0] == "NoSuchEntity"


def test_workspace_admin_cannot_use_organizations_management_calls(shared_server):
    orgs = shared_server.client("organizations")
    for call, kw in ((orgs.list_accounts, {}),
                     (orgs.create_account, {"Email": "y@example.com", "AccountName": "sneaky"}),
                     (orgs.describe_account, {"AccountId": account_id(shared_server, "orchestera-org")})):
        code, msg, _ = expect_error(call, **kw)
        assert code == "AccessDeniedException", (call, code, msg)
    assert len(shared_server.client("organizations", profile="orchestera-org").list_accounts()["Accounts"]) == 2


def test_workspace_admin_cannot_assume_roles_in_other_accounts(shared_server):
    mgmt = account_id(shared_server, "orchestera-org")
    ws = account_id(shared_server)
    org_iam = shared_server.client("iam", profile="orchestera-org")
    role = unique("mgmt-only")
    org_iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{mgmt}:root"))
    org_iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    sts = shared_server.client("sts")  # the workspace admin: AdministratorAccess in its own account
    for arn in (f"arn:aws:iam::{mgmt}:role/{role}", f"arn:aws:iam::{mgmt}:role/{ORG_ROLE}"):
        code, msg, status = expect_error(sts.assume_role, RoleArn=arn, RoleSessionName="escape")
        assert (code, status) == ("AccessDenied", 403), (arn, code, msg)
        assert msg.startswith(f"User: arn:aws:iam::{ws}:user/admin is not authorized to perform: sts:AssumeRole "
                              f"on resource: {arn}"), msg
    # The management admin itself can (its own account, trust names it).
    out = shared_server.client("sts", profile="orchestera-org").assume_role(
        RoleArn=f"arn:aws:iam::{mgmt}:role/{role}", RoleSessionName="ok")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{mgmt}:assumed-role/{role}/ok"


def test_cross_account_assumption_needs_both_sides(shared_server):
    mgmt = account_id(shared_server, "orchestera-org")
    ws = account_id(shared_server)
    org_iam = shared_server.client("iam", profile="orchestera-org")
    target = f"arn:aws:iam::{ws}:role/{ORG_ROLE}"

    # The trust side allows the management account, but this user's own account grants nothing.
    name, key, secret = make_user(org_iam)
    code, msg, status = expect_error(shared_server.client("sts", key, secret).assume_role, RoleArn=target,
                                     RoleSessionName="noperm")
    assert (code, status) == ("AccessDenied", 403)
    assert msg.startswith(f"User: arn:aws:iam::{mgmt}:user/{name} is not authorized to perform: sts:AssumeRole "
                          f"on resource: {target}"), msg
    # Both sides allow: it works.
    org_iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=json.dumps(allow("sts:AssumeRole", target)))
    out = shared_server.client("sts", key, secret).assume_role(RoleArn=target, RoleSessionName="now-ok")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ws}:assumed-role/{ORG_ROLE}/now-ok"
    c = out["Credentials"]
    session_iam = shared_server.client("iam", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert any(u["UserName"] == "admin" for u in session_iam.list_users()["Users"])
    assert shared_server.client("sts", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]) \
        .get_caller_identity()["Account"] == ws

    # The caller side allows (org admin has AdministratorAccess), but the trust only names the workspace.
    ws_iam = shared_server.client("iam")
    local = unique("local-only")
    ws_iam.create_role(RoleName=local, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ws}:root"))
    code, msg, _ = expect_error(shared_server.client("sts", profile="orchestera-org").assume_role,
                                RoleArn=f"arn:aws:iam::{ws}:role/{local}", RoleSessionName="org")
    assert code == "AccessDenied", (code, msg)
    assert f"User: arn:aws:iam::{mgmt}:user/admin is not authorized to perform: sts:AssumeRole" in msg, msg


def test_accounts_do_not_see_each_others_users(shared_server):
    ws_iam = shared_server.client("iam")
    org_iam = shared_server.client("iam", profile="orchestera-org")
    mgmt = account_id(shared_server, "orchestera-org")
    ws = account_id(shared_server)
    only_ws = unique("ws-only")
    ws_iam.create_user(UserName=only_ws)
    ws_users = {u["UserName"]: u for u in ws_iam.get_paginator("list_users").paginate().build_full_result()["Users"]}
    org_users = {u["UserName"]: u for u in org_iam.get_paginator("list_users").paginate().build_full_result()["Users"]}
    assert only_ws in ws_users and only_ws not in org_users
    assert ws_users["admin"]["Arn"] == f"arn:aws:iam::{ws}:user/admin"
    assert org_users["admin"]["Arn"] == f"arn:aws:iam::{mgmt}:user/admin"
    assert ws_users["admin"]["UserId"] != org_users["admin"]["UserId"]
    code, msg, status = expect_error(org_iam.get_user, UserName=only_ws)
    assert (code, msg, status) == ("NoSuchEntity", f"The user with name {only_ws} cannot be found.", 404)
    # Same name in both accounts is fine: names are unique per account.
    org_iam.create_user(UserName=only_ws)
    assert org_iam.get_user(UserName=only_ws)["User"]["Arn"] == f"arn:aws:iam::{mgmt}:user/{only_ws}"
    # Policies of one account cannot be attached in another.
    arn = org_iam.create_policy(PolicyName=unique("mp"), PolicyDocument=json.dumps(allow("iam:GetUser")))["Policy"]["Arn"]
    assert expect_error(ws_iam.attach_user_policy, UserName=only_ws, PolicyArn=arn)[0] == "NoSuchEntity"
    # An admin's IAM calls stay in its own account even when naming another account's ARN.
    assert expect_error(ws_iam.get_policy, PolicyArn=arn)[0] == "NoSuchEntity"


def test_organizations_calls_need_permission_even_in_the_management_account(shared_server):
    org_iam = shared_server.client("iam", profile="orchestera-org")
    _, key, secret = make_user(org_iam)  # a management-account user with no policies
    orgs = shared_server.client("organizations", key, secret)
    for call, kw in ((orgs.list_accounts, {}),
                     (orgs.create_account, {"Email": "z@example.com", "AccountName": "unauthorized"})):
        code, msg, _ = expect_error(call, **kw)
        assert code == "AccessDeniedException", (call, code, msg)
    _, key, secret = make_user(org_iam, managed=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    ro = shared_server.client("organizations", key, secret)
    assert len(ro.list_accounts()["Accounts"]) == 2
    code, msg, _ = expect_error(ro.create_account, Email="z@example.com", AccountName="read-only-cannot")
    assert code == "AccessDeniedException", (code, msg)
    assert len(shared_server.client("organizations", profile="orchestera-org").list_accounts()["Accounts"]) == 2


def test_sessions_in_member_accounts_are_not_management(shared_server):
    ws = account_id(shared_server)
    out = shared_server.client("sts", profile="orchestera-org").assume_role(
        RoleArn=f"arn:aws:iam::{ws}:role/{ORG_ROLE}", RoleSessionName="into-ws")
    c = out["Credentials"]
    orgs = shared_server.client("organizations", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert expect_error(orgs.list_accounts)[0] == "AccessDeniedException"
    # The session has AdministratorAccess inside the workspace.
    ws_iam = shared_server.client("iam", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    attached = ws_iam.list_attached_role_policies(RoleName=ORG_ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/AdministratorAccess"]


def test_unknown_account_and_request_ids(shared_server):
    orgs = shared_server.client("organizations", profile="orchestera-org")
    assert expect_error(orgs.describe_account, AccountId="000000000000")[0] == "AccountNotFoundException"
    assert expect_error(orgs.describe_create_account_status,
                        CreateAccountRequestId="car-doesnotexist1")[0] == "CreateAccountStatusNotFoundException"


def test_access_keys_of_another_account_are_out_of_reach(shared_server):
    """Both accounts have a user named `admin`: key operations must still stay inside the caller's account."""
    ws_iam = shared_server.client("iam")
    org_key, _ = shared_server.admin_keys("orchestera-org")
    for call, kw in ((ws_iam.update_access_key, {"AccessKeyId": org_key, "Status": "Inactive"}),
                     (ws_iam.update_access_key, {"UserName": "admin", "AccessKeyId": org_key, "Status": "Inactive"}),
                     (ws_iam.delete_access_key, {"AccessKeyId": org_key}),
                     (ws_iam.delete_access_key, {"UserName": "admin", "AccessKeyId": org_key})):
        code, msg, _ = expect_error(call, **kw)
        assert code in ("NoSuchEntity", "AccessDenied"), (call, kw, code, msg)
    assert shared_server.client("sts", profile="orchestera-org").get_caller_identity()["Arn"].endswith(":user/admin")
    keys = shared_server.client("iam", profile="orchestera-org").list_access_keys()["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(org_key, "Active")]
    # Last-used data of another account's key does not leak its owner.
    try:
        out = ws_iam.get_access_key_last_used(AccessKeyId=org_key)
    except Exception as e:  # noqa: BLE001
        from conftest import err
        assert err(e)[0] in ("NoSuchEntity", "AccessDenied"), err(e)
    else:
        raise AssertionError(f"the workspace admin read another account's key usage: {out}")


def test_account_summaries_are_per_account(shared_server):
    ws_iam = shared_server.client("iam")
    org_iam = shared_server.client("iam", profile="orchestera-org")
    before = org_iam.get_account_summary()["SummaryMap"]["Users"]
    ws_iam.create_user(UserName=unique("count"))
    assert org_iam.get_account_summary()["SummaryMap"]["Users"] == before


def test_aws_managed_policy_usage_is_per_account(shared_server):
    admin_policy = "arn:aws:iam::aws:policy/AdministratorAccess"
    ws_iam = shared_server.client("iam")
    org_iam = shared_server.client("iam", profile="orchestera-org")
    ws, mgmt = account_id(shared_server), account_id(shared_server, "orchestera-org")
    ws_users = {u["UserId"] for u in ws_iam.list_entities_for_policy(PolicyArn=admin_policy)["PolicyUsers"]}
    org_users = {u["UserId"] for u in org_iam.list_entities_for_policy(PolicyArn=admin_policy)["PolicyUsers"]}
    assert ws_users and org_users and not ws_users & org_users
    assert ws_iam.get_user(UserName="admin")["User"]["UserId"] in ws_users
    assert org_iam.get_user(UserName="admin")["User"]["UserId"] in org_users
    ws_roles = [r["RoleName"] for r in ws_iam.list_entities_for_policy(PolicyArn=admin_policy)["PolicyRoles"]]
    assert ORG_ROLE in ws_roles
    assert ws != mgmt
