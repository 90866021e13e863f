"""IAM behaviour over the Query protocol, through boto3 (and the CLI where its own pagination is
the point): entities, keys, policies, tags, login profiles, pagination, validation, limits."""
import json
import re
import socket
import ssl
import time
import urllib.parse

import pytest

from conftest import (IAM_VERSION, Cli, account_id, allow, err, expect_error, make_user, raw_request, trust,
                      unique, wait_for)

NAME_PATTERN = r"[\w+=,.@-]+"


@pytest.fixture(scope="module")
def iam(shared_server):
    return shared_server.client("iam")


@pytest.fixture(scope="module")
def acct(shared_server):
    return account_id(shared_server)


# ------------------------------------------------------------------------------------------ users

def test_user_create_get_rename_move_delete(iam, acct):
    name = unique("crud")
    u = iam.create_user(UserName=name, Path="/division/team/")["User"]
    assert u["UserName"] == name and u["Path"] == "/division/team/"
    assert u["Arn"] == f"arn:aws:iam::{acct}:user/division/team/{name}"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", u["UserId"]), u["UserId"]
    got = iam.get_user(UserName=name)["User"]
    assert {k: got[k] for k in ("UserName", "UserId", "Arn", "Path")} == \
        {k: u[k] for k in ("UserName", "UserId", "Arn", "Path")}
    listed = [x for x in iam.list_users(PathPrefix="/division/")["Users"] if x["UserName"] == name]
    assert len(listed) == 1
    assert not [x for x in iam.list_users(PathPrefix="/other/")["Users"] if x["UserName"] == name]

    new = unique("renamed")
    iam.update_user(UserName=name, NewUserName=new)
    code, msg, status = expect_error(iam.get_user, UserName=name)
    assert (code, msg, status) == ("NoSuchEntity", f"The user with name {name} cannot be found.", 404)
    renamed = iam.get_user(UserName=new)["User"]
    assert renamed["UserId"] == u["UserId"]
    assert renamed["Arn"] == f"arn:aws:iam::{acct}:user/division/team/{new}"

    iam.update_user(UserName=new, NewPath="/moved/")
    moved = iam.get_user(UserName=new)["User"]
    assert moved["Path"] == "/moved/" and moved["Arn"] == f"arn:aws:iam::{acct}:user/moved/{new}"

    iam.delete_user(UserName=new)
    assert expect_error(iam.get_user, UserName=new)[0] == "NoSuchEntity"
    assert expect_error(iam.delete_user, UserName=new) == \
        ("NoSuchEntity", f"The user with name {new} cannot be found.", 404)


def test_get_user_defaults_to_the_caller(iam, acct):
    assert iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{acct}:user/admin"


def test_user_names_are_unique_regardless_of_case(iam):
    base = unique("case")
    iam.create_user(UserName=base.lower())
    upper = base.upper().replace("CASE", "Case")
    code, msg, status = expect_error(iam.create_user, UserName=upper)
    assert (code, status) == ("EntityAlreadyExists", 409)
    assert msg.lower() == f"user with name {base.lower()} already exists."
    # The stored case is what comes back.
    assert iam.get_user(UserName=base.lower())["User"]["UserName"] == base.lower()
    # Renaming onto an existing name (in another case) conflicts too.
    other = unique("case")
    iam.create_user(UserName=other)
    assert expect_error(iam.update_user, UserName=other, NewUserName=upper)[0] == "EntityAlreadyExists"


def test_no_such_user_messages(iam):
    code, msg, status = expect_error(iam.get_user, UserName="nobody-here")
    assert (code, msg, status) == ("NoSuchEntity", "The user with name nobody-here cannot be found.", 404)
    assert expect_error(iam.list_access_keys, UserName="nobody-here")[:2] == \
        ("NoSuchEntity", "The user with name nobody-here cannot be found.")
    assert expect_error(iam.get_group, GroupName="no-group-here")[:2] == \
        ("NoSuchEntity", "The group with name no-group-here cannot be found.")
    assert expect_error(iam.get_role, RoleName="no-role-here")[:2] == \
        ("NoSuchEntity", "The role with name no-role-here cannot be found.")


def test_delete_user_conflicts_until_everything_is_gone(iam):
    name, key, _ = make_user(iam)
    group = unique("grp")
    iam.create_group(GroupName=group)
    pol = iam.create_policy(PolicyName=unique("pol"), PolicyDocument=json.dumps(allow("iam:GetUser")))["Policy"]

    def conflict():
        code, msg, status = expect_error(iam.delete_user, UserName=name)
        assert (code, status) == ("DeleteConflict", 409), (code, msg)
        return msg

    assert conflict() == "Cannot delete entity, must delete access keys first."
    iam.delete_access_key(UserName=name, AccessKeyId=key)
    iam.add_user_to_group(GroupName=group, UserName=name)
    assert "group" in conflict().lower()
    iam.remove_user_from_group(GroupName=group, UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(allow("iam:GetUser")))
    assert conflict() == "Cannot delete entity, must delete policies first."
    iam.delete_user_policy(UserName=name, PolicyName="inline")
    iam.attach_user_policy(UserName=name, PolicyArn=pol["Arn"])
    assert conflict() == "Cannot delete entity, must detach all policies first."
    iam.detach_user_policy(UserName=name, PolicyArn=pol["Arn"])
    iam.create_login_profile(UserName=name, Password="Correct-Horse-9", PasswordResetRequired=False)
    assert conflict() == "Cannot delete entity, must delete login profile first."
    iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)
    assert expect_error(iam.get_user, UserName=name)[0] == "NoSuchEntity"


