"""Policy evaluation, end to end: every call below is signed by a real principal and decided by
the server's evaluator (identity policies, explicit deny, variables, conditions, boundaries,
session policies, role chaining)."""
import json

import pytest

from conftest import account_id, allow, expect_error, make_user, trust, unique

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_RO = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


@pytest.fixture(scope="module")
def iam(shared_server):
    return shared_server.client("iam")


@pytest.fixture(scope="module")
def acct(shared_server):
    return account_id(shared_server)


def as_user(server, key, secret, service="iam"):
    return server.client(service, key, secret)


def denied(fn, *args, **kwargs):
    code, msg, status = expect_error(fn, *args, **kwargs)
    assert (code, status) == ("AccessDenied", 403), (code, msg, status)
    return msg


def assume(server, role_arn, creds=None, **kw):
    out = server.client("sts", *(creds or ())).assume_role(RoleArn=role_arn, RoleSessionName=kw.pop("name", "s1"), **kw)
    c = out["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), out


def make_role(iam, acct, *, managed=(), inline=None, max_duration=None, principal=None):
    name = unique("role")
    kw = {"MaxSessionDuration": max_duration} if max_duration else {}
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal or f"arn:aws:iam::{acct}:root"), **kw)
    for arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    for pname, doc in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=pname, PolicyDocument=json.dumps(doc))
    return name, f"arn:aws:iam::{acct}:role/{name}"


def test_user_without_policies_is_denied_with_the_aws_message(shared_server, iam, acct):
    name, key, secret = make_user(iam)
    msg = denied(as_user(shared_server, key, secret).list_users)
    prefix = f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: iam:ListUsers on resource: *"
    assert msg.startswith(prefix), msg
    reason = msg[len(prefix):]
    assert reason.startswith(" ") and "no identity-based policy allows" in reason, msg
    assert reason.strip() == "because no identity-based policy allows the iam:ListUsers action", msg
    # GetCallerIdentity needs no permission.
    assert as_user(shared_server, key, secret, "sts").get_caller_identity()["Arn"].endswith(f":user/{name}")


def test_read_only_user_can_list_but_not_create(shared_server, iam, acct):
    name, key, secret = make_user(iam, managed=[IAM_RO])
    ro = as_user(shared_server, key, secret)
    assert any(u["UserName"] == name for u in ro.get_paginator("list_users").paginate().build_full_result()["Users"])
    assert ro.get_user(UserName="admin")["User"]["UserName"] == "admin"
    target = unique("nope")
    msg = denied(ro.create_user, UserName=target)
    assert msg.startswith(f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: iam:CreateUser "
                          "on resource: "), msg
    assert target in msg, msg
    assert expect_error(iam.get_user, UserName=target)[0] == "NoSuchEntity"


def test_group_policies_apply_to_members(shared_server, iam):
    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.attach_group_policy(GroupName=group, PolicyArn=IAM_RO)
    name, key, secret = make_user(iam, groups=[group])
    assert as_user(shared_server, key, secret).list_roles()["Roles"] is not None
    iam.remove_user_from_group(GroupName=group, UserName=name)
    denied(as_user(shared_server, key, secret).list_roles)


def test_explicit_deny_beats_administrator_access(shared_server, iam, acct):
    name, key, secret = make_user(iam, managed=[ADMIN],
                                  inline={"no-user-listing": allow("iam:ListUsers", effect="Deny")})
    me = as_user(shared_server, key, secret)
    assert me.list_roles()["Roles"] is not None  # everything else is still allowed
    msg = denied(me.list_users)
    assert msg.startswith(f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: iam:ListUsers "
                          "on resource: *"), msg
    assert "explicit deny" in msg, msg
    assert "with an explicit deny in an identity-based policy" in msg, msg


def test_deny_in_a_group_policy_beats_allow_on_the_user(shared_server, iam):
    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="deny", PolicyDocument=json.dumps(allow("iam:*", effect="Deny")))
    _, key, secret = make_user(iam, managed=[ADMIN], groups=[group])
    assert "explicit deny" in denied(as_user(shared_server, key, secret).list_users)


