#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the test vectors:
the AWS SigV4 suite (../shared/testdata/sigv4), tests/data/policy, tests/data/apimachinery
(selectors, patches, object metadata, kubectl's recorded protobuf bodies) and tests/data/rbac,
plus EKS tokens minted here for the key the eks_token target holds. Deterministic: running it
again rewrites the same files. At most MAX_SEEDS per target, so the committed sets stay small.

usage: scripts/fuzz_seeds.py [--out fuzz/corpus]
"""
import argparse
import base64
import datetime
import glob
import hashlib
import hmac
import json
import os
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGV4 = os.path.join(ROOT, "..", "shared", "testdata", "sigv4")
DATA = os.path.join(ROOT, "tests", "data")
MAX_SEEDS = 40


def cases(path):
    doc = json.load(open(path))
    return doc["cases"] if isinstance(doc, dict) else doc


def dumps(v):
    return json.dumps(v, separators=(",", ":"))


def first_line_target(request_text):
    first = request_text.split("\n", 1)[0]
    return first.split(" ", 1)[1].rsplit(" HTTP/", 1)[0]


def sigv4_requests(kind):
    out = []
    for d in sorted(glob.glob(os.path.join(SIGV4, "*", ""))):
        p = os.path.join(d, kind + "-signed-request.txt")
        if os.path.exists(p):
            out.append(open(p, encoding="utf-8", errors="surrogateescape").read())
    return out


def sigv4_header():
    return sigv4_requests("header")[:30] + sigv4_requests("query")[:10]


def sigv4_presigned():
    return [first_line_target(r) for r in sigv4_requests("query")]


def policy_docs():
    """(document, request) pairs from the policy cases, named policies resolved."""
    out = []
    for path in sorted(glob.glob(os.path.join(DATA, "policy", "*.json"))):
        doc = json.load(open(path))
        named = doc.get("policies", {}) if isinstance(doc, dict) else {}
        for c in cases(path):
            if "document" in c:
                d = c["document"]
                out.append((d if isinstance(d, str) else dumps(d), None))
                continue
            for ref in c.get("identity", []) + ([c["resource"]] if "resource" in c else []):
                p = named.get(ref, ref) if isinstance(ref, str) else ref
                d = p.get("document", p) if isinstance(p, dict) else p
                out.append((d if isinstance(d, str) else dumps(d), c.get("request")))
    return out


def policy_document():
    seeds = []
    for d, req in policy_docs():
        seeds.append(d + ("\n---\n" + dumps(req) if req else ""))
    # Spread over the files rather than the first ones only.
    step = max(1, len(seeds) // MAX_SEEDS)
    return seeds[::step]


def aws_form():
    seeds = [
        "Action=CreateUser&UserName=alice&Path=%2Feng%2F&Version=2010-05-08",
        "Action=TagUser&UserName=a&Tags.member.1.Key=team&Tags.member.1.Value=red+blue&Tags.member.2.Key=k",
        "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s"
        "&DurationSeconds=3600&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
        "Action=UpdateAccessKey&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=Inactive&Enabled=true",
        "Action=ListUsers&MaxItems=10&Marker=%E2%82%AC%F0%9F%98%80&PathPrefix=%2F",
        "PolicyArns=&a=%zz&b=%C0%AF&c=%ED%A0%80",
    ]
    for d, _ in policy_docs()[:10]:
        seeds.append("Action=PutUserPolicy&PolicyName=p&PolicyDocument=" + urllib.parse.quote(d, safe=""))
    for r in sigv4_requests("query")[:10]:
        t = first_line_target(r)
        seeds.append(t.split("?", 1)[1] if "?" in t else t)
    return seeds


def aws_rest_route():
    return ["POST /clusters", "GET /clusters?maxResults=10", "GET /clusters/dev", "DELETE /clusters/dev%2Fx",
            "POST /clusters/dev/access-entries",
            "GET /clusters/dev/access-entries/arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr",
            "POST /clusters/dev/access-entries/arn%3Aaws%3Aiam%3A%3A1%3Auser%2Fa/access-policies",
            "DELETE /clusters/dev/access-entries/p/access-policies/arn%3Aaws%3Aeks%3A%3Aaws%3Acluster-access-policy"
            "%2FAmazonEKSViewPolicy",
            "GET /access-policies", "GET //clusters//x/", "GET /clusters/%"]


# The key the eks_token target puts in its Directory (fuzz/eks_token.cpp).
EKS_KEY_ID = "AKIAFUZZEXAMPLE00001"
EKS_SECRET = "fuzz/secret+key/0123456789abcdefghijklm"
EKS_NOW = 1796301749


def presign_sts(host, cluster, expires=60, extra=""):
    """A presigned GetCallerIdentity URL as `aws eks get-token` builds it (SigV4 query form)."""
    when = datetime.datetime.fromtimestamp(EKS_NOW, datetime.timezone.utc)
    amz_date, date = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    scope = f"{date}/us-east-1/sts/aws4_request"
    q = {"Action": "GetCallerIdentity", "Version": "2011-06-15", "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
         "X-Amz-Credential": f"{EKS_KEY_ID}/{scope}", "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires),
         "X-Amz-SignedHeaders": "host;x-k8s-aws-id"}
    enc = lambda s: urllib.parse.quote(s, safe="-_.~")
    canonical_query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(q.items()))
    canonical = "\n".join(["GET", "/", canonical_query, f"host:{host}", f"x-k8s-aws-id:{cluster}", "",
                           "host;x-k8s-aws-id", hashlib.sha256(b"").hexdigest()])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + EKS_SECRET).encode()
    for part in (date, "us-east-1", "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"https://{host}/?{canonical_query}&X-Amz-Signature={sig}{extra}"


def token(url):
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def eks_token():
    urls = [presign_sts("127.0.0.1:9443", "c1"), presign_sts("127.0.0.1:9443", "c2"),
            presign_sts("sts.amazonaws.com", "c1"), presign_sts("sts.us-east-1.amazonaws.com", "c1", 900),
            presign_sts("127.0.0.1:9443", "c1", 60, "&X-Amz-Security-Token=abc"),
            presign_sts("STS.amazonaws.com:443", "c1"), "https://127.0.0.1:9443/?Action=GetCallerIdentity"]
    return [token(u) for u in urls] + ["k8s-aws-v1.", "k8s-aws-v1.aHR0cHM6Ly8=", "Bearer x"]


def kube_objects():
    objs = []
    for path in sorted(glob.glob(os.path.join(DATA, "apimachinery", "protobuf", "**", "*.json"), recursive=True)):
        d = json.load(open(path))
        for k in ("dryRunObject", "expected"):
            if isinstance(d.get(k), dict):
                objs.append(d[k])
    for c in cases(os.path.join(DATA, "apimachinery", "unknown_fields.json")):
        if isinstance(c.get("object"), dict):
            objs.append(c["object"])
    for c in cases(os.path.join(DATA, "apimachinery", "object_meta.json")):
        objs.append({"apiVersion": "v1", "kind": c.get("kind", "ConfigMap"), "metadata": c["metadata"]})
    for c in cases(os.path.join(DATA, "rbac", "validation.json")):
        if isinstance(c.get("parse"), dict):
            objs.append(c["parse"])
    return objs


def kube_json_body():
    seeds = [json.dumps(o, indent=1) for o in kube_objects()]
    seeds.append('{"kind":"DeleteOptions","gracePeriodSeconds":-1,"propagationPolicy":"Orphan",'
                 '"preconditions":{"uid":"u"},"orphanDependents":true}')
    seeds.append('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","name":"q"},"spec":{}}')
    step = max(1, len(seeds) // MAX_SEEDS)
    return seeds[::step]


def kube_protobuf():
    seeds = []
    for path in sorted(glob.glob(os.path.join(DATA, "apimachinery", "protobuf", "**", "*.json"), recursive=True)):
        for r in json.load(open(path)).get("requests", []):
            if r.get("hex") and "protobuf" in r.get("contentType", ""):
                seeds.append(bytes.fromhex(r["hex"]))
    seeds += [dumps(o).encode() for o in kube_objects()[:8]]
    return seeds[:MAX_SEEDS]


def selector_strings(name):
    out = []
    for c in cases(os.path.join(DATA, "apimachinery", name)):
        if isinstance(c.get("selector"), str):
            out.append(c["selector"])
    return out


def label_selector():
    seeds = selector_strings("labels.json")
    step = max(1, len(seeds) // MAX_SEEDS)
    return seeds[::step]


def field_selector():
    return selector_strings("fields.json")[:MAX_SEEDS]


def patch():
    seeds = []
    for name in ("merge_patch.json", "json_patch.json", "strategic_merge.json"):
        for c in cases(os.path.join(DATA, "apimachinery", name)):
            if "original" in c and "patch" in c:
                live = c["original"]
                if name == "strategic_merge.json" and isinstance(live, dict) and c.get("kind"):
                    live = {"apiVersion": ("%s/v1" % c["group"]) if c.get("group") else "v1", "kind": c["kind"],
                            **live}
                seeds.append(json.dumps(live, indent=1) + "\n---\n" + json.dumps(c["patch"], indent=1))
    for c in cases(os.path.join(DATA, "apimachinery", "server_side_apply.json")):
        steps = [s for s in c.get("steps", []) if "config" in s]
        if steps:
            live = c.get("live") or steps[0]["config"]
            seeds.append(json.dumps(live, indent=1) + "\n---\n" + json.dumps(steps[-1]["config"], indent=1))
    step = max(1, len(seeds) // MAX_SEEDS)
    return seeds[::step]


def kube_query():
    seeds = ["v1/pods?watch=true&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=30",
             "v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
             "apps/v1/deployments?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&fieldSelector=metadata.name%3Dx",
             "v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls&limit=500",
             "v1/namespaces?gracePeriodSeconds=-1&propagationPolicy=Foreground&orphanDependents=false",
             "v1/pods?gracePeriodSeconds=99999999999999999999&dryRun=All",
             "batch/v1/jobs?fieldSelector=status.successful%3D1&resourceVersion=abc"]
    seeds += ["v1/pods?labelSelector=" + urllib.parse.quote(s, safe="") for s in label_selector()[:10]]
    return seeds


TARGETS = {f.__name__: f for f in (sigv4_header, sigv4_presigned, aws_form, aws_rest_route, policy_document,
                                   eks_token, kube_json_body, kube_protobuf, label_selector, field_selector,
                                   patch, kube_query)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fuzz", "corpus"))
    args = ap.parse_args()
    for name, make in TARGETS.items():
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        seeds = list(dict.fromkeys(make()))[:MAX_SEEDS]  # unique, in order
        for s in seeds:
            b = s if isinstance(s, bytes) else s.encode("utf-8", "surrogateescape")
            # Named by content (as libFuzzer names its own corpus files), so reruns add nothing.
            with open(os.path.join(d, "seed-" + hashlib.sha1(b).hexdigest()[:16]), "wb") as f:
                f.write(b)
        print(f"{name}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
