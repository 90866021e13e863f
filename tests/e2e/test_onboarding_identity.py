"""The onboarding page, end to end with the real aws CLI: the workspace admin sets up the
`orchestera-platform-devs` group and role and a user with keys, and the member then uses the
`role_arn` + `source_profile` profile exactly as the page shows it."""
import datetime as dt
import json
import re
import subprocess
import time

from conftest import Cli, member_home

GROUP = ROLE = "orchestera-platform-devs"


def provision(admin_cli):
    """What the admin does (and what provisioning will later create automatically).
    Returns (account id, role ARN)."""
    acct = admin_cli.json("sts", "get-caller-identity")["Account"]
    assert re.fullmatch(r"\d{12}", acct), acct
    group = admin_cli.json("iam", "create-group", "--group-name", GROUP)["Group"]
    assert group["GroupName"] == GROUP
    assert group["Arn"] == f"arn:aws:iam::{acct}:group/{GROUP}"
    trust = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                            "Action": "sts:AssumeRole"}]}
    role = admin_cli.json("iam", "create-role", "--role-name", ROLE,
                          "--assume-role-policy-document", json.dumps(trust))["Role"]
    role_arn = f"arn:aws:iam::{acct}:role/{ROLE}"
    assert role["Arn"] == role_arn
    assert role["RoleId"].startswith("AROA")
    # The CLI prints the URL-decoded trust document as JSON.
    assert role["AssumeRolePolicyDocument"] == trust
    can_assume = {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}
    admin_cli.run("iam", "put-group-policy", "--group-name", GROUP, "--policy-name", "assume-platform-devs",
                  "--policy-document", json.dumps(can_assume))
    return acct, role_arn


def create_user_with_keys(admin_cli, name, group=True):
    user = admin_cli.json("iam", "create-user", "--user-name", name)["User"]
    assert user["UserName"] == name
    if group:
        admin_cli.run("iam", "add-user-to-group", "--group-name", GROUP, "--user-name", name)
    key = admin_cli.json("iam", "create-access-key", "--user-name", name)["AccessKey"]
    assert key["UserName"] == name and key["Status"] == "Active"
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"]), key["AccessKeyId"]
    assert len(key["SecretAccessKey"]) == 40
    return key["AccessKeyId"], key["SecretAccessKey"]


def clear_cache(home):
    """The page's `rm -rf ~/.aws/cli/cache/*`, run by a shell with the member's HOME."""
    subprocess.run(["bash", "-c", "rm -rf ~/.aws/cli/cache/*"], env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
                   check=True)


def cache_files(home):
    d = home / ".aws" / "cli" / "cache"
    return sorted(d.glob("*.json")) if d.exists() else []


