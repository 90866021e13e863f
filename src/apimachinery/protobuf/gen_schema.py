#!/usr/bin/env python3
"""Generates schema_data.inc, the protobuf schema of the built-in Kubernetes kinds.

Field numbers and proto types come from the `generated.proto` files of k8s.io/api and
k8s.io/apimachinery. The proto files do not say how a field looks in JSON, so the generator also
reads the Go structs of the same packages: their struct tags give the JSON name and `omitempty`,
and the Go field shape (pointer or value, anonymous embedding) decides whether an unset field
is emitted as a zero value, as null, or not at all -- the rules that Go's encoding/json and the
gogo-protobuf marshallers apply on a real API server. Both sources are cross-checked (field
number and wire kind of every proto field must match its Go `protobuf:` tag).

Nothing here runs at build time: the output is committed. To regenerate (no network needed once
the two repositories are on disk; any clone or bare mirror works, the files are read with
`git show <ref>:<path>`):

    python3 src/apimachinery/protobuf/gen_schema.py \
        --api-git /path/to/kubernetes/api --apimachinery-git /path/to/kubernetes/apimachinery \
        --ref v0.32.4 > src/apimachinery/protobuf/schema_data.inc

To cover another API group, add its package to API_PACKAGES below.
"""

import argparse
import re
import subprocess
import sys

# (repository, package directory, API group, version). The group and version decide the
# apiVersion under which the package's top-level kinds are registered.
APIMACHINERY_PACKAGES = [
    ("apimachinery", "pkg/apis/meta/v1", "meta.k8s.io", "v1"),
    ("apimachinery", "pkg/runtime", None, None),
    ("apimachinery", "pkg/runtime/schema", None, None),
    ("apimachinery", "pkg/api/resource", None, None),
    ("apimachinery", "pkg/util/intstr", None, None),
]
API_PACKAGES = [
    ("api", "core/v1", "", "v1"),
    ("api", "rbac/v1", "rbac.authorization.k8s.io", "v1"),
    ("api", "authentication/v1", "authentication.k8s.io", "v1"),
    ("api", "authorization/v1", "authorization.k8s.io", "v1"),
    ("api", "coordination/v1", "coordination.k8s.io", "v1"),
    ("api", "events/v1", "events.k8s.io", "v1"),
    # Groups that kubectl's `create` generators (deployment, job, cronjob, ingress, pdb,
    # priorityclass) post through the typed client, i.e. as protobuf.
    ("api", "apps/v1", "apps", "v1"),
    ("api", "batch/v1", "batch", "v1"),
    ("api", "networking/v1", "networking.k8s.io", "v1"),
    ("api", "policy/v1", "policy", "v1"),
    ("api", "scheduling/v1", "scheduling.k8s.io", "v1"),
    ("api", "storage/v1", "storage.k8s.io", "v1"),
    ("api", "discovery/v1", "discovery.k8s.io", "v1"),
    ("api", "autoscaling/v1", "autoscaling", "v1"),
    ("api", "autoscaling/v2", "autoscaling", "v2"),
    ("api", "certificates/v1", "certificates.k8s.io", "v1"),
]

# Messages whose JSON form is not the plain object of their fields (they have their own
# MarshalJSON in Go). Fields of these types get a dedicated FieldType instead of Message.
SPECIAL = {
    "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "Duration",
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "FieldsV1",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "RawExtension",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "k8s.io.apimachinery.pkg.api.resource.QuantityValue": "Quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
}

SCALARS = {
    "string": "String",
    "bytes": "Bytes",
    "bool": "Bool",
    "int32": "Int32",
    "int64": "Int64",
    "uint32": "UInt32",
    "uint64": "UInt64",
    "double": "Double",
    "float": "Float",
}

# Kinds that Kubernetes registers by hand rather than through an embedded TypeMeta.
EXTRA_KINDS = [("meta.k8s.io/v1", "WatchEvent", "k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent")]


def die(msg):
    sys.stderr.write("gen_schema: " + msg + "\n")
    sys.exit(1)


