"""HTTP tests of privacy by design: a person's own data as a readable page and as JSON (page
download and API), who opened their file, and the erasure of their account on the page (password
again, or the word VERWIJDER for an account without password) and through the API.

A wrong password changes nothing but the counted try; after erasure the login fails, /account
sends to /login, and nothing in the database names the person any more. The only administrator
cannot erase their account. The access log is filled here with plain SQL (as the residents module
will do through privacy_log_access() when staff open a file).
"""

import html
import json
import re
import sqlite3
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


def register(srv, name, email, password="een nieuw wachtwoord"):
    """A new resident, registered through the form and logged in."""
    c = Client(srv)
    r = c.post_form("/register", {"display_name": name, "email": email, "password": password,
                                  "password2": password, "postcode": "3511AB", "consent": "1"})
    if r.status != 303 or not c.logged_in():
        raise AssertionError("registration of %s: %d\n%s" % (email, r.status, r.text[:2000]))
    return c


def db_write(srv, sql, args=()):
    """Writes a fixture row the way the harness reads: SQLite file or PostgreSQL database."""
    if getattr(srv, "pg", None):
        harness.psql(srv.db, harness._pg_bind(sql, args))
        return
    con = sqlite3.connect(srv.db, timeout=10)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def names_anywhere(srv, needles):
    """(table, value) of every cell in the database that contains one of NEEDLES."""
    if getattr(srv, "pg", None):
        tables = [r[0] for r in srv.db_query(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")]
    else:
        tables = [r[0] for r in srv.db_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    found = []
    for t in tables:
        for row in srv.db_query('SELECT * FROM "%s"' % t):
            for v in row:
                if v is not None and any(n in str(v) for n in needles):
                    found.append((t, v))
    return found


class OwnData(harness.ServerTest):
    def test_pages_need_a_login(self):
        anon = Client(self.srv)
        for path in ("/account/data", "/account/data.json", "/account/access-log",
                     "/account/erase"):
            with self.subTest(path=path):
                self.assertRedirect(anon.get(path), "/login?next=")
        for path in ("/api/v1/me/export", "/api/v1/me/access-log"):
            self.assertJsonError(anon.api("GET", path), 401, "UNAUTHENTICATED")
        self.assertJsonError(anon.api("DELETE", "/api/v1/me", {"password": PASSWORD}), 401,
                             "UNAUTHENTICATED")

    def test_readable_page(self):
        c = self.client("resident")
        r = c.get("/account/data")
        self.assertStatus(r, 200)
        page = harness.main_text(r.text)
        self.assertIn("<h1>Mijn gegevens</h1>", page)
        self.assertIn("Je account", page)          # the translated heading of persons
        self.assertIn("Berichten aan jou", page)   # of messages
        self.assertIn(harness.EMAIL["resident"], page)
        self.assertIn("om in te loggen en om je de e-mail te sturen waar je om vroeg", page)
        self.assertIn('href="/account/data.json"', page)
        self.assertIn('href="/account/erase"', page)
        # the password hash is kept but never shown
        (hash_,) = self.srv.db_query("SELECT password_hash FROM persons WHERE email = ?",
                                     (harness.EMAIL["resident"],))[0]
        self.assertNotIn(hash_, r.text)
        self.assertIn("(bewaard, maar niet getoond)", page)
        self.assertEqual(r.header("Cache-Control"), "private, no-store")
        # English too
        en = Client(self.srv, lang="en")
        en.login(harness.EMAIL["partner"])
        r = en.get("/account/data?lang=en")
        self.assertStatus(r, 200)
        self.assertIn("<h1>My data</h1>", r.text)
        self.assertIn("Your account", r.text)

    def test_json_download_and_api_hold_the_messages(self):
        c = self.client("resident")
        r = c.get("/account/data.json")
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="noaber-export.json"')
        doc = r.json()
        self.assertEqual(doc["format"], "noaber-export/1")
        me = c.api("GET", "/api/v1/me").json()
        self.assertEqual(doc["person_id"], me["id"])
        persons = doc["tables"]["persons"]["rows"]
        self.assertEqual(len(persons), 1)
        self.assertEqual(persons[0]["email"], harness.EMAIL["resident"])
        self.assertEqual(persons[0]["password_hash"], "")  # there is one; it is not shown
        inbox = c.api("GET", "/api/v1/messages").json()["messages"]
        self.assertTrue(inbox)
        exported = {(m["id"], m["subject"], m["body"]) for m in doc["tables"]["messages"]["rows"]}
        for m in inbox:
            self.assertIn((str(m["id"]), m["subject"], m["body"]), exported)
        memberships = doc["tables"]["memberships"]["rows"]
        self.assertTrue(all(m["person_id"] == str(me["id"]) for m in memberships))
        # the API gives the same document
        api = c.api("GET", "/api/v1/me/export")
        self.assertStatus(api, 200)
        self.assertEqual(api.json()["tables"], doc["tables"])
        self.assertIsNone(api.header("Content-Disposition"))
        # another person's export is theirs only
        other = self.client("connector").api("GET", "/api/v1/me/export").json()
        self.assertNotEqual(other["person_id"], doc["person_id"])
        self.assertNotIn(harness.EMAIL["resident"],
                         json.dumps(other["tables"]["persons"]))

    def test_staff_see_what_they_did_for_others(self):
        coord = self.client("coordinator")
        r = coord.post_form("/n/%s/members" % HOOD,
                            {"display_name": "Ria Nieuwkoop", "email": "ria.nk@example.org",
                             "role": "resident"}, page="/n/%s/members/new" % HOOD)
        self.assertRedirect(r)
        me = coord.api("GET", "/api/v1/me").json()["id"]
        doc = coord.api("GET", "/api/v1/me/export").json()
        # the account they made: only that they made it, nothing about Ria
        made = doc["tables"]["persons"]["acted"]
        self.assertIn({"created_by": str(me)}, made)
        self.assertNotIn("ria.nk@example.org", json.dumps(doc))
        audit = doc["tables"]["audit_log"]["acted"]
        self.assertTrue(any(a["action"] == "member_add" for a in audit), audit)
        for row in audit:
            self.assertEqual(row["actor_id"], str(me))
            self.assertNotIn("detail", row)
            self.assertNotIn("subject_id", row)
        page = coord.get("/account/data")
        self.assertIn("Wat je voor anderen deed", page.text)

    def test_access_log(self):
        c = self.client("resident")
        me = c.api("GET", "/api/v1/me").json()["id"]
        r = c.get("/account/access-log")
        self.assertStatus(r, 200)
        self.assertIn("Nog niemand heeft je dossier geopend.", r.text)
        self.assertEqual(c.api("GET", "/api/v1/me/access-log").json(),
                         {"entries": [], "total": 0})
        connector = harness.member_id(self.srv, harness.EMAIL["connector"])
        (name,) = self.srv.db_query("SELECT display_name FROM persons WHERE id = ?",
                                    (connector,))[0]
        db_write(self.srv, "INSERT INTO access_log (at, viewer_id, person_id, what) "
                 "VALUES (1735689600, ?, ?, 'resident profile')", (connector, me))
        r = c.get("/account/access-log")
        self.assertStatus(r, 200)
        self.assertIn(name, r.text)
        self.assertIn("2025-01-01 00:00", r.text)
        api = c.api("GET", "/api/v1/me/access-log").json()
        self.assertEqual(api["total"], 1)
        self.assertEqual(api["entries"][0]["viewer"], name)
        self.assertEqual(api["entries"][0]["at"], 1735689600)
        self.assertEqual(api["entries"][0]["what"], "resident profile")
        # the kind of file in the person's language (the msgid where there is no translation)
        label = api["entries"][0]["what_label"]
        self.assertTrue(label)
        self.assertIn('">%s</td>' % html.escape(label), r.text)
        # the connector's own log is empty: it is about files opened, not opened by them
        self.assertEqual(self.client("connector").api("GET", "/api/v1/me/access-log")
                         .json()["total"], 0)


class Erasure(harness.ServerTest):
    def test_erase_on_the_page(self):
        email, name = "sanne.erase@example.org", "Sanne Wisselink"
        c = register(self.srv, name, email)
        pid = harness.member_id(self.srv, email)
        page = c.get("/account/erase")
        self.assertStatus(page, 200)
        self.assertIn("Je kunt je account zelf verwijderen.", page.text)
        self.assertIn('name="password"', page.text)
        self.assertNotIn('name="confirm"', page.text)

        # a wrong password: 422 on the form, nothing changes but the counted try
        before = self.srv.db_snapshot()
        r = c.post_form("/account/erase", {"password": "niet mijn wachtwoord"})
        self.assertStatus(r, 422)
        self.assertIn("Dit wachtwoord klopt niet.", r.text)
        after = self.srv.db_snapshot()
        before.pop("login_attempts")
        after.pop("login_attempts")
        self.assertEqual(after, before)
        self.assertStatus(c.get("/account"), 200)

        r = c.post_form("/account/erase", {"password": "een nieuw wachtwoord"})
        self.assertRedirect(r, "/")
        self.assertFalse(c.logged_in())
        home = c.get("/")
        self.assertIn("Je account en je gegevens zijn verwijderd.", home.text)
        self.assertEqual(self.srv.db_query("SELECT count(*) FROM persons WHERE id = ?", (pid,)),
                         [(0,)])
        self.assertEqual(names_anywhere(self.srv, [email, name]), [])
        # logged out, and the login no longer works (the failed try is counted for a day, as
        # for any name typed on the login form)
        self.assertRedirect(c.get("/account"), "/login")
        r = Client(self.srv).post_form("/login", {"login": email,
                                                  "password": "een nieuw wachtwoord"})
        self.assertStatus(r, 401)
        # the audit log keeps the registration, under a pseudonym
        rows = self.srv.db_query("SELECT subject_id, subject_pseudonym FROM audit_log "
                                 "WHERE action = 'register' AND subject_pseudonym <> ''")
        self.assertTrue(any(re.fullmatch(r"erased-[0-9a-f]{12}", p) for _, p in rows), rows)
        self.assertTrue(all(s is None for s, _ in rows))

    def test_erase_through_the_api(self):
        email, name = "kees.api@example.org", "Kees Verdonk"
        c = register(self.srv, name, email)
        api = Client(self.srv)
        self.assertStatus(api.api("POST", "/api/v1/login",
                                  {"login": email, "password": "een nieuw wachtwoord"}), 200)
        r = api.api("DELETE", "/api/v1/me", {"password": "fout"})
        err = self.assertJsonError(r, 422, "WRONG_PASSWORD")
        self.assertEqual(err["fields"]["password"]["code"], "WRONG_PASSWORD")
        self.assertStatus(api.api("GET", "/api/v1/me"), 200)
        r = api.api("DELETE", "/api/v1/me", {"password": "een nieuw wachtwoord"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json(), {"erased": True})
        self.assertJsonError(api.api("GET", "/api/v1/me"), 401)
        # every session of the person ended, also the one of the browser
        self.assertRedirect(c.get("/account"), "/login")
        self.assertEqual(names_anywhere(self.srv, [email, name]), [])

    def test_account_without_password_confirms_with_the_word(self):
        coord = self.client("coordinator")
        r = coord.post_form("/n/%s/members" % HOOD,
                            {"display_name": "Gerrit Zonder Mail", "email": "",
                             "username": "gerrit.zm", "role": "resident"},
                            page="/n/%s/members/new" % HOOD)
        self.assertRedirect(r)
        gid = harness.member_id(self.srv, "gerrit.zm")
        page = coord.post_form("/n/%s/members/%d/code" % (HOOD, gid), {},
                               page="/n/%s/members" % HOOD)
        code = re.search(r'<dd class="code">([A-Z0-9-]+)</dd>', page.text).group(1)
        g = Client(self.srv)
        self.assertRedirect(g.post_form("/login/code", {"code": code}))
        form = g.get("/account/erase")
        self.assertIn('name="confirm"', form.text)
        self.assertNotIn('name="password"', form.text)
        self.assertIn("Typ VERWIJDER om te bevestigen", form.text)
        r = g.post_form("/account/erase", {"confirm": "misschien"})
        self.assertStatus(r, 422)
        self.assertIn("Typ het woord VERWIJDER om te bevestigen.", r.text)
        self.assertEqual(self.srv.db_query("SELECT count(*) FROM persons WHERE id = ?", (gid,)),
                         [(1,)])
        r = g.post_form("/account/erase", {"confirm": "VERWIJDER"})
        self.assertRedirect(r, "/")
        self.assertEqual(self.srv.db_query("SELECT count(*) FROM persons WHERE id = ?", (gid,)),
                         [(0,)])
        self.assertEqual(names_anywhere(self.srv, ["gerrit.zm", "Gerrit Zonder Mail"]), [])

    def test_the_only_administrator_stays(self):
        admin = Client(self.srv)
        admin.login(harness.EMAIL["admin"])
        page = admin.get("/account/erase")
        self.assertIn("Je bent de enige beheerder.", page.text)
        r = admin.post_form("/account/erase", {"password": PASSWORD})
        self.assertStatus(r, 409)
        self.assertIn("Er moet minstens één beheerder blijven.", r.text)
        self.assertJsonError(admin.api("DELETE", "/api/v1/me", {"password": PASSWORD}), 409,
                             "LAST_ADMIN")
        self.assertStatus(admin.get("/account"), 200)


if __name__ == "__main__":
    harness.main()