# ------------------------------------------------------------------------------------ access keys

def test_access_keys_shape_secret_once_and_quota(iam):
    name, _, _ = make_user(iam, keys=False)
    k1 = iam.create_access_key(UserName=name)["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", k1["AccessKeyId"]), k1["AccessKeyId"]
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", k1["SecretAccessKey"]), k1["SecretAccessKey"]
    assert k1["Status"] == "Active" and k1["UserName"] == name
    k2 = iam.create_access_key(UserName=name)["AccessKey"]
    iam.update_access_key(UserName=name, AccessKeyId=k2["AccessKeyId"], Status="Inactive")
    # The quota of 2 counts inactive keys too.
    code, msg, status = expect_error(iam.create_access_key, UserName=name)
    assert (code, msg, status) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)

    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed) == sorted([k1["AccessKeyId"], k2["AccessKeyId"]])
    for k in listed:
        assert "SecretAccessKey" not in k
        assert set(k) >= {"UserName", "AccessKeyId", "Status", "CreateDate"}
    assert {k["AccessKeyId"]: k["Status"] for k in listed} == \
        {k1["AccessKeyId"]: "Active", k2["AccessKeyId"]: "Inactive"}
    raw = raw_request_list_keys(iam, name)
    assert k1["SecretAccessKey"] not in raw and k2["SecretAccessKey"] not in raw

    iam.delete_access_key(UserName=name, AccessKeyId=k2["AccessKeyId"])
    assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 1
    assert iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    assert expect_error(iam.delete_access_key, UserName=name, AccessKeyId=k2["AccessKeyId"])[0] == "NoSuchEntity"


def raw_request_list_keys(iam, name):
    """The raw XML of ListAccessKeys, to be sure no secret is anywhere in it."""
    captured = {}

    def grab(http_response, **kw):
        captured["body"] = http_response.text

    iam.meta.events.register("after-call.iam.ListAccessKeys", grab)
    try:
        iam.list_access_keys(UserName=name)
    finally:
        iam.meta.events.unregister("after-call.iam.ListAccessKeys", grab)
    return captured["body"]


def test_access_key_last_used(shared_server, iam):
    name, key, secret = make_user(iam, inline={"self": allow("iam:GetUser")})
    before = iam.get_access_key_last_used(AccessKeyId=key)
    assert before["UserName"] == name
    assert before["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert before["AccessKeyLastUsed"]["Region"] == "N/A"
    assert "LastUsedDate" not in before["AccessKeyLastUsed"]

    t0 = time.time()
    shared_server.client("sts", key, secret).get_caller_identity()
    used = wait_for(lambda: (lambda r: r if "LastUsedDate" in r else None)(
        iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]), timeout=5, what="LastUsedDate")
    assert used["ServiceName"] == "sts" and used["Region"] == "us-east-1", used
    assert abs(used["LastUsedDate"].timestamp() - t0) < 60

    shared_server.client("iam", key, secret, region="eu-west-1").get_user()
    wait_for(lambda: iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]["ServiceName"] == "iam",
             timeout=5, what="ServiceName iam")
    assert iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]["Region"] == "eu-west-1"


# ----------------------------------------------------------------------------------------- groups

def test_groups_crud_and_membership(iam, acct):
    g = unique("grp")
    created = iam.create_group(GroupName=g, Path="/teams/")["Group"]
    assert created["Arn"] == f"arn:aws:iam::{acct}:group/teams/{g}"
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", created["GroupId"]), created["GroupId"]
    assert expect_error(iam.create_group, GroupName=g.upper())[0] == "EntityAlreadyExists"
    u1, _, _ = make_user(iam, keys=False)
    u2, _, _ = make_user(iam, keys=False)
    iam.add_user_to_group(GroupName=g, UserName=u1)
    iam.add_user_to_group(GroupName=g, UserName=u2)
    iam.add_user_to_group(GroupName=g, UserName=u2)  # idempotent
    got = iam.get_group(GroupName=g)
    assert got["Group"]["GroupName"] == g
    assert sorted(u["UserName"] for u in got["Users"]) == sorted([u1, u2])
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=u1)["Groups"]] == [g]
    assert any(x["GroupName"] == g for x in iam.list_groups(PathPrefix="/teams/")["Groups"])

    code, msg, status = expect_error(iam.delete_group, GroupName=g)
    assert (code, status) == ("DeleteConflict", 409), msg
    iam.remove_user_from_group(GroupName=g, UserName=u1)
    assert [u["UserName"] for u in iam.get_group(GroupName=g)["Users"]] == [u2]
    assert iam.list_groups_for_user(UserName=u1)["Groups"] == []

    new = unique("grp")
    iam.update_group(GroupName=g, NewGroupName=new)
    assert expect_error(iam.get_group, GroupName=g)[0] == "NoSuchEntity"
    assert [u["UserName"] for u in iam.get_group(GroupName=new)["Users"]] == [u2]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=u2)["Groups"]] == [new]
    iam.remove_user_from_group(GroupName=new, UserName=u2)
    iam.delete_group(GroupName=new)
    assert expect_error(iam.get_group, GroupName=new) == \
        ("NoSuchEntity", f"The group with name {new} cannot be found.", 404)
    assert expect_error(iam.add_user_to_group, GroupName=new, UserName=u2)[0] == "NoSuchEntity"


