"""Shared harness of Noaber's HTTP tests: a real `noaber` server on loopback, and clients.

Each test file starts one server (start_server() in setUpModule, stop_server() in
tearDownModule): a fresh demo database in a temporary directory (`noaber demo --password PW`),
`noaber serve` on a free 127.0.0.1 port with NOABER_PUBLIC_URL pointing at it, ASan/LSan/UBSan
options set, and /healthz polled until it answers 200. At the end the server gets SIGTERM and must
exit with code 0 within 10 seconds; its stderr must hold no sanitizer report. Tests subclass
ServerTest, which also checks after every test that the server is still alive and clean.

Client is one browser: its own cookie jar (a dict: cookies are simple here), http.client so that
raw paths, bodies and headers (invalid UTF-8, odd content types) can be sent as they are, no
redirect following, and helpers for the CSRF token of forms, logging in and JSON calls. Only the
Python standard library is used; run with /usr/bin/python3.
"""

import argparse
import html.parser
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

PASSWORD = "test-wachtwoord-2024"
HOOD = "binnenstad"
OTHER_HOOD = "oost"
EMAIL = {
    "admin": "admin@demo.noaber.nl",
    "coordinator": "coordinator@demo.noaber.nl",
    "connector": "connector@demo.noaber.nl",
    "partner": "partner@demo.noaber.nl",
    "resident": "resident@demo.noaber.nl",
}
WAITING = ["mohamed@demo.noaber.nl", "joke@demo.noaber.nl"]
NO_EMAIL_USERNAME = "bep.jansen"
SANITIZER_MARKS = ("AddressSanitizer", "runtime error:", "LeakSanitizer")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_args = None


def _parse_args():
    """Takes --noaber PATH off the command line (the rest goes to unittest)."""
    global _args
    if _args is None:
        p = argparse.ArgumentParser(add_help=False)
        p.add_argument("--noaber", default=os.environ.get("NOABER_BIN"))
        _args, rest = p.parse_known_args()
        sys.argv[1:] = rest
        if not _args.noaber:
            default = os.path.join(REPO, "build", "noaber")
            _args.noaber = default
    return _args


def noaber_bin():
    return _parse_args().noaber


def main():
    """Runs the test file's tests (call from `if __name__ == "__main__"`)."""
    _parse_args()
    unittest.main(verbosity=2)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_lsan_supp():
    path = os.path.join(REPO, "tests", "lsan.supp")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write("# LeakSanitizer suppressions for Noaber's tests "
                    "(LSAN_OPTIONS=suppressions=...).\n"
                    "# One 'leak:<function or library>' per line, each with a comment saying "
                    "why.\n")
    return path


# --- PostgreSQL ---------------------------------------------------------------------------------
# With NOABER_TEST_DB_URL set to the URL of the test cluster (tests/pg/cluster; ctest sets it for
# the http_<name>_pg variants), each server gets a database of its own in that cluster instead of
# a SQLite file, and the db_* helpers read it with psql.


def pg_url(base, name):
    """BASE (postgresql://user@host/db?params) with its database name replaced by NAME."""
    head, sep, rest = base.partition("://")
    auth, slash, path = rest.partition("/")
    query = path[len(path.split("?", 1)[0]):]
    return head + sep + auth + "/" + name + query