def test_policy_variables_let_users_manage_only_their_own_keys(shared_server, iam, acct):
    doc = allow(["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey"],
                f"arn:aws:iam::{acct}:user/${{aws:username}}")
    name, key, secret = make_user(iam, inline={"own-keys": doc})
    other, other_key, _ = make_user(iam)
    me = as_user(shared_server, key, secret)

    assert [k["AccessKeyId"] for k in me.list_access_keys(UserName=name)["AccessKeyMetadata"]] == [key]
    assert [k["AccessKeyId"] for k in me.list_access_keys()["AccessKeyMetadata"]] == [key]  # defaults to self
    new = me.create_access_key(UserName=name)["AccessKey"]
    assert new["UserName"] == name
    me.delete_access_key(UserName=name, AccessKeyId=new["AccessKeyId"])

    msg = denied(me.list_access_keys, UserName=other)
    assert f"is not authorized to perform: iam:ListAccessKeys on resource: " in msg and other in msg, msg
    denied(me.create_access_key, UserName=other)
    denied(me.delete_access_key, UserName=other, AccessKeyId=other_key)
    assert len(iam.list_access_keys(UserName=other)["AccessKeyMetadata"]) == 1
    # Other actions on itself are not granted.
    denied(me.get_user, UserName=name)


def test_variables_need_version_2012(shared_server, iam, acct):
    doc = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListAccessKeys",
                                                    "Resource": f"arn:aws:iam::{acct}:user/${{aws:username}}"}]}
    name, key, secret = make_user(iam, inline={"old": doc})
    denied(as_user(shared_server, key, secret).list_access_keys, UserName=name)


def test_source_ip_conditions(shared_server, iam):
    loopback = {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}
    _, key, secret = make_user(iam, inline={"p": allow("iam:ListUsers", condition=loopback)})
    assert as_user(shared_server, key, secret).list_users()["Users"]

    not_loopback = {"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}
    _, key, secret = make_user(iam, inline={"p": allow("iam:ListUsers", condition=not_loopback)})
    assert "no identity-based policy allows" in denied(as_user(shared_server, key, secret).list_users)

    elsewhere = {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.1.7"]}}
    _, key, secret = make_user(iam, inline={"p": allow("iam:ListUsers", condition=elsewhere)})
    denied(as_user(shared_server, key, secret).list_users)

    # An admin whose keys may only be used from 10.0.0.0/8: a Deny with NotIpAddress.
    only_from_office = allow("*", effect="Deny", condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    _, key, secret = make_user(iam, managed=[ADMIN], inline={"office": only_from_office})
    assert "explicit deny" in denied(as_user(shared_server, key, secret).list_users)


def test_string_conditions_on_principal_tags(shared_server, iam):
    cond = {"StringEquals": {"aws:PrincipalTag/team": "data"}}
    name, key, secret = make_user(iam, inline={"p": allow("iam:ListRoles", condition=cond)})
    denied(as_user(shared_server, key, secret).list_roles)
    iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "data"}])
    assert as_user(shared_server, key, secret).list_roles()["Roles"] is not None