# ------------------------------------------------------------------------------------------ roles

def test_roles_max_session_duration_and_update(shared_server, iam, acct):
    r = unique("role")
    doc = trust(f"arn:aws:iam::{acct}:root")
    created = iam.create_role(RoleName=r, AssumeRolePolicyDocument=doc, MaxSessionDuration=7200,
                              Description="first")["Role"]
    assert created["Arn"] == f"arn:aws:iam::{acct}:role/{r}"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", created["RoleId"]), created["RoleId"]
    got = iam.get_role(RoleName=r)["Role"]
    assert got["MaxSessionDuration"] == 7200 and got["Description"] == "first"
    assert got["AssumeRolePolicyDocument"] == json.loads(doc)

    iam.update_role(RoleName=r, MaxSessionDuration=43200, Description="second")
    got = iam.get_role(RoleName=r)["Role"]
    assert got["MaxSessionDuration"] == 43200 and got["Description"] == "second"
    code, msg, status = expect_error(iam.update_role, RoleName=r, MaxSessionDuration=43201)
    assert (code, status) == ("ValidationError", 400), (code, msg)
    assert "maxSessionDuration" in msg, msg
    # Below the minimum botocore refuses on the client side, so send it by hand.
    rr = raw_request(shared_server, {"Action": "UpdateRole", "Version": IAM_VERSION, "RoleName": r,
                                     "MaxSessionDuration": "3599"})
    assert (rr.status, rr.code) == (400, "ValidationError"), rr
    assert iam.get_role(RoleName=r)["Role"]["MaxSessionDuration"] == 43200
    assert expect_error(iam.create_role, RoleName=unique("role"), AssumeRolePolicyDocument=doc,
                        MaxSessionDuration=100000)[0] == "ValidationError"
    default = iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=doc)["Role"]
    assert default["MaxSessionDuration"] == 3600
    assert expect_error(iam.create_role, RoleName=r.upper(), AssumeRolePolicyDocument=doc)[:2] == \
        ("EntityAlreadyExists", f"Role with name {r.upper()} already exists.")


def test_update_assume_role_policy_validation(iam, acct):
    r = unique("role")
    iam.create_role(RoleName=r, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"))
    code, msg, status = expect_error(iam.update_assume_role_policy, RoleName=r, PolicyDocument='{"Version": ')
    assert (code, status) == ("MalformedPolicyDocument", 400), msg
    ghost = f"arn:aws:iam::{acct}:user/ghost-{unique('x')}"
    code, msg, status = expect_error(iam.update_assume_role_policy, RoleName=r, PolicyDocument=trust(ghost))
    assert (code, msg, status) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"', 400)
    code, msg, _ = expect_error(iam.create_role, RoleName=unique("role"), AssumeRolePolicyDocument=trust(ghost))
    assert (code, msg) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"')
    with_resource = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": acct}, "Action": "sts:AssumeRole", "Resource": "*"}]})
    assert expect_error(iam.update_assume_role_policy, RoleName=r, PolicyDocument=with_resource)[0] == \
        "MalformedPolicyDocument"
    # A real user is fine, and the trust document is stored as sent.
    name, _, _ = make_user(iam, keys=False)
    ok = trust(f"arn:aws:iam::{acct}:user/{name}")
    iam.update_assume_role_policy(RoleName=r, PolicyDocument=ok)
    assert iam.get_role(RoleName=r)["Role"]["AssumeRolePolicyDocument"] == json.loads(ok)


# -------------------------------------------------------------------------------- inline policies

@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policies_put_get_list_delete(iam, acct, kind):
    name = unique(kind)
    if kind == "user":
        iam.create_user(UserName=name)
    elif kind == "group":
        iam.create_group(GroupName=name)
    else:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"))
    K = kind.capitalize()
    put, get, lst, delete = (getattr(iam, f"{op}_{kind}_polic{suffix}") for op, suffix in
                             (("put", "y"), ("get", "y"), ("list", "ies"), ("delete", "y")))
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Mixed", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"],
         "Resource": f"arn:aws:iam::{acct}:user/a b+c%d&e", "Condition": {"StringLike": {"aws:UserAgent": "* x=y"}}}]}
    put(**{f"{K}Name": name}, PolicyName="p1", PolicyDocument=json.dumps(doc))
    put(**{f"{K}Name": name}, PolicyName="p2", PolicyDocument=json.dumps(allow("sts:GetCallerIdentity")))
    got = get(**{f"{K}Name": name}, PolicyName="p1")
    assert got[f"{K}Name"] == name and got["PolicyName"] == "p1"
    assert got["PolicyDocument"] == doc
    assert sorted(lst(**{f"{K}Name": name})["PolicyNames"]) == ["p1", "p2"]
    # Put again replaces.
    put(**{f"{K}Name": name}, PolicyName="p2", PolicyDocument=json.dumps(allow("iam:ListUsers")))
    assert get(**{f"{K}Name": name}, PolicyName="p2")["PolicyDocument"] == allow("iam:ListUsers")
    code, msg, status = expect_error(put, **{f"{K}Name": name}, PolicyName="bad", PolicyDocument="{not json")
    assert (code, status) == ("MalformedPolicyDocument", 400), msg
    delete(**{f"{K}Name": name}, PolicyName="p1")
    assert lst(**{f"{K}Name": name})["PolicyNames"] == ["p2"]
    assert expect_error(get, **{f"{K}Name": name}, PolicyName="p1")[0] == "NoSuchEntity"
    assert expect_error(delete, **{f"{K}Name": name}, PolicyName="p1")[0] == "NoSuchEntity"