def test_member_assumes_platform_role_as_on_the_page(server, admin_cli, tmp_path):
    acct, role_arn = provision(admin_cli)
    key, secret = create_user_with_keys(admin_cli, "alice")
    groups = admin_cli.json("iam", "list-groups-for-user", "--user-name", "alice")["Groups"]
    assert [g["GroupName"] for g in groups] == [GROUP]

    home = member_home(tmp_path, server, role_arn, key, secret)
    member = Cli(home)
    clear_cache(home)
    ident = member.json("sts", "get-caller-identity", "--profile", "orchestera-dev")
    assert ident["Account"] == acct
    m = re.fullmatch(rf"arn:aws:sts::{acct}:assumed-role/{ROLE}/botocore-session-(\d+)", ident["Arn"])
    assert m, ident["Arn"]
    session = f"botocore-session-{m.group(1)}"
    role_id = admin_cli.json("iam", "get-role", "--role-name", ROLE)["Role"]["RoleId"]
    assert ident["UserId"] == f"{role_id}:{session}"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:botocore-session-\d+", ident["UserId"]), ident["UserId"]

    # The CLI cached the AssumeRole response.
    files = cache_files(home)
    assert len(files) == 1, files
    cached = json.loads(files[0].read_text())
    assert cached["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert cached["AssumedRoleUser"]["Arn"] == ident["Arn"]
    before = (files[0].stat().st_mtime_ns, files[0].read_text())

    # Make sure a fresh assumption would get a different botocore-session-<seconds> name.
    while int(time.time()) <= int(m.group(1)):
        time.sleep(0.05)
    again = member.json("sts", "get-caller-identity", "--profile", "orchestera-dev")
    assert again["Arn"] == ident["Arn"], "the second call should reuse the cached session"
    assert again["UserId"] == ident["UserId"]
    assert cache_files(home) == files
    assert (files[0].stat().st_mtime_ns, files[0].read_text()) == before

    # The source profile alone is alice herself.
    me = member.json("sts", "get-caller-identity", "--profile", "orchestera",
                     env={"AWS_ENDPOINT_URL": server.endpoint, "AWS_CA_BUNDLE": server.ca,
                          "AWS_DEFAULT_REGION": "us-east-1"})
    assert me["Arn"] == f"arn:aws:iam::{acct}:user/alice"
    assert me["UserId"].startswith("AIDA")


def test_user_outside_the_group_cannot_assume_the_role(server, admin_cli, tmp_path):
    acct, role_arn = provision(admin_cli)
    key, secret = create_user_with_keys(admin_cli, "bob", group=False)
    home = member_home(tmp_path, server, role_arn, key, secret)
    clear_cache(home)
    p = Cli(home).run("sts", "get-caller-identity", "--profile", "orchestera-dev", check=False)
    assert p.returncode != 0, p.stdout
    assert "An error occurred (AccessDenied) when calling the AssumeRole operation" in p.stderr, p.stderr
    assert (f"User: arn:aws:iam::{acct}:user/bob is not authorized to perform: sts:AssumeRole "
            f"on resource: arn:aws:iam::{acct}:role/{ROLE}") in p.stderr, p.stderr
    assert cache_files(home) == []


def test_removing_a_user_from_the_group_revokes_the_next_assumption(server, admin_cli, tmp_path):
    acct, role_arn = provision(admin_cli)
    key, secret = create_user_with_keys(admin_cli, "alice")
    home = member_home(tmp_path, server, role_arn, key, secret)
    member = Cli(home)
    clear_cache(home)
    ident = member.json("sts", "get-caller-identity", "--profile", "orchestera-dev")
    assert f":assumed-role/{ROLE}/botocore-session-" in ident["Arn"]

    admin_cli.run("iam", "remove-user-from-group", "--group-name", GROUP, "--user-name", "alice")
    assert admin_cli.json("iam", "get-group", "--group-name", GROUP)["Users"] == []
    clear_cache(home)
    assert cache_files(home) == []
    p = member.run("sts", "get-caller-identity", "--profile", "orchestera-dev", check=False)
    assert p.returncode != 0, p.stdout
    assert "(AccessDenied) when calling the AssumeRole operation" in p.stderr, p.stderr
    assert (f"User: arn:aws:iam::{acct}:user/alice is not authorized to perform: sts:AssumeRole "
            f"on resource: arn:aws:iam::{acct}:role/{ROLE}") in p.stderr, p.stderr

    # Added back, she can assume again (nothing about her was cached server-side).
    admin_cli.run("iam", "add-user-to-group", "--group-name", GROUP, "--user-name", "alice")
    clear_cache(home)
    assert member.json("sts", "get-caller-identity", "--profile", "orchestera-dev")["Account"] == acct


def test_page_config_verbatim_with_endpoint_from_environment(server, admin_cli, tmp_path):
    """The page's files exactly, with no endpoint lines: AWS_ENDPOINT_URL and AWS_CA_BUNDLE
    carry the self-hosted endpoint instead (the CLI sends the AssumeRole there too)."""
    acct, role_arn = provision(admin_cli)
    key, secret = create_user_with_keys(admin_cli, "carol")
    home = tmp_path / "page-home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\n\n[profile orchestera-dev]\n"
        f"role_arn = arn:aws:iam::{acct}:role/{ROLE}\nsource_profile = orchestera\nregion = us-east-1\n")
    (home / ".aws" / "credentials").write_text(
        f"[orchestera]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
    member = Cli(home, {"AWS_ENDPOINT_URL": server.endpoint, "AWS_CA_BUNDLE": server.ca})
    clear_cache(home)
    ident = member.json("sts", "get-caller-identity", "--profile", "orchestera-dev")
    assert re.fullmatch(rf"arn:aws:sts::{acct}:assumed-role/{ROLE}/botocore-session-\d+", ident["Arn"]), ident
    cached = json.loads(cache_files(home)[0].read_text())
    # The CLI derives Credentials.AccountId from AssumedRoleUser.Arn, so that ARN must be well formed.
    assert cached["Credentials"].get("AccountId", acct) == acct
    exp = dt.datetime.fromisoformat(cached["Credentials"]["Expiration"].replace("Z", "+00:00"))
    assert exp - dt.datetime.now(dt.timezone.utc) > dt.timedelta(minutes=50)