def test_permissions_boundary_limits_an_admin(shared_server, iam, acct):
    name, key, secret = make_user(iam, managed=[ADMIN], boundary=IAM_RO)
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"] == \
        {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": IAM_RO}
    me = as_user(shared_server, key, secret)
    assert me.list_users()["Users"]
    target = unique("nope")
    msg = denied(me.create_user, UserName=target)
    assert msg.startswith(f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: iam:CreateUser"), msg
    assert "permissions boundary" in msg, msg
    # The boundary grants nothing on its own.
    _, key2, secret2 = make_user(iam, boundary=IAM_RO)
    assert "no identity-based policy allows" in denied(as_user(shared_server, key2, secret2).list_users)
    # Removing the boundary restores the admin.
    iam.delete_user_permissions_boundary(UserName=name)
    me.create_user(UserName=target)
    assert iam.get_user(UserName=target)["User"]["UserName"] == target


def test_session_policy_narrows_the_session(shared_server, iam, acct):
    _, role_arn = make_role(iam, acct, managed=[ADMIN])
    creds, out = assume(shared_server, role_arn, Policy=json.dumps(allow("iam:ListUsers")))
    assert isinstance(out.get("PackedPolicySize"), int)
    session = shared_server.client("iam", *creds)
    assert session.list_users()["Users"]
    msg = denied(session.list_roles)
    assert msg.startswith(f"User: {out['AssumedRoleUser']['Arn']} is not authorized to perform: iam:ListRoles"), msg
    assert "session policy" in msg, msg
    # Without the session policy the same role can.
    creds, _ = assume(shared_server, role_arn)
    assert shared_server.client("iam", *creds).list_roles()["Roles"]
    # A session policy cannot widen the role.
    _, narrow_arn = make_role(iam, acct, inline={"ro": allow("iam:ListUsers")})
    creds, _ = assume(shared_server, narrow_arn, Policy=json.dumps(allow("*")))
    denied(shared_server.client("iam", *creds).list_roles)
    # A malformed session policy is refused.
    code, msg, status = expect_error(shared_server.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="x1",
                                     Policy='{"Statement": [')
    assert (code, status) == ("MalformedPolicyDocument", 400), msg


def test_role_session_identity_and_permissions(shared_server, iam, acct):
    role, role_arn = make_role(iam, acct, inline={"ro": allow("iam:ListUsers")})
    creds, out = assume(shared_server, role_arn, name="who-am-i")
    role_id = iam.get_role(RoleName=role)["Role"]["RoleId"]
    assert out["AssumedRoleUser"] == {"AssumedRoleId": f"{role_id}:who-am-i",
                                      "Arn": f"arn:aws:sts::{acct}:assumed-role/{role}/who-am-i"}
    ident = shared_server.client("sts", *creds).get_caller_identity()
    assert ident == {**ident, "Arn": f"arn:aws:sts::{acct}:assumed-role/{role}/who-am-i",
                     "UserId": f"{role_id}:who-am-i", "Account": acct}
    s = shared_server.client("iam", *creds)
    assert s.list_users()["Users"]
    msg = denied(s.list_roles)
    assert msg.startswith(f"User: arn:aws:sts::{acct}:assumed-role/{role}/who-am-i is not authorized to perform: "
                          "iam:ListRoles on resource: *"), msg


def test_role_chaining_is_limited_to_one_hour(shared_server, iam, acct):
    _, first = make_role(iam, acct, managed=[ADMIN])
    _, second = make_role(iam, acct, managed=[ADMIN], max_duration=43200)
    creds, _ = assume(shared_server, first)
    code, msg, status = expect_error(shared_server.client("sts", *creds).assume_role, RoleArn=second,
                                     RoleSessionName="chained", DurationSeconds=7200)
    assert (code, msg, status) == ("ValidationError", "The requested DurationSeconds exceeds the 1 hour session "
                                   "limit for roles assumed by role chaining.", 400)
    chained, out = assume(shared_server, second, creds, name="chained", DurationSeconds=3600)
    assert out["AssumedRoleUser"]["Arn"].endswith("/chained")
    assert shared_server.client("sts", *chained).get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]
    # The same duration is fine straight from a user.
    _, out = assume(shared_server, second, DurationSeconds=7200)
    assert out["Credentials"]["Expiration"]


def test_duration_above_max_session_duration(shared_server, iam, acct):
    _, role_arn = make_role(iam, acct, managed=[ADMIN])  # MaxSessionDuration 3600
    code, msg, status = expect_error(shared_server.client("sts").assume_role, RoleArn=role_arn,
                                     RoleSessionName="too-long", DurationSeconds=7200)
    assert (code, msg, status) == ("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration "
                                   "set for this role.", 400)
    _, out = assume(shared_server, role_arn, DurationSeconds=3600)
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_trust_naming_one_user_admits_only_that_user(shared_server, iam, acct):
    alice, akey, asecret = make_user(iam)  # no policies: the trust names her directly
    _, bkey, bsecret = make_user(iam, managed=[ADMIN])
    _, role_arn = make_role(iam, acct, inline={"ro": allow("iam:ListUsers")},
                            principal=f"arn:aws:iam::{acct}:user/{alice}")
    _, out = assume(shared_server, role_arn, (akey, asecret))
    assert out["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{acct}:assumed-role/")
    # Bob is an administrator, but the trust does not name him: identity policies allowing
    # sts:AssumeRole are not enough when the trust names someone else.
    code, msg, _ = expect_error(shared_server.client("sts", bkey, bsecret).assume_role, RoleArn=role_arn,
                                RoleSessionName="bob")
    assert code == "AccessDenied", (code, msg)
    assert f"is not authorized to perform: sts:AssumeRole on resource: {role_arn}" in msg, msg