def psql(url, sql):
    """Runs SQL with psql on URL; returns stdout (unaligned, tuples only)."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url],
                         input=sql.rstrip().rstrip(";") + ";\n", capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (out.stderr, sql[:2000]))
    return out.stdout


def _pg_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _pg_bind(sql, args):
    """SQL with each ? (outside quotes) replaced by the next argument as a literal."""
    out, args, quote = [], list(args), None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append(_pg_literal(args.pop(0)))
            continue
        out.append(ch)
    return "".join(out)


def _pg_rows(text):
    """Rows of `SELECT json_agg(t) FROM (...) t` as tuples (duplicate column names kept)."""
    text = text.strip()
    if not text:
        return []
    rows = json.loads(text, object_pairs_hook=lambda pairs: tuple(v for _, v in pairs))
    return [tuple(r) for r in rows]


# --- the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self, extra_env=None):
        self.bin = noaber_bin()
        self.dir = tempfile.mkdtemp(prefix="noaber-http-")
        self.db = os.path.join(self.dir, "noaber.db")
        self.port = free_port()
        self.pg = os.environ.get("NOABER_TEST_DB_URL") or None  # the cluster, see above
        if self.pg:
            self.pg_name = "http_%d_%d" % (os.getpid(), self.port)
            self.db = pg_url(self.pg, self.pg_name)
        self.base = "http://127.0.0.1:%d" % self.port
        self.extra_env = dict(extra_env or {})
        self.proc = None
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self._clients = {}

    def env(self):
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("NOABER_"):
                del env[k]
        env.update({
            "NOABER_PUBLIC_URL": self.base,
            "ASAN_OPTIONS": "detect_leaks=1",
            "LSAN_OPTIONS": "suppressions=" + ensure_lsan_supp(),
            "UBSAN_OPTIONS": "print_stacktrace=1",
        })
        env.update(self.extra_env)
        return env

    def start(self):
        if self.pg:
            psql(self.pg, 'CREATE DATABASE "%s"' % self.pg_name)
        demo = subprocess.run([self.bin, "demo", "--db", self.db, "--password", PASSWORD],
                              env=self.env(), capture_output=True, text=True, timeout=120)
        if demo.returncode != 0:
            raise RuntimeError("noaber demo failed (%d): %s" % (demo.returncode, demo.stderr))
        for mark in SANITIZER_MARKS:
            if mark in demo.stderr:
                raise RuntimeError("sanitizer report from noaber demo:\n" + demo.stderr)
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(
            [self.bin, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port],
            env=self.env(), stdout=self._out, stderr=self._err)
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("noaber serve exited with %d:\n%s" %
                                   (self.proc.returncode, self.stderr()))
            try:
                r = Client(self).get("/healthz")
                if r.status == 200:
                    return self
            except OSError:
                pass
            if time.time() > deadline:
                self.proc.kill()
                raise RuntimeError("noaber serve did not answer /healthz within 20 s:\n" +
                                   self.stderr())
            time.sleep(0.1)

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def sanitizer_report(self):
        """The server's stderr if it holds a sanitizer report, else None."""
        err = self.stderr()
        return err if any(m in err for m in SANITIZER_MARKS) else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM; returns (exit code, problem or None)."""
        if not self.proc:
            return None, None
        problem = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "the server did not stop within 10 s of SIGTERM"
        code = self.proc.returncode
        self._err.close()
        self._out.close()
        if problem is None and code != 0:
            problem = "the server exited with code %d" % code
        report = self.sanitizer_report()
        if report:
            problem = (problem + "; " if problem else "") + "sanitizer report"
        if problem:
            problem += ":\n" + self.stderr()[-20000:] + "\n(files kept in %s)" % self.dir
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
            if self.pg:
                psql(self.pg, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.pg_name)
        return code, problem

    # clients logged in once per server (argon2id is slow under ASan); never log them out
    def client(self, who):
        if who not in self._clients:
            c = Client(self)
            c.login(EMAIL.get(who, who), PASSWORD)
            self._clients[who] = c
        return self._clients[who]

    def _pg_columns(self):
        """{table: [column, ...]} of the server's PostgreSQL database."""
        cols = {}
        for t, c in _pg_rows(psql(self.db, "SELECT json_agg(t) FROM (SELECT table_name, "
                                  "column_name FROM information_schema.columns WHERE "
                                  "table_schema = current_schema() ORDER BY table_name, "
                                  "ordinal_position) t")):
            cols.setdefault(t, []).append(c)
        return cols

    def db_counts(self):
        """Row count of every table, read through a read-only connection."""
        if self.pg:
            tables = sorted(self._pg_columns())
            sql = "SELECT json_agg(t) FROM (SELECT %s) t" % ", ".join(
                '(SELECT count(*) FROM "%s")' % t for t in tables)
            return dict(zip(tables, _pg_rows(psql(self.db, sql))[0]))
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {t: con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                    for t in tables}
        finally:
            con.close()

    # Columns a logged-in view may write by design (the session's sliding expiry, a token's last
    # use): left out of snapshots that check "changes nothing".
    VOLATILE = {"sessions": {"last_seen_at", "expires_at"}, "api_tokens": {"last_used_at"}}

    def db_snapshot(self):
        """{table: (row count, SHA-256 of every row)} of every table but the volatile columns."""
        import hashlib
        if self.pg:
            out = {}
            for t, cols in sorted(self._pg_columns().items()):
                cols = ['"%s"' % c for c in cols if c not in self.VOLATILE.get(t, ())]
                rows = _pg_rows(psql(self.db, 'SELECT json_agg(t) FROM (SELECT %s FROM "%s" '
                                     'ORDER BY %s) t' % (", ".join(cols), t, ", ".join(cols))))
                out[t] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
            return out
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            out = {}
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for t in tables:
                cols = [r[1] for r in con.execute('PRAGMA table_info("%s")' % t)
                        if r[1] not in self.VOLATILE.get(t, ())]
                rows = con.execute('SELECT %s FROM "%s" ORDER BY %s' % (
                    ", ".join('"%s"' % c for c in cols), t,
                    ", ".join('"%s"' % c for c in cols))).fetchall()
                out[t] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
            return out
        finally:
            con.close()

    def db_query(self, sql, args=()):
        if self.pg:
            return _pg_rows(psql(self.db, "SELECT json_agg(t) FROM (%s) t" % _pg_bind(sql, args)))
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()


