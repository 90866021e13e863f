#!/usr/bin/env python3
"""Runs Orchestera's benchmarks and prints one markdown table (bench/README.md says what each
row means). Called by bench/run after it has built the `bench` preset; runs with .venv's Python
(boto3, requests, PyYAML).

Phases: micro (Google Benchmark), identity (Orchestera and moto_server side by side, same load
generator, same signed requests, same concurrency), cluster (the Kubernetes API of one cluster),
scale (users and stored objects growing 1k/10k/100k: RSS, data size, ready after restart, list
latency). --smoke runs everything tiny (CI). Nothing here asserts a timing: a phase fails only when
something does not work (an error status, a refused token, a server that does not start).
"""
import argparse
import base64
import configparser
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import boto3
import botocore.config
import requests
import urllib3
import yaml

urllib3.disable_warnings()

ROOT = Path(__file__).resolve().parents[1]
# The build whose binaries are measured: the bench preset's, or another build with the benchmarks
# in it (CI's smoke run uses the release build it already has).
BUILD = Path(os.environ.get("ORCH_BENCH_BUILD", ROOT / "build" / "bench")).resolve()
SERVER_BIN = BUILD / "src" / "cli" / "orchestera"
MICRO_BIN = BUILD / "bench" / "orch_micro_bench"
LOADGEN_BIN = BUILD / "bench" / "orch_loadgen"
SERVING = re.compile(r"serving the AWS API .* at (https://\S+)")
REGION = "us-east-1"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def clean_env():
    """The environment for servers and clients: no AWS_* settings of the caller (AWS_CA_BUNDLE,
    a profile, credentials) may leak into what is measured."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def dir_size(path):
    total = 0
    for p in Path(path).rglob("*"):
        if p.is_file():
            total += p.stat().st_size
    return total


def fmt_ms(x):
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms" if x < 100 else f"{x:.0f} ms"


def fmt_rate(x):
    return f"{x:,.0f}/s"


def fmt_bytes(n):
    return f"{n / 1e6:.1f} MB"


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms"


# ---------------------------------------------------------------------------------------------
# The servers

_limit_flags = None


def server_limit_flags():
    """The benchmark measures capacity, so no limit meant to protect the server from one client
    may throttle it: the per-principal rate limit is set so high that it never refuses (its
    bookkeeping still runs on every request, as in production) and open watches per user are not
    capped. Only flags this build of the server knows are passed."""
    global _limit_flags
    if _limit_flags is None:
        p = subprocess.run([str(SERVER_BIN), "server", "--help"], capture_output=True, text=True, env=clean_env())
        text = p.stdout + p.stderr
        _limit_flags = []
        if "--rate-limit" in text:
            _limit_flags += ["--rate-limit", "1000000000"]
        if "--rate-burst" in text:
            _limit_flags += ["--rate-burst", "1000000000"]
        if "--max-watches" in text:
            _limit_flags += ["--max-watches", "0"]
    return _limit_flags


class Orchestera:
    def __init__(self, data_dir: Path, log_path: Path):
        self.data_dir = data_dir
        self.log_path = log_path
        self.proc = None
        self.endpoint = None
        self.started_at = None
        self.serving_after = None

    def start(self, timeout=60):
        """Starts on a port of its choosing the first time, then (a restart) on the same AWS port,
        as a deployed server would restart."""
        aws_port = urllib.parse.urlsplit(self.endpoint).port if self.endpoint else 0
        self.started_at = time.monotonic()
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(SERVER_BIN), "server", "--data-dir", str(self.data_dir), "--aws-listen", f"127.0.0.1:{aws_port}",
             "--kube-listen", "127.0.0.1:0", *server_limit_flags()],
            stdout=subprocess.PIPE, stderr=logf, env=clean_env(), text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"orchestera exited with {self.proc.returncode}; see {self.log_path}")
                continue
            m = SERVING.search(line)
            if m:
                self.serving_after = time.monotonic() - self.started_at
                self.endpoint = m.group(1)
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return self
        raise RuntimeError("orchestera did not report its endpoint in time")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def ca(self):
        return str(self.data_dir / "pki" / "ca.crt")

    def keys(self, profile="orchestera-admin"):
        cp = configparser.ConfigParser()
        cp.read(self.data_dir / "admin" / "credentials")
        return cp[profile]["aws_access_key_id"], cp[profile]["aws_secret_access_key"]

    def client(self, service, key=None, secret=None, token=None):
        if key is None:
            key, secret = self.keys()
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, verify=self.ca, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token,
            config=botocore.config.Config(retries={"max_attempts": 1}))

    def rss(self):
        return rss_kb(self.proc.pid)


class Moto:
    """moto_server over HTTPS with a certificate made for it (so both servers pay for TLS)."""

    def __init__(self, exe, work: Path, log_path: Path):
        self.exe = exe
        self.work = work
        self.log_path = log_path
        self.proc = None

    def start(self, timeout=60):
        self.work.mkdir(parents=True, exist_ok=True)
        self.cert = self.work / "moto.crt"
        self.key = self.work / "moto.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", str(self.key), "-out", str(self.cert), "-days", "2", "-subj", "/CN=moto",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.port = free_port()
        self.endpoint = f"https://127.0.0.1:{self.port}"
        env = clean_env()
        env.update({"MOTO_ALLOW_NONEXISTENT_REGION": "true"})
        self.proc = subprocess.Popen([self.exe, "-H", "127.0.0.1", "-p", str(self.port), "-c", str(self.cert),
                                      "-k", str(self.key)], stdout=open(self.log_path, "ab"),
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                requests.get(self.endpoint + "/moto-api/", verify=False, timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("moto_server did not start in time")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    @property
    def ca(self):
        return str(self.cert)

    def client(self, service):
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, verify=False, region_name=REGION, aws_access_key_id="AKIAMOTOBENCH",
            aws_secret_access_key="moto-bench-secret", config=botocore.config.Config(retries={"max_attempts": 1}))


# ---------------------------------------------------------------------------------------------
# The load generator

def loadgen(url, *, mode="run", cacert=None, cert=None, key=None, connections=16, duration=5.0, warmup=1.0,
            rate=None, count=None, once=False, method="GET", target="/", body=None, headers=(), sign=None,
            threads=1, extra=(), check_ok=True, what=""):
    cmd = [str(LOADGEN_BIN), mode, "--url", url]
    if cacert:
        cmd += ["--cacert", cacert]
    if cert:
        cmd += ["--cert", cert, "--key", key]
    if mode == "run":
        cmd += ["--connections", str(connections), "--threads", str(threads), "--duration", str(duration),
                "--warmup", str(warmup), "--method", method, "--target", target]
        if rate:
            cmd += ["--rate", f"{rate:.1f}"]
        if count:
            cmd += ["--count", str(count)]
        if once:
            cmd += ["--once"]
        if body is not None:
            cmd += ["--body", body]
    for h in headers:
        cmd += ["--header", h]
    if sign:
        cmd += ["--sign", sign.get("mode", "presign"), "--access-key", sign["key"], "--secret-key", sign["secret"],
                "--service", sign["service"], "--region", REGION]
        if sign.get("token"):
            cmd += ["--session-token", sign["token"]]
    cmd += list(extra)
    p = subprocess.run(cmd, capture_output=True, text=True, env=clean_env())
    if p.returncode != 0:
        raise RuntimeError(f"loadgen failed ({what}): {p.stderr.strip()}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    if check_ok and mode == "run":
        if out["ok"] == 0 or out["non_2xx"] > 0:
            raise RuntimeError(f"{what}: {out['non_2xx']} of {out['requests']} requests failed; "
                               f"status {out['status']}; first error: {out.get('first_error')}")
    return out


def aws_load(url, cacert, key, secret, service, params, **kw):
    """Load of one AWS Query API call as botocore sends it: a form POST signed in the
    Authorization header, signed before the clock starts."""
    return loadgen(url, cacert=cacert, method="POST", target="/", body=params,
                   headers=["Content-Type: application/x-www-form-urlencoded; charset=utf-8"],
                   sign={"key": key, "secret": secret, "service": service, "mode": "header"}, **kw)


# ---------------------------------------------------------------------------------------------
# The results table

class Table:
    def __init__(self):
        self.rows = []

    def add(self, area, what, value, reference="", ratio="", target="", status=""):
        self.rows.append((area, what, value, reference, ratio, target, status))

    def markdown(self):
        head = ("Area", "Measurement", "Orchestera", "Compared with", "Ratio", "Target", "Status")
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        for r in self.rows:
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")
        return "\n".join(lines)


def verdict(ok):
    return "met" if ok else "**missed**"


def lat(r):
    return f"{fmt_rate(r['rps'])}, p50 {fmt_ms(r['p50_ms'])}, p99 {fmt_ms(r['p99_ms'])}"


# ---------------------------------------------------------------------------------------------
# Phase: micro

def phase_micro(cfg, table, raw):
    log("micro: Google Benchmark")
    out = cfg.work / "micro.json"
    cmd = [str(MICRO_BIN), f"--benchmark_min_time={cfg.micro_min_time}", "--benchmark_format=json",
           f"--benchmark_out={out}", "--benchmark_out_format=json"]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cfg.work)
    if p.returncode != 0:
        raise RuntimeError(f"orch_micro_bench failed: {p.stderr[-2000:]}")
    data = json.loads(out.read_text())
    raw["micro"] = data
    b = {}
    for x in data["benchmarks"]:
        if x.get("error_occurred"):
            raise RuntimeError(f"micro benchmark {x['name']} failed: {x.get('error_message')}")
        unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[x.get("time_unit", "ns")]
        b[x["name"]] = dict(x, cpu_ns=x["cpu_time"] * unit, real_ns=x["real_time"] * unit)

    def cpu(name):
        return b[name]["cpu_ns"]

    def real(name):
        return b[name]["real_ns"]

    for form, label in (("Header", "header-signed POST"), ("Presigned", "presigned GET")):
        v, f = cpu(f"BM_SigV4Verify_{form}"), cpu(f"BM_SigV4Floor_{form}")
        table.add("micro", f"SigV4 verification, {label} (parse, scope/time, verify)", fmt_ns(v),
                  f"floor (its HMAC/SHA-256 work, digest prefetched): {fmt_ns(f)}", f"{v / f:.1f}x floor")
    table.add("micro", "HMAC-SHA256 of a short message, base/crypto (OpenSSL one-shot HMAC())",
              fmt_ns(cpu("BM_HmacSha256_BaseCrypto")), f"prefetched digest: {fmt_ns(cpu('BM_HmacSha256_Prefetched'))}",
              f"{cpu('BM_HmacSha256_BaseCrypto') / cpu('BM_HmacSha256_Prefetched'):.1f}x")
    for n in (1, 10, 50):
        table.add("micro", f"IAM policy evaluation, {n} statement(s) (wildcards, conditions): allow / implicit deny",
                  f"{fmt_ns(cpu(f'BM_PolicyEvaluate_Allow/{n}'))} / {fmt_ns(cpu(f'BM_PolicyEvaluate_ImplicitDeny/{n}'))}")
    table.add("micro", "EKS token verification: user key / role session (+ access-entry mapping)",
              f"{fmt_ns(cpu('BM_EksTokenVerify_UserKey'))} / {fmt_ns(cpu('BM_EksTokenVerify_RoleSession'))} "
              f"({fmt_ns(cpu('BM_EksTokenVerifyAndMap_RoleSession'))})",
              "aws-iam-authenticator: 1 STS round trip per uncached token", "0 network round trips")
    for n in (10, 1000, 10000):
        table.add("micro", f"RBAC authorize, {n:,} RoleBindings: allowed / denied (build authorizer)",
                  f"{fmt_ns(cpu(f'BM_RbacAuthorize_Allowed/{n}'))} / {fmt_ns(cpu(f'BM_RbacAuthorize_Denied/{n}'))} "
                  f"({fmt_ns(cpu(f'BM_RbacBuildAuthorizer/{n}'))})")
    body_mb = b["BM_PodListEncode/1000"].get("body_bytes", 0) / 1e6
    table.add("micro", f"JSON, 1,000-pod list ({body_mb:.1f} MB): encode / decode / server list path",
              f"{fmt_ns(cpu('BM_PodListEncode/1000'))} / {fmt_ns(cpu('BM_PodListDecode/1000'))} / "
              f"{fmt_ns(cpu('BM_PodListServerPath/1000'))}")
    c1 = b["BM_StorePut/real_time/threads:1"]["items_per_second"]
    c4 = b["BM_StorePut/real_time/threads:4"]["items_per_second"]
    table.add("micro", "Store: durable put (one fsync'd commit): latency, 1 thread; commits/s from 1 / 4 threads",
              f"{fmt_ns(real('BM_StorePut/real_time/threads:1'))}; {c1:,.0f}/s / {c4:,.0f}/s", "", f"{c4 / c1:.1f}x")
    table.add("micro", "Store: get (10,000 keys) / list 1,000 keys",
              f"{fmt_ns(cpu('BM_StoreGet'))} / {fmt_ns(cpu('BM_StoreList1000'))}")
    table.add("micro", "Store: watch fan-out, put then delivery to 1 / 10 / 100 watchers",
              " / ".join(fmt_ns(real(f"BM_StoreWatchFanout/{n}/real_time")) for n in (1, 10, 100)),
              f"a put alone: {fmt_ns(real('BM_StorePut/real_time/threads:1'))}")


# ---------------------------------------------------------------------------------------------
# Phase: identity plane, Orchestera and moto side by side

def moto_exe():
    exe = os.environ.get("ORCH_MOTO_SERVER") or shutil.which("moto_server")
    if exe:
        return exe
    venv = BUILD / "venv-moto"
    exe = venv / "bin" / "moto_server"
    if not exe.exists():
        log("installing moto[server] into build/bench/venv-moto (bench/requirements-moto.txt)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r",
                        str(ROOT / "bench" / "requirements-moto.txt")], check=True)
    return str(exe)


def phase_identity(cfg, table, raw):
    log("identity: starting orchestera and moto_server")
    orch = Orchestera(cfg.work / "identity-data", cfg.work / "identity-orchestera.log").start()
    moto = Moto(moto_exe(), cfg.work / "moto", cfg.work / "moto.log").start()
    res = raw.setdefault("identity", {})
    try:
        key, secret = orch.keys()
        acct = orch.client("sts").get_caller_identity()["Account"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole"}]})
        orch.client("iam").create_role(RoleName="bench-role", AssumeRolePolicyDocument=trust)
        moto_iam = moto.client("iam")
        moto_acct = moto.client("sts").get_caller_identity()["Account"]
        moto_trust = trust.replace(acct, moto_acct)
        moto_iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=moto_trust)

        servers = {
            "orchestera": dict(url=orch.endpoint, cacert=orch.ca, key=key, secret=secret, acct=acct),
            "moto": dict(url=moto.endpoint, cacert=moto.ca, key="AKIAMOTOBENCH", secret="moto-bench-secret",
                         acct=moto_acct),
        }
        C, D, W = cfg.connections, cfg.duration, cfg.warmup

        # The requests botocore sends: a form POST signed in the Authorization header (moto routes
        # a presigned GET, which has no Authorization header, to its S3 mock). Each is signed once
        # before the clock starts and replayed (SigV4 allows that within its 15 minutes).
        def run(server, what, service, params, **kw):
            s = servers[server]
            return aws_load(s["url"], s["cacert"], s["key"], s["secret"], service, params, connections=C,
                            duration=D, warmup=W, what=f"{what} on {server}", **kw)

        # CreateUser first: it also makes the users that ListUsers then lists (same count on both).
        n_users = cfg.identity_users
        results = {}
        for server in ("orchestera", "moto"):
            log(f"identity: CreateUser x{n_users} on {server}")
            results[("CreateUser", server)] = run(
                server, "CreateUser", "iam", "Action=CreateUser&UserName=bench-user-{i}&Version=2010-05-08",
                count=n_users, once=True)
        apis = [
            ("GetCallerIdentity", "sts", "Action=GetCallerIdentity&Version=2011-06-15"),
            ("AssumeRole", "sts", "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A{acct}%3Arole%2Fbench-role"
                                  "&RoleSessionName=bench&Version=2011-06-15"),
            (f"ListUsers ({n_users:,} users, MaxItems=1000)", "iam",
             "Action=ListUsers&MaxItems=1000&Version=2010-05-08"),
        ]
        for name, service, target in apis:
            for server in ("orchestera", "moto"):
                log(f"identity: {name} on {server}")
                results[(name, server)] = run(server, name, service, target.replace("{acct}", servers[server]["acct"]))
        log("identity: ceiling (/healthz on the AWS listener)")
        ceiling = loadgen(orch.endpoint, cacert=orch.ca, connections=C, duration=D, warmup=W, target="/healthz",
                          what="AWS /healthz")
        res["ceiling"] = ceiling
        half = {}
        for name, service, target in apis:
            peak = results[(name, "orchestera")]["rps"]
            log(f"identity: {name} on orchestera at half of peak ({peak / 2:.0f}/s)")
            half[name] = run("orchestera", name + " at half peak", service,
                             target.replace("{acct}", acct), rate=peak / 2)
        res["results"] = {f"{k[0]} | {k[1]}": v for k, v in results.items()}
        res["half_peak"] = half

        table.add("identity", f"ceiling: GET /healthz on the AWS listener ({C} connections)", lat(ceiling))
        for name in ["GetCallerIdentity", "AssumeRole", apis[2][0], "CreateUser"]:
            o, m = results[(name, "orchestera")], results[(name, "moto")]
            ratio = o["rps"] / m["rps"] if m["rps"] else float("inf")
            label = name if name != "CreateUser" else f"CreateUser ({n_users:,} new users, each sent once)"
            table.add("identity", f"{label}: throughput, Orchestera vs moto", lat(o), f"moto: {lat(m)}",
                      f"{ratio:.1f}x moto", "≥ 100x moto", verdict(ratio >= 100))
            if name == "CreateUser":
                continue  # a once-each run is not a peak (and writes wait for fsync)
            frac = o["rps"] / ceiling["rps"]
            table.add("identity", f"{name}: share of the ceiling", f"{frac:.0%}", "GET /healthz", "",
                      "≥ 50%", verdict(frac >= 0.5))
            h = half[name]
            table.add("identity", f"{name}: p99 at half of peak ({h['target_rate']:,.0f}/s offered)",
                      f"p99 {fmt_ms(h['p99_ms'])} (p50 {fmt_ms(h['p50_ms'])}, {fmt_rate(h['rps'])})", "", "",
                      "p99 < 2 ms", verdict(h["p99_ms"] < 2))
        frac = results[("CreateUser", "orchestera")]["rps"] / ceiling["rps"]
        table.add("identity", "CreateUser: share of the ceiling", f"{frac:.0%}", "GET /healthz", "", "≥ 50%",
                  verdict(frac >= 0.5))
    finally:
        orch.stop()
        moto.stop()


# ---------------------------------------------------------------------------------------------
# Helpers for the cluster plane

def write_pem(path: Path, data: str):
    path.write_text(data)
    return str(path)


def kubeconfig_access(path: Path, work: Path):
    """server, CA file, client cert file and key file from a kubeconfig (file paths or *-data)."""
    kc = yaml.safe_load(path.read_text())
    ctx_name = kc.get("current-context")
    ctx = next(c["context"] for c in kc["contexts"] if c["name"] == ctx_name) if ctx_name else kc["contexts"][0]["context"]
    cluster = next(c["cluster"] for c in kc["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in kc["users"] if u["name"] == ctx["user"])

    def file_or_data(obj, name, out):
        if obj.get(name):
            return obj[name]
        if obj.get(name + "-data"):
            return write_pem(work / out, base64.b64decode(obj[name + "-data"]).decode())
        raise RuntimeError(f"kubeconfig {path} has no {name}")

    return (cluster["server"], file_or_data(cluster, "certificate-authority", "bg-ca.crt"),
            file_or_data(user, "client-certificate", "bg.crt"), file_or_data(user, "client-key", "bg.key"))


def eks_token(orch: Orchestera, cluster_name, key, secret, token=None):
    """The token `aws eks get-token` prints: k8s-aws-v1. + base64url of a presigned STS
    GetCallerIdentity URL with the cluster name in the signed x-k8s-aws-id header (made the way
    awscli's get-token makes it, with botocore)."""
    sts = orch.client("sts", key, secret, token)

    def add_header(request, **kwargs):
        request.headers["x-k8s-aws-id"] = cluster_name

    sts.meta.events.register("before-sign.sts.GetCallerIdentity", add_header)
    url = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET")
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def wait_active(eks, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        c = eks.describe_cluster(name=name)["cluster"]
        if c["status"] == "ACTIVE" and c.get("endpoint"):
            return c
        time.sleep(0.2)
    raise RuntimeError(f"cluster {name} did not become ACTIVE")


class Cluster:
    """One ACTIVE cluster: its endpoint and CA (from DescribeCluster) and the break-glass
    credential (from the kubeconfig the server writes)."""

    def __init__(self, orch: Orchestera, name: str, work: Path):
        self.orch, self.name, self.work = orch, name, work
        self.acct = orch.client("sts").get_caller_identity()["Account"]
        self.refresh()

    def refresh(self, timeout=60):
        c = wait_active(self.orch.client("eks"), self.name, timeout)  # the AWS port changes on restart
        self.endpoint = c["endpoint"].rstrip("/")
        self.ca = write_pem(self.work / f"cluster-{self.name}-ca.crt",
                            base64.b64decode(c["certificateAuthority"]["data"]).decode())
        kc = self.orch.data_dir / "admin" / f"break-glass-{self.acct}-{self.name}.kubeconfig"
        deadline = time.time() + timeout
        while not kc.exists() and time.time() < deadline:
            time.sleep(0.1)
        _, _, self.cert, self.key = kubeconfig_access(kc, self.work)

    def request(self, method, path, body=None, token=None, timeout=30):
        headers = {"Content-Type": "application/json"}
        kw = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        else:
            kw["cert"] = (self.cert, self.key)
        return requests.request(method, self.endpoint + path, headers=headers, verify=self.ca, timeout=timeout,
                                data=json.dumps(body) if body is not None else None, **kw)

    def admin(self, method, path, body=None, ok=(200, 201)):
        r = self.request(method, path, body)
        if r.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json()


POD_BODY = json.dumps({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "NAME", "labels": {"spark-app-selector": "spark-1234567890abcdef", "spark-role": "executor",
                                            "spark-exec-id": "{i}"},
                 "annotations": {"spark.kubernetes.io/driver": "spark-pi-driver"}},
    "spec": {"restartPolicy": "Never", "serviceAccountName": "default",
             "containers": [{"name": "spark-kubernetes-executor", "image": "apache/spark:3.5.3", "args": ["executor"],
                             "env": [{"name": f"SPARK_{k}", "value": f"value-of-{k.lower()}"} for k in
                                     ("USER", "DRIVER_URL", "EXECUTOR_CORES", "EXECUTOR_MEMORY", "APPLICATION_ID")],
                             "ports": [{"name": "blockmanager", "containerPort": 7079, "protocol": "TCP"}],
                             "resources": {"limits": {"memory": "1408Mi"},
                                           "requests": {"cpu": "1", "memory": "1408Mi"}}}]}})


def pod_body(name_template):
    return POD_BODY.replace('"NAME"', json.dumps(name_template))


def configmap_body(name_template):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name_template},
                       "data": {"spark-defaults.conf": "spark.executor.memory=1g\nspark.executor.cores=1\n" * 4}})


