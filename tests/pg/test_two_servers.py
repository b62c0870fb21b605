"""Two `noaber serve` processes on one PostgreSQL database (ctest: pg_two_servers).

The setting of a regional installation: several web servers behind a proxy, one database. One
server makes the demo database and serves; the second serves the same database. Checked:

- Something scarce is taken exactly once: 50 one-time login codes (printed by a coordinator for
  50 residents without e-mail), 200 clients at once, four per code, spread over both servers:
  exactly 50 log in, the other 150 get the clear refusal (400, "Deze code klopt niet of is al
  gebruikt"), and each code lets in exactly one.
- What the servers share lives in the database: a form fetched from one server is accepted by the
  other (the CSRF secret), a session made on one works on the other, and the failed attempts of an
  address count on both (the rate limit).
- The outbox: e-mail queued through both servers is sent by the two delivery workers, each
  message exactly once (the fake SMTP server logs every Message-ID it accepts).

Needs NOABER_TEST_DB_URL (the test cluster, see tests/pg/CMakeLists.txt) and Debian's
python3-aiosmtpd for the fake SMTP server.
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "http"))
import harness  # noqa: E402
from harness import HOOD, Client  # noqa: E402

CODES = 50
CLIENTS = 200
REFUSED = "Deze code klopt niet of is al gebruikt"


class SecondServer(harness.Server):
    """Serves the database of FIRST: no database of its own, no demo."""

    def __init__(self, first, extra_env=None):
        super().__init__(extra_env)
        self.db = first.db
        self.pg = None  # the first server creates and drops the database

    def start(self):
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(
            [self.bin, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port],
            env=self.env(), stdout=self._out, stderr=self._err)
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("second noaber serve exited with %d:\n%s" %
                                   (self.proc.returncode, self.stderr()))
            try:
                if Client(self).get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            if time.time() > deadline:
                self.proc.kill()
                raise RuntimeError("second server did not answer /healthz:\n" + self.stderr())
            time.sleep(0.1)


class Smtp:
    """tests/smtp/fake_smtp.py on a free port; every accepted message is a line in the log."""

    def __init__(self, log):
        self.log = log
        script = os.path.join(os.path.dirname(HERE), "smtp", "fake_smtp.py")
        self.proc = subprocess.Popen(["/usr/bin/python3", script, "--log", log],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("fake SMTP server did not start: %r" % line)
        self.port = int(m.group(1))

    def messages(self):
        try:
            with open(self.log, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def stop(self):
        self.proc.terminate()
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


servers = []
smtp = None


def setUpModule():
    global smtp
    if not os.environ.get("NOABER_TEST_DB_URL"):
        raise unittest.SkipTest("NOABER_TEST_DB_URL is not set (run through ctest -L pg)")
    first = harness.Server()
    smtp = Smtp(os.path.join(first.dir, "smtp.log"))
    env = {"NOABER_TRUSTED_PROXIES": "127.0.0.1", "NOABER_SMTP_HOST": "127.0.0.1",
           "NOABER_SMTP_PORT": str(smtp.port), "NOABER_SMTP_FROM": "noaber@test.invalid"}
    first.extra_env.update(env)
    harness._server = first  # the harness's checks (sanitizers, alive) look at the first one
    servers.append(first.start())
    servers.append(SecondServer(first, env).start())


def tearDownModule():
    problems = []
    for s in reversed(servers):  # the second first: the first one drops the database
        code, problem = s.stop()
        if problem:
            problems.append(problem)
    if smtp:
        smtp.stop()
    if problems:
        raise AssertionError("\n\n".join(problems))


def on(srv, client):
    """CLIENT's cookies and headers, talking to SRV."""
    c = Client(srv)
    c.cookies = client.cookies
    c.headers = client.headers
    return c


