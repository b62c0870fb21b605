#!/usr/bin/python3
"""Crash test: acknowledged writes survive SIGKILL, and the SQLite file stays sound.

A fresh demo database (`noaber demo`) is served by the real `noaber serve` on a free loopback
port. The coordinator of Binnenstad logs in through the JSON API once and makes a personal API
token (it lives in the database, so it works again after every restart). Two writer threads then
add residents without pause (POST /api/v1/neighbourhoods/binnenstad/members, each with a name
and username of its own), while the main thread kills the server with SIGKILL at random moments
(a seeded random schedule: --seed) and starts it again. After every kill, before the restart, a
copy of the files as the kill left them (database, -wal and -shm) must pass
`PRAGMA integrity_check` and hold every write acknowledged so far; the server itself then
recovers from the originals. At the end:

  * every write answered 201 is present, with the id the answer gave, through the API and in the
    file (a write without an answer may or may not be there);
  * a write whose connection was refused (never sent) is absent, and nothing else appeared;
  * `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` finds nothing;
  * no server printed a sanitizer report, and the last one stops cleanly on SIGTERM.

Run: /usr/bin/python3 tests/crash/test_crash.py --noaber build-test/noaber [--seed N]
(ctest -R crash). Python standard library only; about 45 s.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "crash-test-wachtwoord-2024"
COORDINATOR = "coordinator@demo.noaber.nl"
HOOD = "binnenstad"
SANITIZER_MARKS = ("AddressSanitizer", "runtime error:", "LeakSanitizer")
WRITERS = 2


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One database, served by one `noaber serve` process at a time."""

    def __init__(self, binary, workdir):
        self.bin = binary
        self.dir = workdir
        self.db = os.path.join(workdir, "noaber.db")
        self.port = free_port()
        self.proc = None
        self.runs = 0
        self.logs = []

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOABER_")}
        env.update({
            "NOABER_PUBLIC_URL": "http://127.0.0.1:%d" % self.port,
            "ASAN_OPTIONS": "detect_leaks=1",
            "LSAN_OPTIONS": "suppressions=" + os.path.join(REPO, "tests", "lsan.supp"),
            "UBSAN_OPTIONS": "print_stacktrace=1",
        })
        return env

    def demo(self):
        r = subprocess.run([self.bin, "demo", "--db", self.db, "--password", PASSWORD],
                           env=self.env(), capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or any(m in r.stderr for m in SANITIZER_MARKS):
            raise AssertionError("noaber demo failed (%d):\n%s" % (r.returncode, r.stderr))

    def start(self):
        self.runs += 1
        log = os.path.join(self.dir, "serve-%02d.log" % self.runs)
        self.logs.append(log)
        with open(log, "wb") as err:
            self.proc = subprocess.Popen(
                [self.bin, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port],
                env=self.env(), stdout=subprocess.DEVNULL, stderr=err)
        t0 = time.time()
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("noaber serve exited with %d on start %d:\n%s" %
                                     (self.proc.returncode, self.runs, read(log)))
            try:
                status, _, _ = request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return time.time() - t0
            except OSError:
                pass
            if time.time() - t0 > 30:
                self.proc.kill()
                raise AssertionError("noaber serve did not answer /healthz within 30 s")
            time.sleep(0.02)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        """SIGTERM: the server must stop within 10 s with exit code 0."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not stop within 10 s of SIGTERM")
        if code != 0:
            raise AssertionError("the server exited with %d:\n%s" % (code, read(self.logs[-1])))

    def sanitizer_reports(self):
        return [(log, read(log)) for log in self.logs
                if any(m in read(log) for m in SANITIZER_MARKS)]


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def request(port, method, path, body=None, headers=None, timeout=10, sent=None):
    """One request on a new connection: (status, headers, parsed JSON or text). SENT, a list,
    gets True appended once the connection is up (so that the request may have arrived)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.connect()
        if sent is not None:
            sent.append(True)
        data = json.dumps(body).encode() if body is not None else None
        h = {"Accept": "application/json"}
        if data is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return r.status, r.getheaders(), parsed
    finally:
        conn.close()


def api_token(port):
    """Logs the coordinator in (a session cookie) and makes a personal API token."""
    status, headers, body = request(port, "POST", "/api/v1/login",
                                    {"login": COORDINATOR, "password": PASSWORD}, timeout=60)
    assert status == 200, "login: %d %s" % (status, body)
    cookie = None
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("noaber_session="):
            cookie = value.split(";", 1)[0]
    assert cookie, "login set no noaber_session cookie: %s" % headers
    status, _, body = request(port, "POST", "/api/v1/tokens", {"name": "crash"},
                              headers={"Cookie": cookie})
    assert status == 201 and body.get("token"), "token: %d %s" % (status, body)
    return body["token"]


class Writers:
    """WRITERS threads adding residents crash-<n>, n counting up, until stopped."""

    def __init__(self, server, token):
        self.server = server
        self.auth = {"Authorization": "Bearer " + token}
        self.lock = threading.Lock()
        self.next = 0
        self.acked = {}      # n -> id, answered 201
        self.not_sent = set()  # the connection was refused: the request never left
        self.unknown = set()   # sent, but no answer (the server died meanwhile)
        self.bad = []          # answers other than 201
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(WRITERS)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)

    def run(self):
        path = "/api/v1/neighbourhoods/%s/members" % HOOD
        while not self.stopping.is_set():
            with self.lock:
                n = self.next
                self.next += 1
            body = {"display_name": "Crash %d" % n, "username": "crash-%d" % n,
                    "role": "resident"}
            sent = []
            try:
                status, _, answer = request(self.server.port, "POST", path, body,
                                            headers=self.auth, sent=sent)
            except (OSError, http.client.HTTPException):
                with self.lock:
                    (self.unknown if sent else self.not_sent).add(n)
                time.sleep(0.01)
                continue
            with self.lock:
                if status == 201 and isinstance(answer, dict) and answer.get("id"):
                    self.acked[n] = answer["id"]
                else:
                    self.bad.append((n, status, answer))

    def snapshot(self):
        with self.lock:
            return dict(self.acked)