_server = None


def start_server(extra_env=None):
    """Starts the module's one server (from setUpModule)."""
    global _server
    _server = Server(extra_env).start()
    return _server


def server():
    return _server


def stop_server():
    """Stops it (from tearDownModule); raises when it did not end cleanly."""
    global _server
    s, _server = _server, None
    if s:
        code, problem = s.stop()
        if problem:
            raise AssertionError(problem)


class ServerTest(unittest.TestCase):
    """A test against the module's server; checks after each test that it is alive and clean."""

    @property
    def srv(self):
        return _server

    def client(self, who=None):
        """A fresh anonymous client, or the shared logged-in client of a demo account."""
        return Client(_server) if who is None else _server.client(who)

    def tearDown(self):
        s = _server
        if s is None:
            return
        report = s.sanitizer_report()
        if report:
            self.fail("sanitizer report in the server's stderr:\n" + report[-20000:])
        if not s.alive():
            self.fail("the server died (code %s):\n%s" % (s.proc.returncode, s.stderr()[-20000:]))

    # assertions used everywhere
    def assertStatus(self, resp, status, msg=None):
        want = status if isinstance(status, (tuple, list, set)) else (status,)
        if resp.status not in want:
            self.fail("%s %s: status %d, expected %s%s\n%s" % (
                resp.method, resp.path, resp.status, "/".join(map(str, want)),
                " (" + msg + ")" if msg else "", resp.text[:1500]))

    def assertRedirect(self, resp, to=None):
        self.assertStatus(resp, 303)
        if to is not None:
            loc = resp.header("Location") or ""
            self.assertTrue(loc == to or loc.startswith(to), "%s %s redirects to %r, expected %r"
                            % (resp.method, resp.path, loc, to))

    def assertJsonError(self, resp, status, code=None):
        self.assertStatus(resp, status)
        self.assertTrue((resp.header("Content-Type") or "").startswith("application/json"),
                        "not JSON: %r" % resp.header("Content-Type"))
        body = resp.json()
        self.assertIsInstance(body, dict)
        self.assertEqual(set(body), {"error"}, body)
        err = body["error"]
        self.assertIsInstance(err.get("code"), str, body)
        self.assertIsInstance(err.get("message"), str, body)
        self.assertTrue(err["message"], body)
        if code is not None:
            self.assertEqual(err["code"], code, body)
        return err

    def visible_state(self):
        """What the API shows of the installation, as the administrator sees it: every
        neighbourhood and its members with their roles, and each demo account's own view of
        itself and its inbox. Compared before and after requests that must change nothing."""
        admin = _server.client("admin")
        hoods = admin.api("GET", "/api/v1/neighbourhoods").json()["neighbourhoods"]
        state = {"hoods": hoods}
        for h in hoods:
            r = admin.api("GET", "/api/v1/neighbourhoods/%s/members?limit=500" % h["slug"])
            state["members:" + h["slug"]] = r.json()
        for who in ("admin", "coordinator", "connector", "partner", "resident"):
            c = _server.client(who)
            state["me:" + who] = c.api("GET", "/api/v1/me").json()
            state["messages:" + who] = c.api("GET", "/api/v1/messages").json()
        return state

    def assertHealthy(self):
        r = Client(_server).get("/healthz")
        self.assertStatus(r, 200)
        self.assertEqual(r.text, "ok\n")