def test_assume_role_denial_message_says_which_policy_decided(shared_server, iam, acct):
    """The sts:AssumeRole denial starts exactly as AWS words it
    (`User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role ARN>`) and then,
    better than AWS, says which kind of policy decided."""
    name, key, secret = make_user(iam)
    _, role_arn = make_role(iam, acct)  # trusts the account; the user's own policies allow nothing
    code, msg, status = expect_error(shared_server.client("sts", key, secret).assume_role, RoleArn=role_arn,
                                     RoleSessionName="nope")
    assert (code, status) == ("AccessDenied", 403)
    assert msg == (f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: sts:AssumeRole "
                   f"on resource: {role_arn} because no identity-based policy allows the sts:AssumeRole action")


def test_assume_missing_role_is_access_denied(shared_server, acct):
    arn = f"arn:aws:iam::{acct}:role/{unique('missing')}"
    code, msg, status = expect_error(shared_server.client("sts").assume_role, RoleArn=arn, RoleSessionName="x1")
    assert (code, status) == ("AccessDenied", 403)
    assert msg == (f"User: arn:aws:iam::{acct}:user/admin is not authorized to perform: sts:AssumeRole on resource: {arn}"
                   " because no resource-based policy allows the sts:AssumeRole action")


def test_deleting_a_role_revokes_its_sessions_at_once(shared_server, iam, acct):
    role, role_arn = make_role(iam, acct, managed=[ADMIN], inline={"x": allow("iam:ListUsers")})
    creds, _ = assume(shared_server, role_arn)
    session_iam = shared_server.client("iam", *creds)
    session_sts = shared_server.client("sts", *creds)
    assert session_iam.list_users()["Users"]
    iam.detach_role_policy(RoleName=role, PolicyArn=ADMIN)
    iam.delete_role_policy(RoleName=role, PolicyName="x")
    iam.delete_role(RoleName=role)
    assert expect_error(session_iam.list_users) == \
        ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    assert expect_error(session_sts.get_caller_identity)[0] == "InvalidClientTokenId"
    # Re-creating a role of the same name does not bring the old session back.
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"))
    iam.attach_role_policy(RoleName=role, PolicyArn=ADMIN)
    assert expect_error(session_iam.list_users)[0] == "InvalidClientTokenId"


def test_role_policy_changes_apply_to_live_sessions(shared_server, iam, acct):
    role, role_arn = make_role(iam, acct, inline={"ro": allow("iam:ListUsers")})
    creds, _ = assume(shared_server, role_arn)
    s = shared_server.client("iam", *creds)
    assert s.list_users()["Users"]
    iam.delete_role_policy(RoleName=role, PolicyName="ro")
    denied(s.list_users)


def test_action_matching_is_case_insensitive_and_wildcarded(shared_server, iam):
    _, key, secret = make_user(iam, inline={"p": allow(["IAM:listusers", "iam:?etUser", "iam:ListR*"])})
    me = as_user(shared_server, key, secret)
    assert me.list_users()["Users"]
    assert me.get_user(UserName="admin")["User"]
    assert me.list_roles()["Roles"] is not None
    denied(me.list_groups)


def test_not_action(shared_server, iam):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"}]}
    _, key, secret = make_user(iam, inline={"p": doc})
    me = as_user(shared_server, key, secret)
    assert me.list_users()["Users"]
    denied(me.create_user, UserName=unique("nope"))


def test_resource_wildcards_cross_path_segments(shared_server, iam, acct):
    _, key, secret = make_user(iam, inline={"p": allow("iam:GetUser", f"arn:aws:iam::{acct}:user/team/*")})
    deep = unique("deep")
    iam.create_user(UserName=deep, Path="/team/sub/")
    flat = unique("flat")
    iam.create_user(UserName=flat)
    me = as_user(shared_server, key, secret)
    assert me.get_user(UserName=deep)["User"]["UserName"] == deep
    msg = denied(me.get_user, UserName=flat)
    assert flat in msg, msg


def test_username_variable_grants_nothing_to_role_sessions(shared_server, iam, acct):
    doc = allow(["iam:GetUser", "iam:ListAccessKeys"], f"arn:aws:iam::{acct}:user/${{aws:username}}")
    _, role_arn = make_role(iam, acct, inline={"p": doc})
    creds, _ = assume(shared_server, role_arn)
    s = shared_server.client("iam", *creds)
    for target in ("admin", "s1"):
        denied(s.get_user, UserName=target)


