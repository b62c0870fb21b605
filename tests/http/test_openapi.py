"""Checks docs/openapi.yaml against the server. The (method, path) pairs under /api/v1/ that
`noaber routes` prints must be exactly those of the document's paths (read with a small
line-based reader, as the document is plain block YAML); the document must hang together
(operation ids, path parameters, $refs, security schemes); every documented request field must be
one the server reads (an invalid value for each comes back in the 422's "fields", and {} names
exactly the required ones); and real answers of a running server, good and bad, must have a
documented status and match the documented schema.

No YAML library is needed: `parse_yaml` reads the block-style subset the document keeps to (the
comment at its top says so). When Debian's python3-yaml happens to be installed, one test checks
that both readers agree.
"""

import json
import os
import re
import sys
import unittest

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402

DOC = os.path.join(harness.REPO, "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


# --- a reader for the YAML subset of docs/openapi.yaml ------------------------------------------


def paths_section(text):
    """The (METHOD, path) pairs of the top-level `paths:` mapping, line by line."""
    pairs, in_paths, path = set(), False, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_paths = line.rstrip() == "paths:"
            continue
        if not in_paths:
            continue
        m = re.match(r"^  (/\S*):\s*$", line)
        if m:
            path = m.group(1)
            continue
        m = re.match(r"^    ([a-z]+):\s*$", line)
        if m and path and m.group(1) in METHODS:
            pairs.add((m.group(1).upper(), path))
    return pairs


class YamlSubsetError(ValueError):
    pass


def _strip_comment(s):
    quote = None
    for i, ch in enumerate(s):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or s[i - 1] in " [,:"):
            quote = ch
        elif ch == "#" and (i == 0 or s[i - 1] == " "):
            return s[:i].rstrip()
    return s


def _scalar(s, where):
    s = s.strip()
    if s.startswith("'"):
        if not s.endswith("'") or len(s) < 2:
            raise YamlSubsetError("%s: unterminated quote" % where)
        return s[1:-1].replace("''", "'")
    if s.startswith('"'):
        return json.loads(s)
    if s.startswith("["):
        if not s.endswith("]"):
            raise YamlSubsetError("%s: flow list on one line only" % where)
        inner = s[1:-1].strip()
        return [_scalar(x, where) for x in inner.split(",")] if inner else []
    if s == "{}":
        return {}
    if s[:1] in "{&*!%@`|>":
        raise YamlSubsetError("%s: %r is outside the subset" % (where, s))
    if ": " in s or s.endswith(":"):
        raise YamlSubsetError("%s: ambiguous plain scalar %r" % (where, s))
    if s in ("true", "false"):
        return s == "true"
    if s in ("null", "~"):
        return None
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return s


def _split_key(text, where):
    if text[:1] in "'\"":
        end = text.index(text[0], 1)
        key, rest = _scalar(text[:end + 1], where), text[end + 1:]
        if not rest.startswith(":"):
            raise YamlSubsetError("%s: expected ':' after a key" % where)
        return key, rest[1:]
    m = re.match(r"^([^:#]+?):(?: (.*)|)$", text)
    if not m:
        raise YamlSubsetError("%s: expected 'key: value', got %r" % (where, text))
    return m.group(1), m.group(2) or ""