def crash_rows(db_path, readonly=True):
    """{n: id} of every crash-<n> resident of Binnenstad in the file, the two PRAGMA checks and
    the number of crash-<n> persons."""
    con = sqlite3.connect("file:%s%s" % (db_path, "?mode=ro" if readonly else ""), uri=True,
                          timeout=10)
    try:
        integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        rows = con.execute(
            "SELECT p.username, p.id FROM persons p JOIN memberships m ON m.person_id = p.id "
            "JOIN neighbourhoods h ON h.id = m.neighbourhood_id "
            "WHERE h.slug = ? AND p.username LIKE 'crash-%' AND m.role = 'resident'",
            (HOOD,)).fetchall()
        persons = con.execute(
            "SELECT count(*) FROM persons WHERE username LIKE 'crash-%'").fetchone()[0]
    finally:
        con.close()
    found = {int(u.split("-", 1)[1]): i for u, i in rows}
    return found, integrity, fk, persons


def check_copy(server, acked, workdir, k):
    """Copies the files a kill left behind and checks the copy (so that the server recovers from
    the originals, not from a file Python already recovered)."""
    copy = os.path.join(workdir, "copy-%02d" % k)
    os.makedirs(copy)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(server.db + suffix):
            shutil.copy2(server.db + suffix, os.path.join(copy, "noaber.db" + suffix))
    found, integrity, fk, _ = crash_rows(os.path.join(copy, "noaber.db"), readonly=False)
    assert integrity == ["ok"], "integrity_check after kill %d: %s" % (k, integrity)
    assert not fk, "foreign_key_check after kill %d: %s" % (k, fk)
    lost = sorted(n for n in acked if found.get(n) != acked[n])
    assert not lost, "after kill %d, acknowledged writes are missing: %s" % (k, lost[:20])
    shutil.rmtree(copy)
    return len(found)