# --- HTML ---------------------------------------------------------------------------------------


def main_text(html):
    """The page's <main> element (the layout around it is the same everywhere)."""
    m = re.search(r"<main\b.*?</main>", html, re.S)
    return m.group(0) if m else html


def multipart(fields, files):
    """A multipart/form-data body of FIELDS {name: text} and FILES {name: (filename, bytes)}:
    (content type, bytes)."""
    boundary = "----noaber-test-boundary-7MA4YWxkTrZu0gW"
    out = []
    for k, v in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                    % (boundary, k, v)).encode())
    for k, (filename, data) in files.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: text/csv\r\n\r\n" % (boundary, k, filename)).encode())
        out.append(data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return "multipart/form-data; boundary=" + boundary, b"".join(out)


class Form:
    def __init__(self, action, method):
        self.action = action
        self.method = method
        self.fields = {}  # name -> value of inputs (hidden, text, …), selected option, textarea
        self.names = []   # every named control, in order


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action"), (a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        f = self._form
        if f is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            f.names.append(name)
            typ = (a.get("type") or "text").lower()
            if typ in ("checkbox", "radio"):
                if "checked" in a:
                    f.fields[name] = a.get("value", "on")
            else:
                f.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            f.names.append(name)
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in f.fields:
                f.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            f.names.append(name)
            self._textarea = name
            f.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data


def forms(html_text):
    p = _FormParser()
    p.feed(html_text)
    p.close()
    return p.forms


def find_form(html_text, action):
    for f in forms(html_text):
        if f.action == action:
            return f
    return None


class _TagParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [k for k, _ in attrs]))

    handle_startendtag = handle_starttag


def markup(html_text):
    """Every start tag of the page as (tag, [attribute names])."""
    p = _TagParser()
    p.feed(html_text)
    p.close()
    return p.tags


def csrf_of(html_text):
    """The value of the first hidden csrf input of the page, or None."""
    for f in forms(html_text):
        if "csrf" in f.fields:
            return f.fields["csrf"]
    return None


# --- HTTP ---------------------------------------------------------------------------------------


class Response:
    def __init__(self, method, path, status, headers, body):
        self.method = method
        self.path = path if isinstance(path, str) else path.decode("latin-1")
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def set_cookie(self, name):
        """The raw Set-Cookie header for NAME, or None."""
        for v in self.header_all("Set-Cookie"):
            if v.split("=", 1)[0].strip() == name:
                return v
        return None

    def __repr__(self):
        return "<%s %s -> %d>" % (self.method, self.path, self.status)