class TwoServers(harness.ServerTest):
    def tearDown(self):
        for s in servers:
            report = s.sanitizer_report()
            if report:
                self.fail("sanitizer report in a server's stderr:\n" + report[-20000:])
            if not s.alive():
                self.fail("a server died (code %s):\n%s" % (s.proc.returncode, s.stderr()[-20000:]))

    def test_1_codes_are_redeemed_exactly_once(self):
        a, b = servers
        coord = a.client("coordinator")
        # the coordinator's session, made on A, works on B
        self.assertStatus(on(b, coord).get("/n/%s/members" % HOOD), 200)
        codes = []
        for i in range(CODES):
            srv = a if i % 2 == 0 else b  # half of the work through each server
            c = on(srv, coord)
            r = c.post_form("/n/%s/members" % HOOD,
                            {"display_name": "Deelnemer %d" % i, "email": "",
                             "username": "deelnemer%d" % i, "role": "resident"},
                            page="/n/%s/members/new" % HOOD)
            self.assertRedirect(r, "/n/%s/members" % HOOD)
            pid = harness.member_id(a, "deelnemer%d" % i)
            page = c.post_form("/n/%s/members/%d/code" % (HOOD, pid), {},
                               page="/n/%s/members" % HOOD)
            self.assertStatus(page, 200)
            m = re.search(r'<dd class="code">([A-Z0-9-]+)</dd>', page.text)
            self.assertIsNotNone(m, page.text[:2000])
            codes.append((m.group(1), pid))

        def attempt(k):
            code, pid = codes[k // 4]
            first, second = (a, b) if k % 2 == 0 else (b, a)
            c = Client(first)
            c.headers["X-Forwarded-For"] = "10.77.%d.%d" % (k // 200, k % 200 + 1)
            form = c.get("/login/code")  # the form from one server ...
            token = harness.csrf_of(form.text)
            r = on(second, c).post("/login/code", {"code": code}, csrf=token)  # ... the other
            return k, pid, r.status, r.text + (r.header("Location") or ""), dict(c.cookies)

        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(attempt, range(CLIENTS)))
        elapsed = time.time() - started
        wins = [r for r in results if r[2] == 303 and "noaber_session" in r[4]]
        refused = [r for r in results if r[2] == 400 and REFUSED in r[3]]
        other = [(k, status, text[:300]) for k, _, status, text, cookies in results
                 if not (status == 303 and "noaber_session" in cookies) and
                 not (status == 400 and REFUSED in text)]
        self.assertEqual(other, [], "neither a login nor the refusal")
        self.assertEqual(len(wins), CODES)
        self.assertEqual(len(refused), CLIENTS - CODES)
        self.assertEqual(sorted(k // 4 for k, *_ in wins), list(range(CODES)),
                         "each code lets in exactly one")
        print("\n%d clients, %d codes, two servers: %d logins, %d refusals in %.1f s" %
              (CLIENTS, CODES, len(wins), len(refused), elapsed), file=sys.stderr)
        # every session works on both servers and belongs to the code's resident (a login
        # answered "welcome" must not be one whose transaction was rerun and lost the code)
        for k, pid, _, _, cookies in wins:
            for srv in (servers if k < 40 else servers[:1]):
                c = Client(srv)
                c.cookies = dict(cookies)
                me = c.api("GET", "/api/v1/me")
                self.assertStatus(me, 200)
                self.assertEqual(me.json()["id"], pid)
        rows = a.db_query("SELECT count(*) FROM audit_log WHERE action = 'login_code'")
        self.assertEqual(rows[0][0], CODES)

    def test_2_rate_limits_count_on_both_servers(self):
        a, b = servers

        def failures_until_429(ip, both):
            c = Client(a)
            c.headers["X-Forwarded-For"] = ip
            for i in range(100):
                srv = b if both and i % 2 else a
                r = on(srv, c).post_form("/login/code", {"code": "AAAA-BBBB-CC%02d" % i})
                if r.status == 429:
                    return i
                self.assertStatus(r, 400)
            self.fail("no 429 after 100 wrong codes")

        alone = failures_until_429("10.78.0.1", False)
        shared = failures_until_429("10.78.0.2", True)
        self.assertGreater(alone, 0)
        self.assertEqual(shared, alone, "the failures on A and B add up to one limit")

    def test_3_outbox_sends_each_message_once(self):
        a, b = servers
        pending = "SELECT count(*) FROM deliveries WHERE channel = 'email' AND status = 'pending'"
        deadline = time.time() + 60
        while a.db_query(pending)[0][0] > 0 and time.time() < deadline:  # the demo's own mail
            time.sleep(0.5)
        before = len(smtp.messages())
        emails = "SELECT count(*) FROM deliveries WHERE channel = 'email'"
        queued_before = a.db_query(emails)[0][0]
        for i in range(40):
            srv = a if i % 2 == 0 else b
            c = Client(srv)
            c.headers["X-Forwarded-For"] = "10.79.0.%d" % (i + 1)
            email = list(harness.EMAIL.values())[i % len(harness.EMAIL)]
            r = c.post_form("/password/reset", {"email": email})
            self.assertLess(r.status, 400, r.text[:500])
        queued = a.db_query(emails)[0][0] - queued_before
        self.assertGreaterEqual(queued, 30, "most resets queue an e-mail")
        deadline = time.time() + 90
        while a.db_query(pending)[0][0] > 0 and time.time() < deadline:
            time.sleep(0.5)
        self.assertEqual(a.db_query(pending)[0][0], 0, "the outbox did not empty")
        got = smtp.messages()[before:]
        ids = [m["message_id"] for m in got]
        self.assertEqual(len(ids), len(set(ids)), "a message was sent twice")
        self.assertEqual(len(got), queued)
        sent = a.db_query("SELECT count(*) FROM deliveries WHERE channel = 'email' "
                          "AND status = 'sent'")[0][0]
        self.assertEqual(sent, queued_before + queued)
        per_server = [metric(s, 'noaber_email_total{outcome="sent"}') for s in servers]
        self.assertEqual(sum(per_server), sent)
        print("\ne-mail sent by the two workers: %s" % per_server, file=sys.stderr)


def metric(srv, name):
    text = Client(srv).get("/metrics").text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[-1]))
    return 0


if __name__ == "__main__":
    harness.main()