def test_condition_key_names_ignore_case(shared_server, iam):
    cond = {"IpAddress": {"AWS:sourceip": "127.0.0.1"}}
    _, key, secret = make_user(iam, inline={"p": allow("iam:ListUsers", condition=cond)})
    assert as_user(shared_server, key, secret).list_users()["Users"]


def test_mfa_keys_are_absent_for_long_term_keys(shared_server, iam):
    # Bool on an absent key is false, so this Deny does not apply to a long-term key...
    deny_bool = allow("iam:ListUsers", effect="Deny", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    _, key, secret = make_user(iam, managed=[ADMIN], inline={"d": deny_bool})
    assert as_user(shared_server, key, secret).list_users()["Users"]
    # ...while BoolIfExists treats the absent key as matching, and denies.
    deny_ifexists = allow("iam:ListUsers", effect="Deny",
                          condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    _, key, secret = make_user(iam, managed=[ADMIN], inline={"d": deny_ifexists})
    assert "explicit deny" in denied(as_user(shared_server, key, secret).list_users)


def test_null_and_for_all_values_conditions(shared_server, iam):
    # Null: aws:TokenIssueTime exists only with temporary credentials.
    only_temp = allow("iam:ListUsers", condition={"Null": {"aws:TokenIssueTime": "false"}})
    _, key, secret = make_user(iam, inline={"p": only_temp})
    denied(as_user(shared_server, key, secret).list_users)
    only_long_term = allow("iam:ListUsers", condition={"Null": {"aws:TokenIssueTime": "true"}})
    _, key, secret = make_user(iam, inline={"p": only_long_term})
    assert as_user(shared_server, key, secret).list_users()["Users"]
    # ForAllValues holds when the key is absent (no tags on this request).
    fav = allow("iam:ListUsers", condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
    _, key, secret = make_user(iam, inline={"p": fav})
    assert as_user(shared_server, key, secret).list_users()["Users"]
    fany = allow("iam:ListUsers", condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})
    _, key, secret = make_user(iam, inline={"p": fany})
    denied(as_user(shared_server, key, secret).list_users)


def test_request_tag_conditions_on_create(shared_server, iam, acct):
    cond = {"StringEquals": {"aws:RequestTag/team": "data"}}
    _, key, secret = make_user(iam, inline={"p": allow(["iam:CreateUser", "iam:TagUser"], condition=cond)})
    me = as_user(shared_server, key, secret)
    ok = unique("tagged")
    me.create_user(UserName=ok, Tags=[{"Key": "team", "Value": "data"}])
    assert iam.get_user(UserName=ok)["User"]["Tags"] == [{"Key": "team", "Value": "data"}]
    denied(me.create_user, UserName=unique("untagged"))
    denied(me.create_user, UserName=unique("wrongtag"), Tags=[{"Key": "team", "Value": "web"}])


def test_date_and_secure_transport_conditions(shared_server, iam):
    past = {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, "Bool": {"aws:SecureTransport": "true"}}
    _, key, secret = make_user(iam, inline={"p": allow("iam:ListUsers", condition=past)})
    assert as_user(shared_server, key, secret).list_users()["Users"]
    future = {"DateGreaterThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}}
    _, key, secret = make_user(iam, inline={"p": allow("iam:ListUsers", condition=future)})
    denied(as_user(shared_server, key, secret).list_users)


def test_managed_policy_default_version_applies_at_once(shared_server, iam):
    arn = iam.create_policy(PolicyName=unique("mp"), PolicyDocument=json.dumps(allow("iam:ListUsers")))["Policy"]["Arn"]
    _, key, secret = make_user(iam, managed=[arn])
    me = as_user(shared_server, key, secret)
    assert me.list_users()["Users"]
    denied(me.list_roles)
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow("iam:ListRoles")), SetAsDefault=True)
    assert me.list_roles()["Roles"] is not None
    denied(me.list_users)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert me.list_users()["Users"]


def test_role_permissions_boundary_limits_its_sessions(shared_server, iam, acct):
    role, role_arn = make_role(iam, acct, managed=[ADMIN])
    iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=IAM_RO)
    creds, _ = assume(shared_server, role_arn)
    s = shared_server.client("iam", *creds)
    assert s.list_users()["Users"]
    assert "permissions boundary" in denied(s.create_user, UserName=unique("nope"))