def member_session(orch: Orchestera, acct):
    """A platform developer's role session, as the onboarding page sets one up: an IAM user in
    orchestera-platform-devs assumes the orchestera-platform-devs role."""
    iam = orch.client("iam")
    iam.create_user(UserName="bench-dev")
    iam.add_user_to_group(GroupName="orchestera-platform-devs", UserName="bench-dev")
    k = iam.create_access_key(UserName="bench-dev")["AccessKey"]
    deadline = time.time() + 10
    while True:
        try:
            creds = orch.client("sts", k["AccessKeyId"], k["SecretAccessKey"]).assume_role(
                RoleArn=f"arn:aws:iam::{acct}:role/orchestera-platform-devs", RoleSessionName="bench-dev")["Credentials"]
            return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# Phase: cluster plane

def phase_cluster(cfg, table, raw):
    log("cluster: starting orchestera and creating a cluster")
    orch = Orchestera(cfg.work / "cluster-data", cfg.work / "cluster-orchestera.log").start()
    res = raw.setdefault("cluster", {})
    try:
        acct = orch.client("sts").get_caller_identity()["Account"]
        orch.client("eks").create_cluster(name="bench", roleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
                                          resourcesVpcConfig={"subnetIds": []})
        cl = Cluster(orch, "bench", cfg.work)
        for ns in ("bench", "watch"):
            cl.admin("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        mkey, msecret, mtoken = member_session(orch, acct)
        # The namespace's platform RoleBinding is made by the server; wait until it authorizes.
        token = eks_token(orch, "bench", mkey, msecret, mtoken)
        deadline = time.time() + 10
        while cl.request("GET", "/api/v1/namespaces/bench/pods", token=token).status_code != 200:
            if time.time() > deadline:
                r = cl.request("GET", "/api/v1/namespaces/bench/pods", token=token)
                raise RuntimeError(f"the member cannot list pods: {r.status_code} {r.text[:300]}")
            time.sleep(0.2)
        C, D, W = cfg.connections, cfg.duration, cfg.warmup
        n = cfg.pods

        log(f"cluster: creating {n} pods")
        create = loadgen(cl.endpoint, cacert=cl.ca, headers=[f"Authorization: Bearer {token}",
                                                             "Content-Type: application/json"],
                         method="POST", target="/api/v1/namespaces/bench/pods", body=pod_body("exec-{i}"), count=n,
                         once=True, connections=C, what="create pod")
        log("cluster: ceiling (/healthz on the cluster's endpoint)")
        ceiling = loadgen(cl.endpoint, cacert=cl.ca, connections=C, duration=D, warmup=W, target="/healthz",
                          what="kube /healthz")
        auth = [f"Authorization: Bearer {token}"]
        ssar = json.dumps({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                           "spec": {"resourceAttributes": {"namespace": "bench", "verb": "create", "resource": "pods"}}})
        runs = {}
        log("cluster: SelfSubjectAccessReview")
        runs["ssar"] = loadgen(cl.endpoint, cacert=cl.ca, connections=C, duration=D, warmup=W, method="POST",
                               target="/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=ssar,
                               headers=auth + ["Content-Type: application/json"], what="SSAR")
        log("cluster: pod GET")
        runs["get"] = loadgen(cl.endpoint, cacert=cl.ca, connections=C, duration=D, warmup=W,
                              target="/api/v1/namespaces/bench/pods/exec-{i}", count=n, headers=auth, what="pod GET")
        log(f"cluster: list of {n} pods")
        runs["list"] = loadgen(cl.endpoint, cacert=cl.ca, connections=C, duration=D, warmup=W,
                               target="/api/v1/namespaces/bench/pods", headers=auth, what="pod list")
        runs["list1"] = loadgen(cl.endpoint, cacert=cl.ca, connections=1, duration=D, warmup=W,
                                target="/api/v1/namespaces/bench/pods", headers=auth, what="pod list, 1 connection")
        runs["create"] = create
        half = {}
        for k in ("ssar", "get"):
            peak = runs[k]["rps"]
            log(f"cluster: {k} at half of peak ({peak / 2:.0f}/s)")
            if k == "ssar":
                half[k] = loadgen(cl.endpoint, cacert=cl.ca, connections=C, duration=D, warmup=W, method="POST",
                                  target="/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=ssar,
                                  headers=auth + ["Content-Type: application/json"], rate=peak / 2, what="SSAR half")
            else:
                half[k] = loadgen(cl.endpoint, cacert=cl.ca, connections=C, duration=D, warmup=W,
                                  target="/api/v1/namespaces/bench/pods/exec-{i}", count=n, headers=auth,
                                  rate=peak / 2, what="pod GET half")
        log("cluster: delete pods")
        runs["delete"] = loadgen(cl.endpoint, cacert=cl.ca, connections=C, method="DELETE",
                                 target="/api/v1/namespaces/bench/pods/exec-{i}", count=n, once=True, headers=auth,
                                 what="delete pod")
        log(f"cluster: watch fan-out ({cfg.watchers} watchers, 1 writer)")
        # A fresh token: the watch phase comes last.
        token = eks_token(orch, "bench", mkey, msecret, mtoken)

        def fanout(interval_ms, prefix):
            w = loadgen(cl.endpoint, mode="watch", cacert=cl.ca,
                        headers=[f"Authorization: Bearer {token}", "Content-Type: application/json"],
                        extra=["--watchers", str(cfg.watchers), "--writes", str(cfg.watch_writes),
                               "--write-interval-ms", str(interval_ms),
                               "--watch-target", "/api/v1/namespaces/watch/configmaps?watch=1",
                               "--write-target", "/api/v1/namespaces/watch/configmaps",
                               "--write-body", configmap_body(prefix + "-{i}")],
                        what="watch fan-out")
            if w["delivered_events"] != w["expected_events"] or w["watchers_ready"] != cfg.watchers:
                raise RuntimeError(f"watch fan-out lost events: {w}")
            return w

        # Paced (a write every 20 ms): the latency from write to delivery. Unpaced (the writer
        # as fast as its creates return): how many events per second reach the watchers.
        watch = fanout(20, "paced")
        burst = fanout(0, "burst")
        res.update(ceiling=ceiling, runs=runs, half=half, watch=watch, watch_burst=burst)

        table.add("cluster", f"ceiling: GET /healthz on the cluster endpoint ({C} connections)", lat(ceiling))
        rows = [("ssar", "SelfSubjectAccessReview (EKS token of a role session, RBAC)", True),
                ("get", "pod GET (EKS token, RBAC)", True),
                ("list", f"list of {n:,} pods in a namespace ({C} connections)", False),
                ("create", f"create pod ({n:,}, each sent once)", False),
                ("delete", f"delete pod ({n:,}, each sent once)", False)]
        for k, label, has_half in rows:
            r = runs[k]
            frac = r["rps"] / ceiling["rps"]
            table.add("cluster", label, lat(r), "GET /healthz", f"{frac:.0%} of ceiling", "≥ 50% of ceiling",
                      verdict(frac >= 0.5))
            if has_half:
                h = half[k]
                table.add("cluster", f"{label.split(' (')[0]}: p99 at half of peak ({h['target_rate']:,.0f}/s offered)",
                          f"p99 {fmt_ms(h['p99_ms'])} (p50 {fmt_ms(h['p50_ms'])})", "", "", "p99 < 2 ms",
                          verdict(h["p99_ms"] < 2))
        l1 = runs["list1"]
        table.add("cluster", f"list of {n:,} pods, one client (latency)",
                  f"p50 {fmt_ms(l1['p50_ms'])}, p99 {fmt_ms(l1['p99_ms'])}", "", "", "< 50 ms" if n >= 1000 else "",
                  verdict(l1["p99_ms"] < 50) if n >= 1000 else "")
        table.add("cluster", f"watch fan-out: 1 writer, {cfg.watchers} watchers, {cfg.watch_writes} creates "
                  f"every 20 ms: time from write to delivery",
                  f"p50 {fmt_ms(watch['delivery_p50_ms'])}, p99 {fmt_ms(watch['delivery_p99_ms'])}",
                  f"the create itself: p50 {fmt_ms(watch['write']['p50_ms'])}, p99 {fmt_ms(watch['write']['p99_ms'])}")
        table.add("cluster", f"watch fan-out, writer unpaced: events delivered ({cfg.watchers} watchers)",
                  f"{burst['events_per_s']:,.0f} events/s (p50 {fmt_ms(burst['delivery_p50_ms'])}, "
                  f"p99 {fmt_ms(burst['delivery_p99_ms'])})",
                  f"{burst['write']['rps']:,.0f} creates/s", "")
        table.add("cluster", "network round trips per EKS token verification", "0",
                  "aws-iam-authenticator: 1 (STS GetCallerIdentity per uncached token)")
    finally:
        orch.stop()


# ---------------------------------------------------------------------------------------------
# Phase: scale and memory

def phase_scale(cfg, table, raw):
    log("scale: starting orchestera")
    orch = Orchestera(cfg.work / "scale-data", cfg.work / "scale-orchestera.log").start()
    res = raw.setdefault("scale", [])
    C = cfg.connections
    try:
        acct = orch.client("sts").get_caller_identity()["Account"]
        key, secret = orch.keys()
        orch.client("eks").create_cluster(name="scale", roleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
                                          resourcesVpcConfig={"subnetIds": []})
        cl = Cluster(orch, "scale", cfg.work)
        per_ns = cfg.objects_per_ns
        # IAM allows 5,000 users per account (as AWS does): users go 4,000 to an account, the
        # workspace account first, then accounts made with Organizations.
        accounts = [(key, secret)]
        users = objects = 0
        namespaces = 0
        for level_users, level_objects in cfg.scale_levels:
            need_ns = (level_objects + per_ns - 1) // per_ns
            for ns in range(namespaces, need_ns):
                cl.admin("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                        "metadata": {"name": f"s-{ns}"}})
            namespaces = max(namespaces, need_ns)
            t0 = time.monotonic()
            if level_users > users:
                log(f"scale: users {users} -> {level_users}")
                per_acct = cfg.users_per_account
                while len(accounts) * per_acct < level_users:
                    accounts.append(new_account_admin(orch, f"scale-ws-{len(accounts)}"))
                for j, (k, sk) in enumerate(accounts):
                    lo, hi = max(users, j * per_acct), min(level_users, (j + 1) * per_acct)
                    if lo < hi:
                        aws_load(orch.endpoint, orch.ca, k, sk, "iam",
                                 "Action=CreateUser&UserName=scale-user-{i}&Version=2010-05-08", connections=C,
                                 count=hi, once=True, what="create users", extra=["--first", str(lo)])
                users = level_users
            t_users = time.monotonic() - t0
            t0 = time.monotonic()
            created = 0
            if level_objects > objects:
                log(f"scale: objects {objects} -> {level_objects}")
                loadgen(cl.endpoint, cacert=cl.ca, cert=cl.cert, key=cl.key, connections=C, method="POST",
                        target=f"/api/v1/namespaces/s-{{i/{per_ns}}}/configmaps",
                        body=configmap_body(f"cm-{{i%{per_ns}}}"), headers=["Content-Type: application/json"],
                        count=level_objects, once=True, what="create configmaps", extra=["--first", str(objects)])
                created = level_objects - objects
                objects = level_objects
            t_objects = time.monotonic() - t0
            row = measure_level(cfg, orch, cl, key, secret, users, objects, per_ns)
            row.update(users=users, objects=objects, create_objects_per_s=created / t_objects if created else None)
            res.append(row)
            log(f"scale: {users} users, {objects} objects: {row}")
        for row in res:
            label = f"{row['users']:,} users, {row['objects']:,} stored objects"
            big = row["objects"] >= 100000
            table.add("scale", f"{label}: RSS under load / after restart (idle)",
                      f"{row['rss_mb']:.0f} MB / {row['rss_restart_mb']:.0f} MB", "", "",
                      "< 300 MB at 100,000 objects" if big else "",
                      verdict(max(row["rss_mb"], row["rss_restart_mb"]) < 300) if big else "")
            table.add("scale", f"{label}: data directory (database + WAL)", fmt_bytes(row["data_bytes"]))
            table.add("scale", f"{label}: start to ready after restart (AWS API / cluster API)",
                      f"{row['ready_aws_s']:.2f} s / {row['ready_kube_s']:.2f} s", "", "", "< 1 s",
                      verdict(max(row["ready_aws_s"], row["ready_kube_s"]) < 1))
            table.add("scale", f"{label}: list latency, one client (ListUsers MaxItems=1000 of the workspace "
                      f"account's {min(row['users'], cfg.users_per_account):,} users / "
                      f"{min(row['objects'], per_ns):,} configmaps of a namespace)",
                      f"p50 {fmt_ms(row['list_users_p50_ms'])} / p50 {fmt_ms(row['list_objects_p50_ms'])}, "
                      f"p99 {fmt_ms(row['list_objects_p99_ms'])}")
            if row.get("create_objects_per_s"):
                table.add("scale", f"{label}: configmap creates while growing ({C} connections)",
                          fmt_rate(row["create_objects_per_s"]))
    finally:
        orch.stop()


def new_account_admin(orch, name):
    """A new member account (Organizations CreateAccount by the management account's admin)
    and an access key of an administrator in it, made through OrganizationAccountAccessRole."""
    mkey, msecret = orch.keys("orchestera-org")
    orgs = orch.client("organizations", mkey, msecret)
    st = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
    deadline = time.time() + 30
    while st["State"] != "SUCCEEDED":
        if st["State"] == "FAILED" or time.time() > deadline:
            raise RuntimeError(f"CreateAccount {name}: {st}")
        time.sleep(0.2)
        st = orgs.describe_create_account_status(CreateAccountRequestId=st["Id"])["CreateAccountStatus"]
    acct = st["AccountId"]
    creds = orch.client("sts", mkey, msecret).assume_role(
        RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", RoleSessionName="bench")["Credentials"]
    iam = orch.client("iam", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    iam.create_user(UserName="bench-admin")
    iam.attach_user_policy(UserName="bench-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    k = iam.create_access_key(UserName="bench-admin")["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def measure_level(cfg, orch, cl, key, secret, users, objects, per_ns):
    D = cfg.list_duration
    lu = aws_load(orch.endpoint, orch.ca, key, secret, "iam", "Action=ListUsers&MaxItems=1000&Version=2010-05-08",
                  connections=1, duration=D, warmup=0.2, what="ListUsers at scale")
    lo = loadgen(cl.endpoint, cacert=cl.ca, cert=cl.cert, key=cl.key, connections=1, duration=D, warmup=0.2,
                 target="/api/v1/namespaces/s-0/configmaps", what="list configmaps at scale")
    rss = orch.rss()
    data = dir_size(orch.data_dir)
    # Clients made before the restart (on the same AWS port), so their set-up is not timed.
    sts, eks = orch.client("sts"), orch.client("eks")
    orch.stop()
    t0 = time.monotonic()
    orch.start()
    # Ready: a signed call answers on the AWS API, and the cluster (at the endpoint DescribeCluster
    # now gives) lists its objects.
    while True:
        try:
            sts.get_caller_identity()
            break
        except Exception:
            if time.monotonic() - t0 > 60:
                raise
            time.sleep(0.01)
    ready_aws = time.monotonic() - t0
    while True:
        try:
            c = eks.describe_cluster(name=cl.name)["cluster"]
            ca = write_pem(cfg.work / "restart-ca.crt", base64.b64decode(c["certificateAuthority"]["data"]).decode())
            r = requests.get(c["endpoint"].rstrip("/") + "/api/v1/namespaces/s-0/configmaps", cert=(cl.cert, cl.key),
                             verify=ca, timeout=10)
            if r.status_code == 200:
                break
        except Exception:
            pass
        if time.monotonic() - t0 > 60:
            raise RuntimeError("the cluster API did not come back after a restart")
        time.sleep(0.01)
    ready_kube = time.monotonic() - t0
    cl.refresh()
    rss_restart = orch.rss()
    return dict(rss_mb=rss["VmRSS"] / 1024, rss_hwm_mb=rss["VmHWM"] / 1024, rss_restart_mb=rss_restart["VmRSS"] / 1024,
                data_bytes=data, ready_aws_s=ready_aws, ready_kube_s=ready_kube, serving_line_s=orch.serving_after,
                list_users_p50_ms=lu["p50_ms"], list_users_p99_ms=lu["p99_ms"], list_objects_p50_ms=lo["p50_ms"],
                list_objects_p99_ms=lo["p99_ms"])


# ---------------------------------------------------------------------------------------------

def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    commit = "unknown"
    try:  # read-only git commands: which code was measured
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip():
            commit += " + uncommitted changes"
    except (OSError, subprocess.CalledProcessError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1), "commit": commit,
            "kernel": platform.release(), "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


class Config:
    def __init__(self, a):
        self.smoke = a.smoke
        self.connections = a.connections
        if a.smoke:
            self.duration, self.warmup = 0.5, 0.2
            self.micro_min_time = 0.002
            self.identity_users = 20
            self.pods = 20
            self.watchers, self.watch_writes = 10, 10
            self.scale_levels = [(20, 50), (50, 150)]
            self.objects_per_ns = 100
            self.users_per_account = 30  # so the smoke run also spreads users over accounts
            self.list_duration = 0.3
        else:
            self.duration, self.warmup = a.duration, 1.0
            self.micro_min_time = 0.5
            self.identity_users = 1000
            self.pods = 1000
            self.watchers, self.watch_writes = 100, 50
            self.scale_levels = [(1000, 1000), (10000, 10000), (10000, 100000)]
            self.objects_per_ns = 1000
            self.users_per_account = 4000
            self.list_duration = 2.0
        self.work = Path(tempfile.mkdtemp(prefix="run-", dir=BUILD))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, short runs (CI): checks that everything works")
    ap.add_argument("--phases", default="micro,identity,cluster,scale")
    ap.add_argument("--connections", type=int, default=16, help="concurrent connections of the load generator")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds measured per load run (after 1 s warm-up)")
    ap.add_argument("--out", help="where the table goes (and .json beside it); default "
                    "build/bench/results.md, or results-smoke.md with --smoke")
    ap.add_argument("--keep", action="store_true", help="keep the run's data directories and logs")
    a = ap.parse_args()
    for b in (SERVER_BIN, MICRO_BIN, LOADGEN_BIN):
        if not b.exists():
            sys.exit(f"{b} is missing: build the bench preset first (bench/run does)")
    a.out = a.out or str(BUILD / ("results-smoke.md" if a.smoke else "results.md"))
    cfg = Config(a)
    table = Table()
    raw = {"machine": machine(), "smoke": cfg.smoke, "connections": cfg.connections}
    started = time.monotonic()
    phases = {"micro": phase_micro, "identity": phase_identity, "cluster": phase_cluster, "scale": phase_scale}
    ok = True
    try:
        for name in a.phases.split(","):
            t0 = time.monotonic()
            phases[name](cfg, table, raw)
            raw.setdefault("phase_seconds", {})[name] = round(time.monotonic() - t0, 1)
    except Exception as e:
        ok = False
        log(f"FAILED: {e}; logs and data are in {cfg.work}")
        raise
    finally:
        m = raw["machine"]
        header = (f"Orchestera benchmarks{' (SMOKE: tiny sizes, not figures)' if cfg.smoke else ''}, "
                  f"{m['date']}, commit {m['commit']}: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB; "
                  f"{cfg.connections} connections, {cfg.duration:g} s per load run; "
                  f"total {time.monotonic() - started:.0f} s")
        md = header + "\n\n" + table.markdown() + "\n"
        out = Path(a.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(md)
        out.with_suffix(".json").write_text(json.dumps(raw, indent=1, default=str))
        print(md)
        log(f"table written to {out} (raw figures in {out.with_suffix('.json')})")
        if ok and not a.keep:
            shutil.rmtree(cfg.work, ignore_errors=True)


if __name__ == "__main__":
    main()