def test_inline_policy_document_returned_exactly_as_sent(shared_server, iam):
    name, _, _ = make_user(iam, keys=False)
    text = '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}\n}'
    iam.put_user_policy(UserName=name, PolicyName="exact", PolicyDocument=text)
    r = raw_request(shared_server, {"Action": "GetUserPolicy", "Version": IAM_VERSION, "UserName": name,
                                    "PolicyName": "exact"})
    assert r.status == 200, r
    encoded = re.search(r"<PolicyDocument>(.*?)</PolicyDocument>", r.text, re.S).group(1)
    assert "+" not in encoded  # spaces as %20, never '+'
    assert urllib.parse.unquote(encoded) == text


# ------------------------------------------------------------------------------- managed policies

def test_managed_policy_versions(iam, acct):
    name = unique("mp")
    doc = allow("iam:GetUser")
    p = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc), Description="d", Path="/team/")["Policy"]
    arn = f"arn:aws:iam::{acct}:policy/team/{name}"
    assert p["Arn"] == arn and p["DefaultVersionId"] == "v1" and p["AttachmentCount"] == 0
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", p["PolicyId"]), p["PolicyId"]
    assert expect_error(iam.create_policy, PolicyName=name, PolicyDocument=json.dumps(doc))[0] == "EntityAlreadyExists"
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["PolicyName"] == name and got["Description"] == "d"
    v1 = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert v1["Document"] == doc and v1["IsDefaultVersion"] is True

    for i in range(2, 6):
        v = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow(f"iam:List{i}")))["PolicyVersion"]
        assert v["VersionId"] == f"v{i}" and v["IsDefaultVersion"] is False
    code, msg, status = expect_error(iam.create_policy_version, PolicyArn=arn,
                                     PolicyDocument=json.dumps(allow("iam:ListUsers")))
    assert (code, status) == ("LimitExceeded", 409), msg
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v2", "v3", "v4", "v5"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v1"]

    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    code, msg, status = expect_error(iam.delete_policy_version, PolicyArn=arn, VersionId="v3")
    assert (code, status) == ("DeleteConflict", 409), msg
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert expect_error(iam.get_policy_version, PolicyArn=arn, VersionId="v1")[0] == "NoSuchEntity"
    v6 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow("iam:ListRoles")),
                                   SetAsDefault=True)["PolicyVersion"]
    assert v6["VersionId"] == "v6" and v6["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"
    assert expect_error(iam.set_default_policy_version, PolicyArn=arn, VersionId="v1")[0] == "NoSuchEntity"

    # DeletePolicy needs the other versions gone first.
    assert expect_error(iam.delete_policy, PolicyArn=arn)[0] == "DeleteConflict"
    for v in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    iam.delete_policy(PolicyArn=arn)
    assert expect_error(iam.get_policy, PolicyArn=arn)[:2] == ("NoSuchEntity", f"Policy {arn} was not found.")


def test_managed_policy_attachments(iam, acct):
    arn = iam.create_policy(PolicyName=unique("mp"), PolicyDocument=json.dumps(allow("iam:GetUser")))["Policy"]["Arn"]
    user, _, _ = make_user(iam, keys=False)
    group = unique("grp")
    iam.create_group(GroupName=group)
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"))
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]] == [arn]
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]] == [arn]
    assert sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]) == \
        sorted([arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"])
    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in ents["PolicyUsers"]] == [user]
    assert [g["GroupName"] for g in ents["PolicyGroups"]] == [group]
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == [role]
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles.get("PolicyUsers", []) == [] and [r["RoleName"] for r in only_roles["PolicyRoles"]] == [role]
    code, msg, status = expect_error(iam.delete_policy, PolicyArn=arn)
    assert (code, msg, status) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    assert expect_error(iam.delete_role, RoleName=role)[0] == "DeleteConflict"

    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.detach_group_policy(GroupName=group, PolicyArn=arn)
    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    assert expect_error(iam.detach_user_policy, UserName=user, PolicyArn=arn)[0] == "NoSuchEntity"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
    iam.delete_policy(PolicyArn=arn)
    missing = f"arn:aws:iam::{acct}:policy/{unique('none')}"
    assert expect_error(iam.attach_user_policy, UserName=user, PolicyArn=missing)[0] == "NoSuchEntity"


def test_aws_managed_policies_are_listed(iam):
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS")
    policies = {p["PolicyName"]: p for page in pages for p in page["Policies"]}
    for name in ("AdministratorAccess", "ReadOnlyAccess", "IAMFullAccess", "IAMReadOnlyAccess"):
        assert name in policies, sorted(policies)
        assert policies[name]["Arn"] == f"arn:aws:iam::aws:policy/{name}"
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in policies.values())
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    doc = iam.get_policy_version(PolicyArn=admin["Arn"], VersionId=admin["DefaultVersionId"])["PolicyVersion"]["Document"]
    stmts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    assert {"Effect": "Allow", "Action": "*", "Resource": "*"} in stmts
    local = unique("mp")
    iam.create_policy(PolicyName=local, PolicyDocument=json.dumps(allow("iam:GetUser")))
    local_names = {p["PolicyName"] for page in iam.get_paginator("list_policies").paginate(Scope="Local")
                   for p in page["Policies"]}
    assert local in local_names and "AdministratorAccess" not in local_names
    # AWS managed policies cannot be changed.
    assert expect_error(iam.delete_policy, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")[0] in \
        ("AccessDenied", "UnmodifiableEntity", "InvalidInput")


# ------------------------------------------------------------------------------------------- tags

def test_tags_on_users_and_roles(iam, acct):
    name = unique("tag")
    u = iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "data"}])["User"]
    assert u["Tags"] == [{"Key": "team", "Value": "data"}]
    iam.tag_user(UserName=name, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "TEAM", "Value": "infra"}])
    tags = {t["Key"].lower(): t["Value"] for t in iam.list_user_tags(UserName=name)["Tags"]}
    assert tags == {"team": "infra", "env": "prod"}  # keys ignore case: TEAM replaced team
    iam.untag_user(UserName=name, TagKeys=["env"])
    assert [t["Value"] for t in iam.list_user_tags(UserName=name)["Tags"]] == ["infra"]
    assert len(iam.get_user(UserName=name)["User"]["Tags"]) == 1

    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"),
                    Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_role(RoleName=role, Tags=[{"Key": "b", "Value": "2"}])
    assert sorted((t["Key"], t["Value"]) for t in iam.list_role_tags(RoleName=role)["Tags"]) == [("a", "1"), ("b", "2")]
    iam.untag_role(RoleName=role, TagKeys=["a"])
    assert iam.get_role(RoleName=role)["Role"]["Tags"] == [{"Key": "b", "Value": "2"}]
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert expect_error(iam.tag_role, RoleName=role, Tags=too_many)[0] in ("LimitExceeded", "ValidationError")