class _Reader:
    def __init__(self, text):
        self.lines = text.splitlines()
        self.i = 0

    def peek(self):
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            body = raw.strip()
            if body and not body.startswith("#"):
                if "\t" in raw[:len(raw) - len(raw.lstrip())]:
                    raise YamlSubsetError("line %d: tab in indentation" % (self.i + 1))
                return len(raw) - len(raw.lstrip(" ")), _strip_comment(raw.strip())
            self.i += 1
        return None

    def where(self):
        return "docs/openapi.yaml:%d" % (self.i + 1)

    def node(self, indent):
        nxt = self.peek()
        if nxt is None:
            return None
        if nxt[1] == "-" or nxt[1].startswith("- "):
            return self.seq(nxt[0])
        return self.map(nxt[0])

    def map(self, indent):
        out = {}
        while True:
            nxt = self.peek()
            if nxt is None or nxt[0] < indent:
                return out
            if nxt[0] > indent or nxt[1].startswith("- "):
                raise YamlSubsetError("%s: bad indentation" % self.where())
            key, rest = _split_key(nxt[1], self.where())
            if key in out:
                raise YamlSubsetError("%s: duplicate key %r" % (self.where(), key))
            self.i += 1
            out[key] = self.value(rest, indent)

    def value(self, rest, indent):
        rest = rest.strip()
        where = self.where()
        if rest in (">", ">-", "|", "|-"):
            parts = []
            while self.i < len(self.lines):
                raw = self.lines[self.i]
                if raw.strip() and len(raw) - len(raw.lstrip(" ")) <= indent:
                    break
                parts.append(raw.strip())
                self.i += 1
            while parts and not parts[-1]:
                parts.pop()
            if rest.startswith("|"):
                return "\n".join(parts) + ("" if rest.endswith("-") else "\n")
            text = " ".join(p for p in parts if p)
            return text + ("" if rest.endswith("-") else "\n")
        if rest:
            return _scalar(rest, where)
        nxt = self.peek()
        if nxt is None:
            return None
        if nxt[0] > indent:
            return self.node(nxt[0])
        if nxt[0] == indent and nxt[1].startswith("- "):
            return self.seq(indent)
        return None

    def seq(self, indent):
        out = []
        while True:
            nxt = self.peek()
            if nxt is None or nxt[0] < indent or not (nxt[1] == "-" or nxt[1].startswith("- ")):
                if nxt is not None and nxt[0] > indent:
                    raise YamlSubsetError("%s: bad indentation" % self.where())
                return out
            if nxt[0] > indent:
                raise YamlSubsetError("%s: bad indentation" % self.where())
            rest = nxt[1][1:].strip()
            if not rest:
                self.i += 1
                child = self.peek()
                out.append(self.node(child[0]) if child and child[0] > indent else None)
            elif re.match(r"^('[^']*'|\"[^\"]*\"|[^'\"\[{][^:]*):( |$)", rest) or \
                    rest.startswith("$ref:"):
                # "- key: value" opens a mapping whose keys sit at indent + 2
                self.lines[self.i] = " " * (indent + 2) + rest
                out.append(self.map(indent + 2))
            else:
                self.i += 1
                out.append(_scalar(rest, self.where()))


def parse_yaml(text):
    r = _Reader(text)
    doc = r.map(0)
    if r.peek() is not None:
        raise YamlSubsetError("%s: not read" % r.where())
    return doc


# --- a validator for the schema subset the document uses ---------------------------------------