def test_session_policy_arns_narrow_the_session(shared_server, iam, acct):
    _, role_arn = make_role(iam, acct, managed=[ADMIN])
    creds, _ = assume(shared_server, role_arn, PolicyArns=[{"arn": IAM_RO}])
    s = shared_server.client("iam", *creds)
    assert s.list_users()["Users"]
    assert "session policy" in denied(s.create_user, UserName=unique("nope"))


def test_trust_conditions_external_id(shared_server, iam, acct):
    _, role_arn = make_role(iam, acct, principal=None)
    role = role_arn.split("/")[-1]
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust(
        f"arn:aws:iam::{acct}:root", condition={"StringEquals": {"sts:ExternalId": "s3cr3t-id"}}))
    sts = shared_server.client("sts")
    denied(sts.assume_role, RoleArn=role_arn, RoleSessionName="no-ext")
    denied(sts.assume_role, RoleArn=role_arn, RoleSessionName="bad-ext", ExternalId="wrong-id")
    assert sts.assume_role(RoleArn=role_arn, RoleSessionName="ok-ext", ExternalId="s3cr3t-id")["Credentials"]


def test_explicit_deny_in_trust_policy(shared_server, iam, acct):
    name, key, secret = make_user(iam, managed=[ADMIN])
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{acct}:user/{name}"}, "Action": "sts:AssumeRole"}]}
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(doc))
    arn = f"arn:aws:iam::{acct}:role/{role}"
    denied(shared_server.client("sts", key, secret).assume_role, RoleArn=arn, RoleSessionName="denied")
    assert shared_server.client("sts").assume_role(RoleArn=arn, RoleSessionName="admin-ok")["Credentials"]