def members_through_api(port, token):
    """{n: id} of every crash-<n> member of Binnenstad, page by page through the API."""
    found, offset, total = {}, 0, None
    while total is None or offset < total:
        status, _, body = request(port, "GET", "/api/v1/neighbourhoods/%s/members?limit=500"
                                  "&offset=%d" % (HOOD, offset),
                                  headers={"Authorization": "Bearer " + token})
        assert status == 200, "member list: %d %s" % (status, body)
        total = body["total"]
        if not body["members"]:
            break
        for m in body["members"]:
            u = m.get("username") or ""
            if u.startswith("crash-"):
                assert int(u[6:]) not in found, "crash write listed twice: %s" % u
                found[int(u[6:])] = m["id"]
        offset += len(body["members"])
    return found


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--noaber", default=os.environ.get("NOABER_BIN",
                                                      os.path.join(REPO, "build", "noaber")))
    p.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", "20261124")))
    p.add_argument("--kills", type=int, default=12)
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()
    rng = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="noaber-crash-")
    print("crash test: seed %d, %d kills, work directory %s" % (args.seed, args.kills, workdir),
          flush=True)
    t0 = time.time()
    server = Server(os.path.abspath(args.noaber), workdir)
    ok = False
    try:
        server.demo()
        server.start()
        token = api_token(server.port)
        writers = Writers(server, token)
        writers.start()
        starts = []
        for k in range(1, args.kills + 1):
            # Mostly in the middle of the writes; now and then just after a restart, while the
            # server may still be recovering the file or preparing its statements.
            time.sleep(rng.uniform(0.0, 0.3) if rng.random() < 0.2 else rng.uniform(1.0, 4.0))
            server.kill()
            acked = writers.snapshot()  # every one of these was committed before the kill
            present = check_copy(server, acked, workdir, k)
            starts.append(server.start())
            print("kill %2d at %5.1f s: %5d acknowledged, %5d in the file, restarted in %.2f s" %
                  (k, time.time() - t0, len(acked), present, starts[-1]), flush=True)
        time.sleep(1.0)
        writers.stop()
        assert not writers.bad, "answers other than 201: %s" % writers.bad[:10]
        acked = writers.snapshot()
        assert len(acked) > 100, "too few writes to mean anything: %d" % len(acked)

        api = members_through_api(server.port, token)
        server.stop()
        reports = server.sanitizer_reports()
        assert not reports, "sanitizer report in %s:\n%s" % (reports[0][0], reports[0][1][-20000:])
        found, integrity, fk, persons = crash_rows(server.db)
        assert integrity == ["ok"], "integrity_check: %s" % integrity
        assert not fk, "foreign_key_check: %s" % fk
        for name, got in (("the API", api), ("the file", found)):
            lost = sorted(n for n in acked if got.get(n) != acked[n])
            assert not lost, "acknowledged writes missing from %s: %s" % (name, lost[:20])
            ghosts = sorted(n for n in got if n in writers.not_sent or n >= writers.next)
            assert not ghosts, "writes never sent are present in %s: %s" % (name, ghosts[:20])
        assert api == found, "the API and the file disagree"
        assert persons == len(found), "crash persons without their membership: %d vs %d" % (
            persons, len(found))
        unanswered = writers.unknown
        print("ok: %d writes sent, %d acknowledged and all present; %d without an answer "
              "(%d of them present); %d refused while down; %d kills; restart %.2f s on average; "
              "%.0f s in all" %
              (writers.next - len(writers.not_sent), len(acked), len(unanswered),
               sum(1 for n in unanswered if n in found), len(writers.not_sent), args.kills,
               sum(starts) / len(starts), time.time() - t0))
        ok = True
    finally:
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print("work directory kept: %s" % workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