class Spec:
    def __init__(self, doc):
        self.doc = doc

    def resolve(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise AssertionError("only local $refs: %s" % ref)
            node = self.doc
            for part in ref[2:].split("/"):
                node = node[part]
            seen += 1
            if seen > 20:
                raise AssertionError("$ref loop at %s" % ref)
        return node

    def errors(self, schema, value, where="$"):
        """The ways VALUE breaks SCHEMA (empty when it fits)."""
        s = self.resolve(schema)
        if value is None:
            return [] if s.get("nullable") else ["%s: null" % where]
        if "enum" in s and value not in s["enum"]:
            return ["%s: %r not in %r" % (where, value, s["enum"])]
        t = s.get("type")
        checks = {"object": dict, "array": list, "string": str, "boolean": bool}
        if t == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return ["%s: %r is not an integer" % (where, value)]
        elif t in checks and not isinstance(value, checks[t]):
            return ["%s: %r is not a %s" % (where, value, t)]
        out = []
        if t == "string":
            if "pattern" in s and not re.search(s["pattern"], value):
                out.append("%s: %r does not match %s" % (where, value, s["pattern"]))
            if len(value) > s.get("maxLength", 1 << 30) or len(value) < s.get("minLength", 0):
                out.append("%s: length %d" % (where, len(value)))
        if t == "object":
            props = s.get("properties", {})
            for name in s.get("required", []):
                if name not in value:
                    out.append("%s: %s missing" % (where, name))
            for name, v in value.items():
                if name in props:
                    out += self.errors(props[name], v, "%s.%s" % (where, name))
                elif s.get("additionalProperties") is False:
                    out.append("%s: %s is not documented" % (where, name))
                elif isinstance(s.get("additionalProperties"), dict):
                    out += self.errors(s["additionalProperties"], v, "%s.%s" % (where, name))
        if t == "array":
            for i, v in enumerate(value):
                out += self.errors(s["items"], v, "%s[%d]" % (where, i))
        return out

    def operation(self, method, path):
        return self.doc["paths"][path][method.lower()]

    def response_schema(self, method, path, status):
        """The schema documented for STATUS, or raises when STATUS is not documented."""
        responses = self.operation(method, path)["responses"]
        if str(status) not in responses:
            raise AssertionError("%s %s answered %d, which is not documented (%s)" % (
                method, path, status, ", ".join(sorted(responses))))
        resp = self.resolve(responses[str(status)])
        content = resp.get("content", {})
        return content.get("application/json", {}).get("schema")


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


class OpenApiDocument(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        with open(DOC, encoding="utf-8") as f:
            cls.text = f.read()
        cls.doc = parse_yaml(cls.text)
        cls.spec = Spec(cls.doc)

    def operations(self):
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                if method in METHODS:
                    yield method.upper(), path, op

    def test_routes_and_document_list_the_same_operations(self):
        served = {(m, p) for m, p, _ in harness.routes() if p.startswith("/api/v1/")}
        documented = paths_section(self.text)
        self.assertTrue(served)
        self.assertEqual(sorted(served - documented), [], "served but not documented")
        self.assertEqual(sorted(documented - served), [], "documented but not served")
        self.assertEqual(documented, {(m, p) for m, p, _ in self.operations()},
                         "the line reader and the YAML reader disagree")

    def test_yaml_library_agrees_when_installed(self):
        try:
            import yaml  # noqa: F401 (Debian's python3-yaml, when present)
        except ImportError:
            self.skipTest("python3-yaml is not installed")
        self.assertEqual(yaml.safe_load(self.text), self.doc)

    def test_document_hangs_together(self):
        d = self.doc
        self.assertEqual(d["openapi"], "3.0.3")
        self.assertTrue(d["info"]["title"] and d["info"]["version"])
        schemes = d["components"]["securitySchemes"]
        self.assertEqual(schemes["cookieSession"], {
            "type": "apiKey", "in": "cookie", "name": "noaber_session",
            "description": schemes["cookieSession"]["description"]})
        self.assertEqual((schemes["csrfToken"]["in"], schemes["csrfToken"]["name"]),
                         ("header", "X-CSRF-Token"))
        self.assertEqual((schemes["bearerToken"]["type"], schemes["bearerToken"]["scheme"]),
                         ("http", "bearer"))
        actions = {(m, p): a for m, p, a in harness.routes()}
        ids = set()
        for method, path, op in self.operations():
            with self.subTest(op="%s %s" % (method, path)):
                self.assertNotIn(op["operationId"], ids)
                ids.add(op["operationId"])
                self.assertTrue(op.get("summary"))
                # path parameters: every {name} declared once, required, and nothing more
                declared = [self.spec.resolve(p) for p in op.get("parameters", [])]
                in_path = sorted(p["name"] for p in declared if p["in"] == "path")
                self.assertEqual(in_path, sorted(re.findall(r"\{(\w+)\}", path)))
                for p in declared:
                    self.assertTrue(p["in"] != "path" or p.get("required") is True)
                    self.assertIn("schema", p)
                # responses: a success, every one described, every $ref resolves
                codes = set(op["responses"])
                self.assertTrue(any(c.startswith("2") for c in codes), codes)
                for code, resp in op["responses"].items():
                    self.assertRegex(code, r"^[1-5]\d\d$")
                    r = self.spec.resolve(resp)
                    self.assertTrue(r.get("description"))
                    for media in r.get("content", {}).values():
                        self.spec.resolve(media["schema"])
                if method in ("POST", "PUT", "PATCH"):
                    self.assertIn("requestBody", op)
                    for media in op["requestBody"]["content"].values():
                        self.assertEqual(self.spec.resolve(media["schema"])["type"], "object")
                # who may call it: public routes have an anonymous alternative, others not
                security = op.get("security", d.get("security"))
                self.assertIsNotNone(security, "say who may call it")
                for alt in security:
                    for name in alt:
                        self.assertIn(name, schemes)
                public = actions[(method, path)] in ("public", "hood_public")
                self.assertEqual(security == [] or {} in security, public)
                if not public:
                    self.assertIn("401", codes)
                if actions[(method, path)] not in ("public", "hood_public", "logged_in"):
                    self.assertIn("403", codes)
                if method != "GET":
                    self.assertIn("403", codes, "CSRF")
                    self.assertIn("415", codes)
        # every $ref anywhere points at something
        for ref in re.findall(r"\$ref: '([^']+)'", self.text):
            self.spec.resolve({"$ref": ref})

    def test_request_fields_are_the_servers(self):
        """{} gives 422 naming exactly the required fields; a wrong value for every documented
        field gives 422 naming every one of them, so each is a field the server reads."""
        admin = Client(self.srv)
        admin.token = self.token("admin")
        rian = harness.member_id(self.srv, harness.EMAIL["resident"])
        for method, path, op in self.operations():
            if "requestBody" not in op:
                continue
            schema = self.spec.resolve(op["requestBody"]["content"]["application/json"]["schema"])
            props = schema.get("properties", {})
            if not props:
                continue
            url = path.replace("{hood}", HOOD).replace("{id}", str(rian))
            with self.subTest(op="%s %s" % (method, path)):
                required = set(schema.get("required", []))
                r = admin.api(method, url, {})
                if required:
                    err = self.assertJsonError(r, 422, "INVALID")
                    self.assertEqual(set(err["fields"]), required)
                elif "{id}" in path and "panels" in path:
                    # every field optional, and no panel with this number: past the body
                    self.assertStatus(r, 404)
                else:
                    self.assertStatus(r, 200)
                wrong = {name: "\x01" + "x" * 10001 for name in props}
                err = self.assertJsonError(admin.api(method, url, wrong), 422, "INVALID")
                self.assertEqual(set(err["fields"]), set(props))

    tokens = {}

    def token(self, who):
        if who not in self.tokens:
            r = self.client(who).api("POST", "/api/v1/tokens", {"name": "openapi test"})
            self.assertStatus(r, 201)
            self.tokens[who] = r.json()["token"]
        return self.tokens[who]

    def check(self, client, method, path, body=None, status=None, pattern=None):
        """Calls PATH (a concrete path of the document's PATTERN) and checks the answer."""
        r = client.api(method, path, body)
        schema = self.spec.response_schema(method, pattern or path, r.status)
        if status is not None:
            self.assertStatus(r, status)
        if schema is not None:
            self.assertTrue(r.header("Content-Type").startswith("application/json"))
            problems = self.spec.errors(schema, r.json())
            self.assertEqual(problems, [], "%s %s -> %d: %s" % (method, path, r.status, r.text))
        return r

    def test_answers_match_the_document(self):
        anon = Client(self.srv)
        admin, coord, res = Client(self.srv), Client(self.srv), Client(self.srv)
        admin.token, coord.token, res.token = (self.token("admin"), self.token("coordinator"),
                                               self.token("resident"))
        for c in (admin, coord, res):  # a known language (see test_api's skipped lang test)
            self.assertStatus(c.api("PATCH", "/api/v1/me", {"lang": "nl"}), 200)
        h = "/api/v1/neighbourhoods/{hood}"
        m = h + "/members"
        ids = {m_["email"] or m_["username"]: m_["id"] for m_ in
               coord.api("GET", "/api/v1/neighbourhoods/%s/members" % HOOD).json()["members"]}
        joke, rian = ids["joke@demo.noaber.nl"], ids[harness.EMAIL["resident"]]
        msg = res.api("GET", "/api/v1/messages").json()["messages"][0]["id"]
        calls = [
            (anon, "POST", "/api/v1/login", {"login": harness.EMAIL["partner"],
                                             "password": PASSWORD}, 200, None),
            (anon, "POST", "/api/v1/logout", {}, 200, None),  # the session from the login
            (anon, "POST", "/api/v1/logout", {}, 401, None),
            (Client(self.srv), "POST", "/api/v1/login", {"login": "x", "password": "y"}, 401,
             None),
            (Client(self.srv), "POST", "/api/v1/login", {}, 422, None),
            (Client(self.srv), "POST", "/api/v1/login/totp", {"code": "123456"}, 401, None),
            (Client(self.srv), "POST", "/api/v1/login/totp", {"code": "12"}, 422, None),
            (res, "POST", "/api/v1/tokens", {"name": "nog een"}, 201, None),
            (anon, "POST", "/api/v1/tokens", {"name": "x"}, 401, None),
            (res, "GET", "/api/v1/me", None, 200, None),
            (admin, "GET", "/api/v1/me", None, 200, None),
            (anon, "GET", "/api/v1/me", None, 401, None),
            (res, "PATCH", "/api/v1/me", {"channel": "inapp"}, 200, None),
            (res, "PATCH", "/api/v1/me", {"channel": "duif"}, 422, None),
            (anon, "GET", "/api/v1/neighbourhoods", None, 200, None),
            (admin, "POST", "/api/v1/neighbourhoods", {"slug": "doc-wijk", "name": "Doc"}, 201,
             None),
            (admin, "POST", "/api/v1/neighbourhoods", {"slug": "doc-wijk", "name": "Doc"}, 409,
             None),
            (res, "POST", "/api/v1/neighbourhoods", {"slug": "doc-2", "name": "Doc"}, 403, None),
            (anon, "GET", "/api/v1/neighbourhoods/%s" % HOOD, None, 200, h),
            (coord, "GET", "/api/v1/neighbourhoods/%s" % HOOD, None, 200, h),
            (anon, "GET", "/api/v1/neighbourhoods/nergens", None, 404, h),
            (coord, "GET", "/api/v1/neighbourhoods/%s/members?pending=1" % HOOD, None, 200, m),
            (coord, "GET", "/api/v1/neighbourhoods/%s/members?limit=3&offset=1" % HOOD, None,
             200, m),
            (res, "GET", "/api/v1/neighbourhoods/%s/members" % HOOD, None, 403, m),
            (anon, "GET", "/api/v1/neighbourhoods/%s/members" % HOOD, None, 401, m),
            (coord, "POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
             {"display_name": "Doc Lid", "username": "doc.lid", "role": "resident"}, 201, m),
            (coord, "POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
             {"display_name": "Doc Lid", "username": "doc.lid", "role": "resident"}, 409, m),
            (coord, "POST", "/api/v1/neighbourhoods/%s/members/%d/confirm" % (HOOD, joke), {},
             200, m + "/{id}/confirm"),
            (coord, "POST", "/api/v1/neighbourhoods/%s/members/999999/confirm" % HOOD, {},
             404, m + "/{id}/confirm"),
            (coord, "PUT", "/api/v1/neighbourhoods/%s/members/%d/role" % (HOOD, rian),
             {"role": "resident"}, 200, m + "/{id}/role"),
            (coord, "PUT", "/api/v1/neighbourhoods/%s/members/%d/role" % (HOOD, rian),
             {"role": "queen"}, 422, m + "/{id}/role"),
            (res, "GET", "/api/v1/messages", None, 200, None),
            (res, "GET", "/api/v1/messages?page=2", None, 200, "/api/v1/messages"),
            (res, "POST", "/api/v1/messages/%d/read" % msg, {}, 200, "/api/v1/messages/{id}/read"),
            (coord, "POST", "/api/v1/messages/%d/read" % msg, {}, 404,
             "/api/v1/messages/{id}/read"),
        ]
        for client, method, path, body, status, pattern in calls:
            with self.subTest(call="%s %s -> %d" % (method, path, status)):
                self.check(client, method, path, body, status, pattern)
        # every operation called anonymously, with {} where it takes a body
        for method, path, op in self.operations():
            url = path.replace("{hood}", HOOD).replace("{id}", "1")
            with self.subTest(anonymous="%s %s" % (method, path)):
                self.check(Client(self.srv), method, url, {} if method != "GET" else None,
                           pattern=path)
        # and as a form without a CSRF token from a cookie session: 403, documented
        for method, path, op in self.operations():
            if method == "GET":
                continue
            url = path.replace("{hood}", HOOD).replace("{id}", "1")
            with self.subTest(form="%s %s" % (method, path)):
                r = self.client("resident").request(
                    method, url, body="x=1", content_type="application/x-www-form-urlencoded")
                self.assertJsonError(r, 403, "CSRF")
                self.spec.response_schema(method, path, 403)


class YamlReader(unittest.TestCase):
    def test_subset(self):
        text = ("a: 1\nb: 'x: y'\nc:\n  - p: [one, 'two', '']\n    q: true\n  - plain words\n"
                "d: >-\n  folded\n  lines\ne: {}\nf:\n- 2\n# comment\ng: x # trailing\n")
        self.assertEqual(parse_yaml(text), {
            "a": 1, "b": "x: y", "c": [{"p": ["one", "two", ""], "q": True}, "plain words"],
            "d": "folded lines", "e": {}, "f": [2], "g": "x"})
        for bad in ("a: b: c\n", "a: &anchor x\n", "a:\n\tb: 1\n", "a: 1\na: 2\n"):
            with self.subTest(bad=bad):
                with self.assertRaises(YamlSubsetError):
                    parse_yaml(bad)


if __name__ == "__main__":
    harness.main()
