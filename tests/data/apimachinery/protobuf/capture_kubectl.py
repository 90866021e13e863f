#!/usr/bin/env python3
"""Records the request bodies that the real kubectl sends, as fixtures for kubeproto_test.

It runs a small HTTPS API server on 127.0.0.1 (a self-signed certificate; kubectl is pointed at
it with insecure-skip-tls-verify), runs each command of COMMANDS against it, and writes one
fixture per command into this directory: the method, path, Content-Type and body (hex) of every
write request, plus -- for `kubectl create` generators -- the object that the same command prints
with `--dry-run=client -o json`, which is Go's own JSON form of the object it sends, so the
decoder is checked against kubectl itself rather than against our reading of the schema.

    python3 tests/data/apimachinery/protobuf/capture_kubectl.py [--kubectl /usr/bin/kubectl]

Nothing here is needed by the build or the tests; it only refreshes the fixtures.
"""

import argparse
import http.server
import json
import os
import pathlib
import ssl
import subprocess
import sys
import tempfile
import threading

HERE = pathlib.Path(__file__).resolve().parent

# (group, version, resource, kind, namespaced, subresources)
RESOURCES = [
    ("", "v1", "pods", "Pod", True, ["log"]),
    ("", "v1", "namespaces", "Namespace", False, []),
    ("", "v1", "configmaps", "ConfigMap", True, []),
    ("", "v1", "secrets", "Secret", True, []),
    ("", "v1", "serviceaccounts", "ServiceAccount", True, ["token"]),
    ("", "v1", "services", "Service", True, []),
    ("", "v1", "resourcequotas", "ResourceQuota", True, []),
    ("", "v1", "nodes", "Node", False, []),
    ("", "v1", "events", "Event", True, []),
    ("rbac.authorization.k8s.io", "v1", "roles", "Role", True, []),
    ("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True, []),
    ("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False, []),
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False, []),
    ("apps", "v1", "deployments", "Deployment", True, ["scale"]),
    ("batch", "v1", "jobs", "Job", True, []),
    ("batch", "v1", "cronjobs", "CronJob", True, []),
    ("networking.k8s.io", "v1", "ingresses", "Ingress", True, []),
    ("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, []),
    ("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", False, []),
    ("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False,
     []),
    ("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False, []),
    ("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", False, []),
    ("coordination.k8s.io", "v1", "leases", "Lease", True, []),
]

# (fixture name, kubectl arguments, whether `--dry-run=client -o json` gives the expected object)
COMMANDS = [
    ("whoami", ["auth", "whoami"], False),
    ("can_i_create_pods", ["auth", "can-i", "create", "pods", "-n", "data-science"], False),
    ("can_i_get_healthz", ["auth", "can-i", "get", "/healthz"], False),
    ("can_i_list", ["auth", "can-i", "--list", "-n", "data-science"], False),
    ("create_namespace", ["create", "namespace", "x"], True),
    ("create_role", ["create", "role", "r", "--verb=get,list", "--resource=pods",
                     "--resource-name=p1", "-n", "x"], True),
    ("create_clusterrole", ["create", "clusterrole", "cr", "--verb=get",
                            "--non-resource-url=/healthz"], True),
    ("create_rolebinding", ["create", "rolebinding", "rb", "--role=r", "--user=alice",
                            "--group=devs", "--serviceaccount=x:sa", "-n", "x"], True),
    ("create_clusterrolebinding", ["create", "clusterrolebinding", "crb", "--clusterrole=cr",
                                   "--user=bob"], True),
    ("create_secret_generic", ["create", "secret", "generic", "s", "--from-literal=a=b",
                               "--from-literal=empty=", "-n", "x"], True),
    ("create_configmap", ["create", "configmap", "cm", "--from-literal=k=v", "-n", "x"], True),
    ("create_serviceaccount", ["create", "serviceaccount", "sa", "-n", "x"], True),
    ("create_quota", ["create", "quota", "q", "--hard=cpu=1,memory=1Gi,pods=10", "-n", "x"],
     True),
    ("create_deployment", ["create", "deployment", "d", "--image=busybox", "--replicas=2",
                           "--port=8080", "-n", "x"], True),
    ("create_job", ["create", "job", "j", "--image=busybox", "-n", "x", "--", "sleep", "1"],
     True),
    ("create_cronjob", ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *",
                        "-n", "x"], True),
    ("create_service_clusterip", ["create", "service", "clusterip", "svc", "--tcp=80:8080",
                                  "-n", "x"], True),
    ("create_ingress", ["create", "ingress", "ing", "--rule=foo.com/bar=svc:80", "-n", "x"],
     True),
    ("create_pdb", ["create", "poddisruptionbudget", "pdb", "--selector=app=a",
                    "--min-available=1", "-n", "x"], True),
    ("create_priorityclass", ["create", "priorityclass", "pc", "--value=1000"], True),
    ("create_token", ["create", "token", "sa", "-n", "x"], False),
]

captured = []  # (method, path, content type, accept, user agent, body bytes)


def discovery(groups, version):
    items = []
    by_group = {}
    for g, v, res, kind, namespaced, subs in RESOURCES:
        if (g == "") != (groups == "core"):
            continue
        by_group.setdefault(g, {}).setdefault(v, []).append({
            "resource": res, "singularResource": kind.lower(),
            "responseKind": {"group": g, "version": v, "kind": kind},
            "scope": "Namespaced" if namespaced else "Cluster",
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            "subresources": [{"subresource": s, "responseKind": {"group": g, "version": v,
                                                               "kind": kind},
                              "verbs": ["get", "create"]} for s in subs],
        })
    for g, versions in by_group.items():
        items.append({"metadata": {"name": g},
                      "versions": [{"version": v, "resources": r} for v, r in versions.items()]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}",
            "items": items}


def reply_object(path):
    parts = [p for p in path.split("?")[0].split("/") if p]
    g, v = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
    api_version = f"{g}/{v}" if g else v
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    namespace = None
    if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) > 2:
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    if len(rest) >= 3 and rest[2] == "token":
        return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"name": rest[1]}, "spec": {"audiences": []},
                "status": {"token": "captured-token",
                           "expirationTimestamp": "2030-01-01T00:00:00Z"}}
    kind = next(k for (gg, vv, r, k, _, _) in RESOURCES if gg == g and vv == v and r == resource)
    obj = {"kind": kind, "apiVersion": api_version, "metadata": {"name": "captured"}}
    if namespace:
        obj["metadata"]["namespace"] = namespace
    if kind == "SelfSubjectAccessReview":
        obj["status"] = {"allowed": True}
    elif kind == "SelfSubjectRulesReview":
        obj["status"] = {"resourceRules": [{"verbs": ["get"], "apiGroups": [""],
                                            "resources": ["pods"]}],
                         "nonResourceRules": [], "incomplete": False}
    elif kind == "SelfSubjectReview":
        obj["status"] = {"userInfo": {"username": "alice", "groups": ["system:authenticated"]}}
    return obj


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, obj, content_type="application/json"):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        # kubectl 1.28 and older ask for v2beta1 only; the body is the same.
        accept = self.headers.get("Accept", "")
        dv = "v2" if "v=v2;" in accept else "v2beta1"
        aggregated = f"application/json;g=apidiscovery.k8s.io;v={dv};as=APIGroupDiscoveryList"
        if path == "/version":
            # The GKE dispatcher runs the kubectl.1.<minor> binary that matches this answer.
            minor = self.server.minor
            self.send_json(200, {"major": "1", "minor": minor, "gitVersion": f"v1.{minor}.0"})
        elif path == "/api":
            self.send_json(200, discovery("core", dv), aggregated)
        elif path == "/apis":
            self.send_json(200, discovery("groups", dv), aggregated)
        else:
            self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                 "reason": "NotFound", "code": 404, "message": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        captured.append(("POST", self.path, self.headers.get("Content-Type", ""),
                         self.headers.get("Accept", ""), self.headers.get("User-Agent", ""), body))
        self.send_json(201, reply_object(self.path))

    do_PUT = do_POST


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubectl", default="/usr/bin/kubectl")
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--server-minor", default="32", help="minor version /version reports")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="kubeproto-capture-"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", tmp / "key.pem", "-out", tmp / "cert.pem"],
                   check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.minor = args.server_minor
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    kubeconfig = tmp / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{port}",
                                               "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    env = dict(os.environ, HOME=str(tmp), KUBECONFIG=str(kubeconfig),
               KUBECACHEDIR=str(tmp / "cache"))
    for name, argv, dry_run in COMMANDS:
        captured.clear()
        run = subprocess.run([args.kubectl, *argv], env=env, capture_output=True, text=True,
                             timeout=60)
        fixture = {"command": "kubectl " + " ".join(argv),
                   "kubectl": captured[0][4] if captured else "",
                   "exit": run.returncode, "stdout": run.stdout, "stderr": run.stderr,
                   "requests": [{"method": m, "path": p, "contentType": ct, "accept": acc,
                                 "hex": body.hex()} for m, p, ct, acc, _, body in captured]}
        if dry_run:
            # Flags go before a `--` that starts the container command.
            cut = argv.index("--") if "--" in argv else len(argv)
            dr_argv = [*argv[:cut], "--dry-run=client", "-o", "json", *argv[cut:]]
            dr = subprocess.run([args.kubectl, *dr_argv], env=env, capture_output=True,
                                text=True, timeout=60)
            try:
                fixture["dryRunObject"] = json.loads(dr.stdout)
            except ValueError:
                fixture["dryRunObject"] = None
                print(f"{name}: dry run failed: {dr.stderr}", file=sys.stderr)
        out = pathlib.Path(args.out) / f"kubectl_{name}.json"
        if out.exists():
            # A hand-written "expected" object (for replies that have no dry run) is kept.
            previous = json.loads(out.read_text())
            if "expected" in previous:
                fixture["expected"] = previous["expected"]
        out.write_text(json.dumps(fixture, indent=1, sort_keys=False) + "\n")
        kinds = ", ".join(f"{r['method']} {r['path'].split('?')[0]} [{r['contentType']}]"
                          for r in fixture["requests"])
        print(f"{name}: rc={run.returncode} {kinds}", file=sys.stderr)
    server.shutdown()


if __name__ == "__main__":
    main()