# -------------------------------------------------------------------------------- login profiles

def test_login_profiles(iam):
    name, _, _ = make_user(iam, keys=False)
    password = "S3cret-Passw0rd-xyz"
    assert expect_error(iam.get_login_profile, UserName=name)[0] == "NoSuchEntity"
    captured = []
    handler = lambda http_response, **kw: captured.append(http_response.text)  # noqa: E731
    iam.meta.events.register("after-call.iam.*", handler)
    try:
        lp = iam.create_login_profile(UserName=name, Password=password, PasswordResetRequired=True)["LoginProfile"]
        assert lp["UserName"] == name and lp["PasswordResetRequired"] is True and "Password" not in lp
        assert expect_error(iam.create_login_profile, UserName=name, Password=password)[0] == "EntityAlreadyExists"
        got = iam.get_login_profile(UserName=name)["LoginProfile"]
        assert got["UserName"] == name and got["PasswordResetRequired"] is True and "Password" not in got
        iam.update_login_profile(UserName=name, Password=password + "2", PasswordResetRequired=False)
        assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    finally:
        iam.meta.events.unregister("after-call.iam.*", handler)
    assert captured and not any(password in body for body in captured)
    iam.delete_login_profile(UserName=name)
    assert expect_error(iam.get_login_profile, UserName=name)[0] == "NoSuchEntity"
    assert expect_error(iam.delete_login_profile, UserName=name)[0] == "NoSuchEntity"