class Client:
    """One browser (or program): a cookie jar and the last page's CSRF token."""

    def __init__(self, srv, lang=None):
        self.srv = srv
        self.cookies = {}
        self.lang = lang  # Accept-Language
        self.token = None  # a bearer token for API calls
        self.headers = {}  # sent with every request (X-Forwarded-For, …)
        self.csrf = None  # the CSRF token of the last HTML page seen

    def request(self, method, path, body=None, headers=None, content_type=None, cookies=True,
                timeout=60):
        hdrs = dict(self.headers)
        if self.lang:
            hdrs["Accept-Language"] = self.lang
        if cookies and self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        if content_type:
            hdrs["Content-Type"] = content_type
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs.update(headers or {})
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        if isinstance(path, bytes) or any(isinstance(v, bytes) for v in hdrs.values()):
            status, headers_list, data = self._raw(method, path, hdrs, body, timeout)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=timeout)
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
                headers_list = resp.getheaders()
                status = resp.status
            finally:
                conn.close()
        r = Response(method, path, status, headers_list, data)
        self._take_cookies(r)
        if (r.header("Content-Type") or "").startswith("text/html"):
            t = csrf_of(r.text)
            if t:
                self.csrf = t
        return r

    def _raw(self, method, path, hdrs, body, timeout, length=True):
        """Sends the request byte for byte (http.client insists on ASCII): for invalid UTF-8
        in the path or a header. Returns (status, headers, body)."""
        def b(x):
            return x if isinstance(x, bytes) else x.encode("latin-1")
        lines = [b(method) + b" " + b(path) + b" HTTP/1.1", b"Host: 127.0.0.1:%d" % self.srv.port,
                 b"Connection: close"]
        lines += [b(k) + b": " + b(v) for k, v in hdrs.items()]
        if body is not None and length:
            lines.append(b"Content-Length: %d" % len(body))
        req = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=timeout) as sock:
            sock.sendall(req)
            resp = http.client.HTTPResponse(sock, method=method)
            resp.begin()
            data = resp.read()
            return resp.status, resp.getheaders(), data

    def _take_cookies(self, r):
        for v in r.header_all("Set-Cookie"):
            first = v.split(";", 1)[0]
            name, _, value = first.partition("=")
            name = name.strip()
            attrs = [a.strip().lower() for a in v.split(";")[1:]]
            if "max-age=0" in attrs or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields=None, csrf=True, **kw):
        """A form post (urlencoded). csrf=True adds the last seen token, a string adds that one,
        False or None sends none."""
        items = list(fields.items()) if isinstance(fields, dict) else list(fields or [])
        if csrf is True:
            if self.csrf is None:
                self.get("/")
            items.append(("csrf", self.csrf))
        elif csrf:
            items.append(("csrf", csrf))
        body = urllib.parse.urlencode(items)
        return self.request("POST", path, body=body,
                            content_type="application/x-www-form-urlencoded", **kw)

    def post_form(self, path, fields=None, page=None, **kw):
        """GETs PAGE (default PATH), takes its CSRF token, then posts FIELDS to PATH."""
        r = self.get(page or path)
        token = csrf_of(r.text)
        if token is None:
            raise AssertionError("no csrf field on %s (status %d)" % (page or path, r.status))
        return self.post(path, fields, csrf=token, **kw)

    def api(self, method, path, body=None, **kw):
        """A JSON call: BODY (a dict) is sent as application/json."""
        if body is None:
            return self.request(method, path, **kw)
        return self.request(method, path, body=json.dumps(body), content_type="application/json",
                            **kw)

    def login(self, login, password=PASSWORD, expect=303):
        r = self.post_form("/login", {"login": login, "password": password})
        if expect is not None and r.status != expect:
            raise AssertionError("login as %s: status %d, expected %d\n%s" %
                                 (login, r.status, expect, r.text[:2000]))
        return r

    def logged_in(self):
        return "noaber_session" in self.cookies


def routes():
    """Every route `noaber routes` prints, as (method, pattern, action)."""
    out = subprocess.run([noaber_bin(), "routes"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1",
                                  LSAN_OPTIONS="suppressions=" + ensure_lsan_supp()))
    if out.returncode != 0:
        raise RuntimeError("noaber routes failed: " + out.stderr)
    rows = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append(tuple(parts))
    return rows


def member_id(srv, login):
    """The person id of an e-mail address or username (read from the database)."""
    rows = srv.db_query("SELECT id FROM persons WHERE email = ? OR username = ?", (login, login))
    if not rows:
        raise AssertionError("no person %s" % login)
    return rows[0][0]
