"""HTTP test: an anonymous GET writes nothing to the database. Every public page (and the pages
that send an anonymous visitor to /login, the 404s, static files, the API's public reads and its
401s) is fetched 50 times; before and after, the content of every table is read. On SQLite through
a read-only connection, and SQLite's data_version on a connection held open meanwhile must not
move (it changes when any other connection commits). On PostgreSQL every row is read with its
xmin, the transaction that wrote it, volatile columns included: a row inserted or updated, even
with the same values, has a new xmin; a row deleted is missing.
"""

import hashlib
import sqlite3
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, Client  # noqa: E402

PAGES = ["/", "/login", "/login?next=/account", "/login/code", "/login/code?code=ABCD-EFGH-JKLM",
         "/register", "/register?hood=oost", "/verify", "/verify?code=ABCD", "/password/reset",
         "/n/%s" % HOOD, "/n/oost", "/n/zuilen", "/n/nergens", "/nope", "/static/noaber.css",
         "/static/nope.css", "/healthz", "/metrics", "/?lang=en", "/account", "/messages",
         "/messages/1", "/admin", "/n/%s/members" % HOOD, "/n/%s/calls" % HOOD,
         "/n/%s/members/new" % HOOD, "/api/v1/neighbourhoods", "/api/v1/neighbourhoods/%s" % HOOD,
         "/api/v1/neighbourhoods/nergens", "/api/v1/me", "/api/v1/messages",
         "/api/v1/neighbourhoods/%s/members" % HOOD, "/logout"]


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


def pg_rows_with_xmin(srv):
    """{table: SHA-256 of every row with its xmin} of the server's PostgreSQL database."""
    out = {}
    for t in sorted(srv._pg_columns()):
        rows = harness.psql(srv.db, 'SELECT json_agg(t) FROM (SELECT xmin::text AS "xmin ", * '
                            'FROM "%s" ORDER BY ctid) t' % t)
        out[t] = hashlib.sha256(rows.encode()).hexdigest()
    return out


class AnonymousReadsOnly(harness.ServerTest):
    def test_anonymous_gets_write_nothing(self):
        pg = self.srv.pg
        con = None if pg else sqlite3.connect("file:%s?mode=ro" % self.srv.db, uri=True,
                                              timeout=10)
        try:
            version = None if pg else con.execute("PRAGMA data_version").fetchone()[0]
            before = pg_rows_with_xmin(self.srv) if pg else self.srv.db_snapshot()
            statuses = {}
            fresh = Client(self.srv)  # a new visitor each round, and one who keeps cookies
            kept = Client(self.srv)
            odd = Client(self.srv)
            odd.cookies.update({"noaber_session": "f" * 64, "noaber_lang": "en",
                                "noaber_flash": "saved", "noaber_nonce": "0" * 32})
            for _ in range(50):
                for path in PAGES:
                    for c in (fresh, kept, odd):
                        r = c.get(path)
                        statuses[path] = r.status
                        self.assertLess(r.status, 500, path)
                    fresh.cookies.clear()
                odd.cookies.update({"noaber_session": "f" * 64})
            bearer = Client(self.srv)
            bearer.token = "0" * 64
            self.assertJsonError(bearer.api("GET", "/api/v1/me"), 401, "BAD_TOKEN")
            if pg:
                self.assertEqual(pg_rows_with_xmin(self.srv), before)
            else:
                self.assertEqual(con.execute("PRAGMA data_version").fetchone()[0], version,
                                 "another connection committed during anonymous GETs")
                self.assertEqual(self.srv.db_snapshot(), before)
        finally:
            if con:
                con.close()
        # the walk covered pages, redirects to /login, 401s and 404s
        self.assertEqual(statuses["/"], 200)
        self.assertEqual(statuses["/account"], 303)
        self.assertEqual(statuses["/api/v1/me"], 401)
        self.assertEqual(statuses["/nope"], 404)
        self.assertEqual(statuses["/logout"], 405)

    def test_a_logged_in_view_writes_little(self):
        """For contrast: the snapshot does see writes (a login is one)."""
        before = self.srv.db_snapshot()
        Client(self.srv).login(harness.EMAIL["resident"])
        after = self.srv.db_snapshot()
        self.assertNotEqual(before["sessions"], after["sessions"])
        self.assertNotEqual(before["audit_log"], after["audit_log"])
        if self.srv.pg:
            before = pg_rows_with_xmin(self.srv)
            Client(self.srv).login(harness.EMAIL["resident"])
            after = pg_rows_with_xmin(self.srv)
            self.assertNotEqual(before["sessions"], after["sessions"])


if __name__ == "__main__":
    harness.main()