# ------------------------------------------------------------------------------------- pagination

def test_pagination_with_markers_and_the_cli(server, tmp_path):
    iam = server.client("iam")
    names = [f"page-{i:02d}" for i in range(25)]
    for n in names:
        iam.create_user(UserName=n)
    seen, marker, pages = [], None, 0
    while True:
        kw = {"MaxItems": 10}
        if marker:
            kw["Marker"] = marker
        page = iam.list_users(**kw)
        pages += 1
        assert len(page["Users"]) <= 10
        seen += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        assert page["Marker"]
        marker = page["Marker"]
        assert pages < 10
    assert pages == 3
    assert sorted(seen) == sorted(names + ["admin"])
    assert len(seen) == len(set(seen)) == 26
    first = iam.list_users(MaxItems=10)
    assert first["IsTruncated"] is True and len(first["Users"]) == 10

    # The CLI follows the markers itself (it asks 100 at a time, so ask it for pages of 7).
    cli = Cli(tmp_path / "cli-home", {"AWS_CONFIG_FILE": server.admin_config,
                                      "AWS_SHARED_CREDENTIALS_FILE": server.admin_credentials,
                                      "AWS_PROFILE": "orchestera-admin"})
    (tmp_path / "cli-home").mkdir()
    out = cli.json("iam", "list-users", "--page-size", "7")
    assert sorted(u["UserName"] for u in out["Users"]) == sorted(names + ["admin"])
    out = cli.json("iam", "list-users")
    assert len(out["Users"]) == 26


def test_bad_marker_is_rejected(iam):
    code, msg, status = expect_error(iam.list_users, Marker="not-a-marker-we-gave-out!")
    assert status == 400 and code in ("InvalidInput", "ValidationError"), (code, msg)


# ------------------------------------------------------------------------------------- validation

def test_validation_messages(iam):
    code, msg, status = expect_error(iam.create_user, UserName="a:b")
    assert (code, status) == ("ValidationError", 400)
    assert msg == ("1 validation error detected: Value 'a:b' at 'userName' failed to satisfy constraint: "
                   f"Member must satisfy regular expression pattern: {NAME_PATTERN}")
    long = "x" * 65
    code, msg, status = expect_error(iam.create_user, UserName=long)
    assert (code, status) == ("ValidationError", 400)
    assert msg == (f"1 validation error detected: Value '{long}' at 'userName' failed to satisfy constraint: "
                   "Member must have length less than or equal to 64")
    assert iam.create_user(UserName="y" * 64)["User"]["UserName"] == "y" * 64
    code, msg, _ = expect_error(iam.create_group, GroupName="g/h")
    assert code == "ValidationError" and "'groupName'" in msg, msg


def test_missing_required_parameter_reaches_the_server(shared_server):
    r = raw_request(shared_server, {"Action": "CreateUser", "Version": IAM_VERSION})
    assert (r.status, r.code) == (400, "ValidationError"), r
    assert "Value null at 'userName' failed to satisfy constraint: Member must not be null" in r.message, r


def test_unknown_action_is_invalid_action(shared_server):
    r = raw_request(shared_server, {"Action": "FrobnicateUsers", "Version": IAM_VERSION})
    assert (r.status, r.code) == (400, "InvalidAction"), r
    assert "FrobnicateUsers" in r.message, r
    r = raw_request(shared_server, {"Version": IAM_VERSION})
    assert (r.status, r.code) == (400, "MissingAction"), r


def test_invalid_utf8_body_is_400_and_server_keeps_serving(shared_server, iam):
    for body in (b"Action=ListUsers&Version=2010-05-08&PathPrefix=%FF%FE%2F",
                 b"Action=ListUsers&Version=2010-05-08&PathPrefix=/\xff\xfe/"):
        r = raw_request(shared_server, body=body)
        assert r.status == 400, (body, r)
        assert r.code, r
    assert iam.get_user()["User"]["UserName"] == "admin"


def test_oversized_body_is_413_and_server_keeps_serving(shared_server, iam):
    big = "Action=ListUsers&Version=2010-05-08&PathPrefix=/" + "a" * (2 * 1024 * 1024) + "/"
    try:
        r = raw_request(shared_server, body=big)
        status = r.status
    except Exception as e:  # a server may answer early and close; the status is what matters
        pytest.fail(f"the 2 MB request got no HTTP answer: {e!r}")
    assert status == 413, r
    assert iam.get_user()["User"]["UserName"] == "admin"
    assert len(iam.list_users()["Users"]) >= 1


def test_account_summary_counts_users(iam):
    before = iam.get_account_summary()["SummaryMap"]
    assert isinstance(before["Users"], int) and before["Users"] >= 1
    make_user(iam, keys=False)
    after = iam.get_account_summary()["SummaryMap"]
    assert after["Users"] == before["Users"] + 1
    assert "Groups" in after and "Roles" in after and "Policies" in after