class Repo:
    def __init__(self, git_dir, ref):
        self.git_dir, self.ref = git_dir, ref

    def show(self, path):
        return subprocess.run(["git", "-C", self.git_dir, "show", f"{self.ref}:{path}"],
                              check=True, capture_output=True, text=True).stdout

    def ls(self, directory):
        out = subprocess.run(["git", "-C", self.git_dir, "ls-tree", "--name-only",
                              f"{self.ref}:{directory}"], check=True, capture_output=True,
                             text=True).stdout
        return out.split()


# ---------------------------------------------------------------------------------------------
# generated.proto: package, messages, fields. The files are machine-written proto2 with one
# declaration per line and no nested messages, which keeps this parser small.

FIELD_RE = re.compile(r"^(optional|repeated)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;$")
MAP_RE = re.compile(r"^map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$")


def strip_comments(text):
    # Line comments first: they contain paths such as "apis/*/..." that look like block comments.
    text = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def parse_proto(text):
    package = None
    messages = []  # (name, [field dicts]) in file order
    current = None
    for raw in strip_comments(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("package "):
            package = line[len("package "):].rstrip(";").strip()
        elif line.startswith(("syntax ", "import ", "option ")):
            continue
        elif line.startswith("message "):
            if current is not None:
                die("nested message: " + line)
            name = line[len("message "):].rstrip("{").strip()
            current = (name, [])
        elif line == "}":
            if current is None:
                die("unbalanced }")
            messages.append(current)
            current = None
        elif current is not None:
            m = FIELD_RE.match(line)
            if m:
                current[1].append({"label": m.group(1), "type": m.group(2), "name": m.group(3),
                                   "number": int(m.group(4))})
                continue
            m = MAP_RE.match(line)
            if m:
                if m.group(1) != "string":
                    die("map with a non-string key: " + line)
                current[1].append({"label": "map", "type": m.group(2), "name": m.group(3),
                                   "number": int(m.group(4))})
                continue
            die("unparsed proto line: " + line)
        else:
            die("unexpected proto line: " + line)
    if package is None:
        die("proto without package")
    return package, messages


# ---------------------------------------------------------------------------------------------
# Go sources: struct fields with their tags, and named slice types.

STRUCT_START = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*$")
EMPTY_STRUCT = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*\}\s*$")
ALIAS_TYPE = re.compile(r"^type\s+(\w+)\s+metav1\.(\w+)\s*$")
SLICE_TYPE = re.compile(r"^type\s+(\w+)\s+\[\](\w+)\s*$")
GO_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w.*\[\]]+)\s+`([^`]*)`\s*$")
TAG = re.compile(r'(\w+):"([^"]*)"')


def parse_go(text, structs, slices, aliases):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = ALIAS_TYPE.match(line)
        if m:
            aliases[m.group(1)] = m.group(2)  # e.g. core/v1 `type List metav1.List`
        m = SLICE_TYPE.match(line)
        if m:
            slices[m.group(1)] = m.group(2)
        m = EMPTY_STRUCT.match(line)
        if m:
            structs[m.group(1)] = []
        m = STRUCT_START.match(line)
        if not m:
            i += 1
            continue
        name, fields, depth = m.group(1), [], 1
        i += 1
        while i < len(lines) and depth > 0:
            line = lines[i]
            i += 1
            if line.lstrip().startswith("//"):
                continue
            # Code is what precedes a trailing comment; a tag (between backticks) stays whole.
            code = line[:line.rindex("`") + 1] if "`" in line else line.split("//", 1)[0]
            bare = re.sub(r"`[^`]*`", "", code)
            depth += bare.count("{") - bare.count("}")
            if depth == 1:
                fm = GO_FIELD.match(code)
                if fm:
                    tags = dict(TAG.findall(fm.group(3)))
                    fields.append({"go_name": fm.group(1), "go_type": fm.group(2), "tags": tags})
        structs[name] = fields


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--api-git", required=True, help="git dir of k8s.io/api")
    ap.add_argument("--apimachinery-git", required=True, help="git dir of k8s.io/apimachinery")
    ap.add_argument("--ref", required=True, help="tag of both repositories, e.g. v0.32.4")
    args = ap.parse_args()
    repos = {"api": Repo(args.api_git, args.ref),
             "apimachinery": Repo(args.apimachinery_git, args.ref)}

    messages = {}  # full name -> dict
    kinds = []     # (apiVersion, kind, full name)
    for repo_name, pkg_dir, group, version in APIMACHINERY_PACKAGES + API_PACKAGES:
        repo = repos[repo_name]
        package, proto_messages = parse_proto(repo.show(pkg_dir + "/generated.proto"))
        structs, slices, aliases = {}, {}, {}
        for f in repo.ls(pkg_dir):
            if (f.endswith(".go") and not f.endswith("_test.go") and not f.startswith("zz_")
                    and f != "generated.pb.go"):
                parse_go(repo.show(f"{pkg_dir}/{f}"), structs, slices, aliases)
        if pkg_dir == "pkg/apis/meta/v1":
            meta_structs = structs
        for alias, target in aliases.items():
            structs[alias] = meta_structs[target]
        for name, fields in proto_messages:
            full = f"{package}.{name}"
            msg = {"full": full, "package": package, "name": name, "fields": [],
                   "list_wrapper": False, "kind": None}
            messages[full] = msg
            if name in slices:
                # `type ExtraValue []string` is a message { repeated string items = 1; } on the
                # wire and a plain JSON array.
                if len(fields) != 1 or fields[0]["label"] != "repeated" or fields[0]["number"] != 1:
                    die(f"{full}: slice type whose message is not {{repeated items = 1}}")
                msg["list_wrapper"] = True
                msg["proto_fields"] = [(fields[0], {"go_name": "items", "go_type": "[]",
                                                    "tags": {"json": "items"}})]
                continue
            if full in SPECIAL or full == "k8s.io.apimachinery.pkg.apis.meta.v1.Timestamp":
                # Custom Go (un)marshallers; the transcoder handles these by type, and the
                # table only records their wire fields.
                msg["proto_fields"] = [(f, {"go_name": f["name"], "go_type": "",
                                            "tags": {"json": f["name"]}}) for f in fields]
                continue
            go_fields = structs.get(name)
            if go_fields is None:
                die(f"{full}: no Go struct")
            by_proto_name = {}
            for gf in go_fields:
                pb = gf["tags"].get("protobuf")
                if pb and pb != "-":
                    parts = pb.split(",")
                    opts = dict(p.split("=", 1) for p in parts if "=" in p)
                    gf["pb_wire"], gf["pb_number"] = parts[0], int(parts[1])
                    # A few tags carry no name= (EphemeralContainer's embedded
                    # EphemeralContainerCommon: `protobuf:"bytes,1,req"`); the number then decides.
                    by_proto_name[opts.get("name", f"#{gf['pb_number']}")] = gf
            pairs = []
            for f in fields:
                gf = by_proto_name.get(f["name"]) or by_proto_name.get(f"#{f['number']}")
                if gf is None:
                    die(f"{full}.{f['name']}: no Go field with that protobuf name")
                if gf["pb_number"] != f["number"]:
                    die(f"{full}.{f['name']}: proto number {f['number']}, "
                        f"Go tag {gf['pb_number']}")
                # The wire kind in a Go tag is not checked: generated.proto is what the
                # marshallers were generated from, and about thirty hand-written tags are stale
                # (DeleteOptions.propagationPolicy says varint for a string, for one).
                pairs.append((f, gf))
            # JSON order is the Go struct order (encoding/json walks fields in declaration order).
            go_order = {id(gf): n for n, gf in enumerate(go_fields)}
            pairs.sort(key=lambda p: go_order[id(p[1])])
            msg["proto_fields"] = pairs
            embeds_typemeta = any(gf["go_name"] is None and gf["go_type"] in
                                  ("metav1.TypeMeta", "TypeMeta") for gf in go_fields)
            if embeds_typemeta and group is not None:
                api_version = f"{group}/{version}" if group else version
                kinds.append((api_version, name, full))

    kinds.extend(EXTRA_KINDS)

    def resolve(type_name, package):
        if type_name in SCALARS:
            return SCALARS[type_name], None
        full = type_name[1:] if type_name.startswith(".") else (
            type_name if "." in type_name else f"{package}.{type_name}")
        if full not in messages:
            die(f"unresolved type {type_name} in {package}")
        if full in SPECIAL:
            return SPECIAL[full], None
        return "Message", full

    names = sorted(messages)
    index = {n: i for i, n in enumerate(names)}
    out_fields, out_order, out_msgs = [], [], []
    json_name_mismatches = []
    for full in names:
        msg = messages[full]
        first, first_order = len(out_fields), len(out_order)
        for f, gf in msg["proto_fields"]:
            ftype, ref = resolve(f["type"], msg["package"])
            card = {"optional": "S", "repeated": "R", "map": "M"}[f["label"]]
            flags = []
            json_tag = gf["tags"].get("json", "")
            json_name, _, opts = json_tag.partition(",")
            if json_tag == "-":
                flags.append("kNoJson")
                json_name = ""
            elif json_name == "" and gf["go_name"] is None:
                flags.append("kInline")  # anonymous embedded struct: fields promoted into parent
            elif json_name == "":
                json_name = gf["go_name"]  # encoding/json falls back to the Go field name
            if "omitempty" in opts.split(","):
                flags.append("kOmitEmpty")
            if gf["go_type"].startswith("*"):
                flags.append("kPointer")
            if json_name and json_name != f["name"] and "kNoJson" not in flags:
                json_name_mismatches.append(f"{full}.{f['name']} -> {json_name}")
            out_fields.append((f["number"], json_name, ftype, card, flags,
                               index[ref] if ref else -1, f["name"]))
        count = len(out_fields) - first
        if count > 255:
            die(f"{full}: more than 255 fields")
        order = sorted(range(count), key=lambda k: out_fields[first + k][0])
        out_order.extend(order)
        out_msgs.append((full, first, count, first_order, msg["list_wrapper"]))

    w = sys.stdout.write
    w("// Generated by gen_schema.py from k8s.io/api and k8s.io/apimachinery "
      f"{args.ref}. Do not edit.\n")
    w("// Field numbers and types: generated.proto; JSON names, omitempty and pointer-ness:\n")
    w("// the Go struct tags and field types of the same packages.\n")
    if json_name_mismatches:
        w("// Fields whose JSON name differs from the proto name:\n")
        for m in json_name_mismatches:
            w(f"//   {m}\n")
    w(f"// {len(out_msgs)} messages, {len(out_fields)} fields, {len(kinds)} kinds.\n\n")
    w("inline constexpr MessageInfo kMessages[] = {\n")
    for full, first, count, first_order, wrapper in out_msgs:
        w(f'    {{"{full}", {first}, {count}, {first_order}, {"true" if wrapper else "false"}}},\n')
    w("};\n\n")
    w("// {number, JSON name, type, cardinality, flags, message index or -1}, per message in Go\n")
    w("// struct order.\n")
    w("inline constexpr FieldInfo kFields[] = {\n")
    for number, json_name, ftype, card, flags, ref, proto_name in out_fields:
        fl = "|".join(flags) if flags else "0"
        comment = f"  // {proto_name}" if proto_name != json_name else ""
        w(f'    {{{number}, "{json_name}", {ftype}, {card}, {fl}, {ref}}},{comment}\n')
    w("};\n\n")
    w("// Per message, its field offsets sorted by field number (the order of the wire form).\n")
    w("inline constexpr uint8_t kEncodeOrder[] = {\n")
    for k in range(0, len(out_order), 32):
        w("    " + ",".join(str(x) for x in out_order[k:k + 32]) + ",\n")
    w("};\n\n")
    w("// Top-level kinds (Go structs embedding TypeMeta), sorted by apiVersion then kind.\n")
    w("inline constexpr KindInfo kKinds[] = {\n")
    for api_version, kind, full in sorted(kinds):
        w(f'    {{"{api_version}", "{kind}", {index[full]}}},\n')
    w("};\n")


if __name__ == "__main__":
    main()