def test_assumed_role_arn_drops_the_role_path(shared_server, iam, acct):
    role = unique("pathed")
    iam.create_role(RoleName=role, Path="/team/x/", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"))
    cond = {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{acct}:role/team/x/{role}"}}
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(allow("iam:ListUsers", condition=cond)))
    creds, out = assume(shared_server, f"arn:aws:iam::{acct}:role/team/x/{role}", name="pathy")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{acct}:assumed-role/{role}/pathy"
    # aws:PrincipalArn of the session is the role ARN with its path.
    assert shared_server.client("iam", *creds).list_users()["Users"]


def test_trust_principal_is_the_user_not_the_name(shared_server, iam, acct):
    """AWS stores trust principals as unique ids: a user deleted and re-created under the same
    name is not trusted any more."""
    name, key, secret = make_user(iam)
    role, role_arn = make_role(iam, acct, principal=f"arn:aws:iam::{acct}:user/{name}")
    assert shared_server.client("sts", key, secret).assume_role(RoleArn=role_arn, RoleSessionName="first")
    iam.delete_access_key(UserName=name, AccessKeyId=key)
    iam.delete_user(UserName=name)
    _, key2, secret2 = make_user(iam, name)
    denied(shared_server.client("sts", key2, secret2).assume_role, RoleArn=role_arn, RoleSessionName="second")


def test_get_session_token_credentials(shared_server, iam):
    name, key, secret = make_user(iam, managed=[ADMIN])
    c = shared_server.client("sts", key, secret).get_session_token(DurationSeconds=900)["Credentials"]
    creds = (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert creds[0].startswith("ASIA")
    ident = shared_server.client("sts", *creds).get_caller_identity()
    assert ident["Arn"].endswith(f":user/{name}")
    # Without MFA these credentials cannot call IAM, and cannot mint more session tokens.
    code, msg, _ = expect_error(shared_server.client("iam", *creds).list_users)
    assert code == "AccessDenied", (code, msg)
    code, msg, _ = expect_error(shared_server.client("sts", *creds).get_session_token)
    assert code == "AccessDenied", (code, msg)


def test_policy_change_on_one_user_does_not_leak_to_another(shared_server, iam):
    _, k1, s1 = make_user(iam, managed=[IAM_RO])
    n2, k2, s2 = make_user(iam, managed=[IAM_RO])
    iam.detach_user_policy(UserName=n2, PolicyArn=IAM_RO)
    assert as_user(shared_server, k1, s1).list_users()["Users"]
    denied(as_user(shared_server, k2, s2).list_users)


def test_assume_role_input_validation(shared_server, iam, acct):
    from conftest import STS_VERSION, raw_request
    _, role_arn = make_role(iam, acct)
    sts = shared_server.client("sts")
    code, msg, status = expect_error(sts.assume_role, RoleArn=role_arn, RoleSessionName="a b")
    assert (code, status) == ("ValidationError", 400)
    assert msg == ("1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: "
                   "Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    code, msg, _ = expect_error(sts.assume_role, RoleArn=role_arn, RoleSessionName="x" * 65)
    assert code == "ValidationError" and msg.endswith("Member must have length less than or equal to 64"), msg
    for seconds in ("899", "43201"):
        r = raw_request(shared_server, {"Action": "AssumeRole", "Version": STS_VERSION, "RoleArn": role_arn,
                                        "RoleSessionName": "dur", "DurationSeconds": seconds}, service="sts")
        assert (r.status, r.code) == (400, "ValidationError"), (seconds, r)
    r = raw_request(shared_server, {"Action": "AssumeRole", "Version": STS_VERSION, "RoleArn": role_arn}, service="sts")
    assert (r.status, r.code) == (400, "ValidationError"), r
    assert "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null" in r.message, r


def test_deleted_user_keys_and_sessions_stop_working(shared_server, iam):
    name, key, secret = make_user(iam, managed=[IAM_RO])
    c = shared_server.client("sts", key, secret).get_session_token(DurationSeconds=900)["Credentials"]
    tmp = shared_server.client("sts", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert tmp.get_caller_identity()["Arn"].endswith(f":user/{name}")
    iam.delete_access_key(UserName=name, AccessKeyId=key)
    iam.detach_user_policy(UserName=name, PolicyArn=IAM_RO)
    iam.delete_user(UserName=name)
    assert expect_error(tmp.get_caller_identity)[0] == "InvalidClientTokenId"


def test_session_tags_become_principal_tags(shared_server, iam, acct):
    role = unique("tagged-role")
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                                                   "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(doc), Tags=[{"Key": "team", "Value": "web"}])
    cond = {"StringEquals": {"aws:PrincipalTag/team": "data"}}
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(allow("iam:ListUsers", condition=cond)))
    arn = f"arn:aws:iam::{acct}:role/{role}"
    creds, _ = assume(shared_server, arn)  # role tag team=web: no
    denied(shared_server.client("iam", *creds).list_users)
    creds, _ = assume(shared_server, arn, Tags=[{"Key": "team", "Value": "data"}])  # session tag wins
    assert shared_server.client("iam", *creds).list_users()["Users"]


def test_session_tags_need_tag_session_in_the_trust(shared_server, iam, acct):
    _, role_arn = make_role(iam, acct)  # trust allows sts:AssumeRole only
    code, msg, _ = expect_error(shared_server.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="tags",
                                Tags=[{"Key": "team", "Value": "data"}])
    assert code == "AccessDenied", (code, msg)
    assert "sts:TagSession" in msg, msg


def test_trusted_user_renamed_still_trusted_deleted_shows_unique_id(shared_server, iam, acct):
    name, key, secret = make_user(iam)
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    role, role_arn = make_role(iam, acct, principal=f"arn:aws:iam::{acct}:user/{name}")
    new = unique("renamed")
    iam.update_user(UserName=name, NewUserName=new)
    assert shared_server.client("sts", key, secret).assume_role(RoleArn=role_arn, RoleSessionName="renamed")
    iam.delete_access_key(UserName=new, AccessKeyId=key)
    iam.delete_user(UserName=new)
    principal = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]
    assert principal == user_id, principal


def test_role_sessions_must_name_the_user(shared_server, iam, acct):
    _, role_arn = make_role(iam, acct, managed=[ADMIN])
    creds, _ = assume(shared_server, role_arn)
    s = shared_server.client("iam", *creds)
    for call in (s.get_user, s.list_access_keys, s.create_access_key):
        code, msg, status = expect_error(call)
        assert (code, status) == ("ValidationError", 400), (call, code, msg)
        assert msg == "Must specify userName when calling with non-User credentials", msg
    assert s.get_user(UserName="admin")["User"]["UserName"] == "admin"