def test_account_summary_on_a_fresh_account(server):
    iam = server.client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] == 1  # the bootstrapped admin
    iam.create_user(UserName="second")
    assert iam.get_account_summary()["SummaryMap"]["Users"] == 2


# ------------------------------------------------------------------------ policy grammar and quotas

@pytest.mark.parametrize("doc,message", [
    ("{not json", "Syntax errors in policy."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]},
     "Policy statement must contain actions."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser"}]},
     "Policy statement must contain resources."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                                               "Principal": {"AWS": "*"}}]},
     "Policy document should not specify a principal."),
    ({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
        {"Sid": "A", "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]},
     "Statement IDs (SID) in a single policy must be unique."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "GetUser", "Resource": "*"}]},
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "user/bob"}]},
     'Resource user/bob must be in ARN format or "*".'),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "iam:GetUser", "Resource": "*"}]}, None),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                                               "Condition": {"StringEqualz": {"aws:username": "x"}}}]}, None),
], ids=["syntax", "no-action", "no-resource", "principal", "dup-sid", "no-vendor", "resource-arn", "effect",
        "operator"])
def test_malformed_identity_policies(iam, doc, message):
    name = unique("mal")
    iam.create_user(UserName=name)
    text = doc if isinstance(doc, str) else json.dumps(doc)
    code, msg, status = expect_error(iam.put_user_policy, UserName=name, PolicyName="p", PolicyDocument=text)
    assert (code, status) == ("MalformedPolicyDocument", 400), (code, msg)
    if message:
        assert msg == message
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == []
    assert expect_error(iam.create_policy, PolicyName=unique("mp"), PolicyDocument=text)[0] == "MalformedPolicyDocument"


def test_trust_policy_grammar(iam, acct):
    with_resource = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole",
        "Resource": "*"}]})
    code, msg, _ = expect_error(iam.create_role, RoleName=unique("role"), AssumeRolePolicyDocument=with_resource)
    assert (code, msg) == ("MalformedPolicyDocument", "Has prohibited field Resource.")
    no_principal = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]})
    code, msg, _ = expect_error(iam.create_role, RoleName=unique("role"), AssumeRolePolicyDocument=no_principal)
    assert code == "MalformedPolicyDocument" and "Principal" in msg, msg


def test_inline_policy_size_limit_for_users(iam):
    name = unique("big")
    iam.create_user(UserName=name)

    def doc(n_actions):
        return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*",
                                                                   "Action": [f"iam:GetUser{i:04d}" for i in range(n_actions)]}]})
    small = doc(40)  # ~720 characters without whitespace
    iam.put_user_policy(UserName=name, PolicyName="a", PolicyDocument=small)
    iam.put_user_policy(UserName=name, PolicyName="b", PolicyDocument=small)
    code, msg, status = expect_error(iam.put_user_policy, UserName=name, PolicyName="c", PolicyDocument=small)
    assert (code, msg, status) == ("LimitExceeded", f"Maximum policy size of 2048 bytes exceeded for user {name}", 409)
    # Whitespace does not count: 2 x 803 + 263 characters fit, although the raw texts do not.
    padded = json.dumps(json.loads(doc(10)), indent=8)
    assert 2 * len(small) + len(padded) > 2048
    iam.put_user_policy(UserName=name, PolicyName="c", PolicyDocument=padded)
    assert sorted(iam.list_user_policies(UserName=name)["PolicyNames"]) == ["a", "b", "c"]


def test_attached_policy_and_group_quotas(iam):
    name = unique("quota")
    iam.create_user(UserName=name)
    arns = [iam.create_policy(PolicyName=unique("q"), PolicyDocument=json.dumps(allow("iam:GetUser")))["Policy"]["Arn"]
            for _ in range(11)]
    for arn in arns[:10]:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    code, msg, status = expect_error(iam.attach_user_policy, UserName=name, PolicyArn=arns[10])
    assert (code, msg, status) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10", 409)
    groups = [unique("qg") for _ in range(11)]
    for g in groups:
        iam.create_group(GroupName=g)
    for g in groups[:10]:
        iam.add_user_to_group(GroupName=g, UserName=name)
    code, msg, status = expect_error(iam.add_user_to_group, GroupName=groups[10], UserName=name)
    assert (code, msg, status) == ("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)


def test_renamed_user_keeps_keys_groups_and_policies(shared_server, iam, acct):
    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="ro", PolicyDocument=json.dumps(allow("iam:ListRoles")))
    own = allow("iam:ListAccessKeys", f"arn:aws:iam::{acct}:user/${{aws:username}}")
    name, key, secret = make_user(iam, inline={"own": own}, groups=[group])
    new = unique("renamed")
    iam.update_user(UserName=name, NewUserName=new)
    me = shared_server.client("iam", key, secret)
    assert shared_server.client("sts", key, secret).get_caller_identity()["Arn"] == f"arn:aws:iam::{acct}:user/{new}"
    assert [k["AccessKeyId"] for k in me.list_access_keys(UserName=new)["AccessKeyMetadata"]] == [key]
    assert me.list_roles()["Roles"] is not None
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [new]
    assert iam.list_user_policies(UserName=new)["PolicyNames"] == ["own"]
    assert iam.get_access_key_last_used(AccessKeyId=key)["UserName"] == new


def test_role_delete_conflicts_and_update_description(iam, acct):
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"))
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(allow("iam:GetUser")))
    code, msg, status = expect_error(iam.delete_role, RoleName=role)
    assert (code, msg, status) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName=role, PolicyName="p")
    out = iam.update_role_description(RoleName=role, Description="described")["Role"]
    assert out["Description"] == "described" and out["RoleName"] == role
    iam.delete_role(RoleName=role)
    assert expect_error(iam.get_role, RoleName=role)[0] == "NoSuchEntity"


def test_get_group_pages_its_members(iam):
    g = unique("big-grp")
    iam.create_group(GroupName=g)
    members = []
    for i in range(5):
        n, _, _ = make_user(iam, f"{g}-m{i}", keys=False)
        iam.add_user_to_group(GroupName=g, UserName=n)
        members.append(n)
    page = iam.get_group(GroupName=g, MaxItems=2)
    assert page["IsTruncated"] is True and len(page["Users"]) == 2 and page["Group"]["GroupName"] == g
    full = iam.get_paginator("get_group").paginate(GroupName=g, PaginationConfig={"PageSize": 2}).build_full_result()
    assert sorted(u["UserName"] for u in full["Users"]) == sorted(members)


def test_path_and_max_items_validation(shared_server, iam):
    code, msg, _ = expect_error(iam.create_user, UserName=unique("p"), Path="no-slashes")
    assert code == "ValidationError" and "'path'" in msg, msg
    r = raw_request(shared_server, {"Action": "ListUsers", "Version": IAM_VERSION, "MaxItems": "0"})
    assert (r.status, r.code) == (400, "ValidationError"), r
    r = raw_request(shared_server, {"Action": "ListUsers", "Version": IAM_VERSION, "MaxItems": "1001"})
    assert (r.status, r.code) == (400, "ValidationError"), r


def test_concurrent_creates_of_one_name_have_one_winner(shared_server):
    import threading
    name = unique("race")
    clients = [shared_server.client("iam") for _ in range(8)]
    results = []
    barrier = threading.Barrier(8)

    def go(c):
        barrier.wait()
        try:
            c.create_user(UserName=name if len(results) % 2 else name.upper())
            results.append("ok")
        except Exception as e:  # noqa: BLE001
            results.append(err(e)[0])

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["EntityAlreadyExists"] * 7 + ["ok"], results
    users = [u for page in clients[0].get_paginator("list_users").paginate() for u in page["Users"]
             if u["UserName"].lower() == name.lower()]
    assert len(users) == 1


# ------------------------------------------------------------------------------ wire-format details

def test_query_get_requests_are_served(shared_server):
    r = raw_request(shared_server, {"Action": "GetUser", "Version": IAM_VERSION, "UserName": "admin"}, method="GET")
    assert r.status == 200, r
    assert "<UserName>admin</UserName>" in r.text and "<GetUserResult>" in r.text


def test_names_with_every_allowed_punctuation_round_trip(shared_server, iam, acct):
    name = "x+y=z,w.v@u-t_" + unique("s")[-6:]
    u = iam.create_user(UserName=name)["User"]
    assert u["UserName"] == name and u["Arn"] == f"arn:aws:iam::{acct}:user/{name}"
    assert iam.get_user(UserName=name)["User"]["UserName"] == name
    # A literal '+' in the form is a space, so the name with a space does not exist.
    r = raw_request(shared_server, body=f"Action=GetUser&Version={IAM_VERSION}&UserName=" +
                    urllib.parse.quote(name, safe="+"))
    assert r.code in ("NoSuchEntity", "ValidationError"), r


def test_text_with_xml_specials_and_latin1_round_trips(iam, acct):
    role = unique("role")
    desc = "Tom & Jerry's <role> \"quoted\" café ÿ"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"), Description=desc,
                    Tags=[{"Key": "owner", "Value": "José Müller"}])
    got = iam.get_role(RoleName=role)["Role"]
    assert got["Description"] == desc
    assert got["Tags"] == [{"Key": "owner", "Value": "José Müller"}]
    doc = allow("iam:GetUser", condition={"StringEquals": {"aws:PrincipalTag/owner": "José Müller & <co>"}})
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(doc, ensure_ascii=False))
    assert iam.get_role_policy(RoleName=role, PolicyName="p")["PolicyDocument"] == doc


def test_empty_list_parameter_is_an_empty_list(shared_server):
    r = raw_request(shared_server, {"Action": "CreateUser", "Version": IAM_VERSION, "UserName": unique("e2"),
                                    "Tags": ""})
    assert r.status == 200, r
    assert "<Tags>" not in r.text or "<Tags></Tags>" in r.text or "<Tags/>" in r.text
