"""HTTP tests of the JSON API under /api/v1/: me (read and PATCH), neighbourhoods, members (list,
add, confirm, role), messages, logging in and out, personal API tokens (made by a logged-in person,
then used with Authorization: Bearer and no cookies), and the one error shape
{"error":{"code":…,"message":…}} (with "fields" for 422).
"""

import sys
import unittest

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402

HOOD_KEYS = {"slug", "name", "description", "postcodes"}
MEMBER_KEYS = {"id", "display_name", "email", "username", "role", "confirmed"}


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


class Api(harness.ServerTest):
    def members(self, client, query=""):
        r = client.api("GET", "/api/v1/neighbourhoods/%s/members%s" % (HOOD, query))
        self.assertStatus(r, 200)
        return r.json()

    def test_me(self):
        r = self.client("coordinator").api("GET", "/api/v1/me")
        self.assertStatus(r, 200)
        self.assertEqual(r.header("Content-Type"), "application/json")
        me = r.json()
        self.assertEqual(set(me), {"id", "display_name", "email", "username", "lang", "channel",
                                   "email_verified", "is_admin", "neighbourhoods"})
        self.assertIsInstance(me["id"], int)
        self.assertEqual(me["display_name"], "Carla Coördinator")
        self.assertEqual(me["email"], harness.EMAIL["coordinator"])
        self.assertIsNone(me["username"])
        self.assertEqual(me["channel"], "inapp")
        self.assertIs(me["email_verified"], True)
        self.assertIs(me["is_admin"], False)
        self.assertEqual(len(me["neighbourhoods"]), 1)
        h = me["neighbourhoods"][0]
        self.assertEqual(set(h), HOOD_KEYS | {"role", "confirmed"})
        self.assertEqual((h["slug"], h["role"], h["confirmed"]), (HOOD, "coordinator", True))
        self.assertIs(self.client("admin").api("GET", "/api/v1/me").json()["is_admin"], True)

    def test_me_lang_of_a_new_account(self):
        for who in ("coordinator", "resident", "admin"):
            with self.subTest(who=who):
                self.assertEqual(self.client(who).api("GET", "/api/v1/me").json()["lang"], "nl")
        c = Client(self.srv, lang="en")
        c.post_form("/register", {"display_name": "Emma English", "email": "emma@example.org",
                                  "password": "een goed wachtwoord",
                                  "password2": "een goed wachtwoord", "postcode": "3511AB",
                                  "consent": "1"})
        self.assertEqual(c.api("GET", "/api/v1/me").json()["lang"], "en")
        # the visible effect: messages to a Dutch demo account come in English
        inbox = self.client("connector").api("GET", "/api/v1/messages").json()["messages"]
        note = [m for m in inbox if m["kind"] == "member_registered"]
        self.assertTrue(note)
        self.assertEqual(note[0]["subject"], "Nieuwe bewoner om te bevestigen in Binnenstad")

    def test_patch_me(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["partner"])
        r = c.api("PATCH", "/api/v1/me", {"lang": "en", "channel": "email"})
        self.assertStatus(r, 200)
        me = r.json()
        self.assertEqual((me["lang"], me["channel"], me["display_name"]),
                         ("en", "email", "Petra Huisartsenpraktijk"))
        r = c.api("PATCH", "/api/v1/me", {"display_name": "Petra P."})
        self.assertEqual((r.json()["lang"], r.json()["display_name"]), ("en", "Petra P."))
        self.assertIn('<html lang="en"', c.get("/account").text)
        err = self.assertJsonError(c.api("PATCH", "/api/v1/me", {"channel": "pigeon",
                                                                 "display_name": "x"}), 422,
                                   "INVALID")
        self.assertEqual(err["fields"]["channel"]["code"], "BAD_CHOICE")
        self.assertEqual(err["fields"]["display_name"]["code"], "TOO_SHORT")
        self.assertEqual(err["fields"]["channel"]["message"], "Please choose one of the options.")
        me = c.api("GET", "/api/v1/me").json()
        self.assertEqual((me["channel"], me["display_name"]), ("email", "Petra P."))
        r = c.api("PATCH", "/api/v1/me", {"lang": "nl", "channel": "inapp",
                                          "display_name": "Petra Huisartsenpraktijk"})
        self.assertStatus(r, 200)

    def test_neighbourhoods(self):
        anon = Client(self.srv)
        r = anon.api("GET", "/api/v1/neighbourhoods")
        self.assertStatus(r, 200)
        hoods = {h["slug"]: h for h in r.json()["neighbourhoods"]}
        self.assertTrue({HOOD, "oost", "zuilen"} <= set(hoods))
        for h in hoods.values():
            self.assertEqual(set(h), HOOD_KEYS)
        self.assertEqual(hoods[HOOD]["postcodes"], "3511,3512")
        one = anon.api("GET", "/api/v1/neighbourhoods/%s" % HOOD).json()
        self.assertEqual(set(one), HOOD_KEYS | {"role", "confirmed"})
        self.assertEqual((one["name"], one["role"], one["confirmed"]), ("Binnenstad", "", False))
        mine = self.client("connector").api("GET", "/api/v1/neighbourhoods/%s" % HOOD).json()
        self.assertEqual((mine["role"], mine["confirmed"]), ("connector", True))
        self.assertJsonError(anon.api("GET", "/api/v1/neighbourhoods/nergens"), 404, "NOT_FOUND")

    def test_member_list_and_paging(self):
        coord = self.client("coordinator")
        everyone = self.members(coord)
        self.assertEqual(set(everyone), {"members", "total"})
        self.assertGreaterEqual(everyone["total"], 7)
        self.assertEqual(len(everyone["members"]), min(everyone["total"], 50))
        for m in everyone["members"]:
            self.assertEqual(set(m), MEMBER_KEYS)
            self.assertTrue(m["email"] or m["username"])
        names = [m["display_name"] for m in everyone["members"]]
        page1 = self.members(coord, "?limit=2")
        page2 = self.members(coord, "?limit=2&offset=2")
        self.assertEqual([m["display_name"] for m in page1["members"] + page2["members"]],
                         names[:4])
        self.assertEqual(page1["total"], everyone["total"])
        self.assertEqual(self.members(coord, "?offset=100000")["members"], [])
        pending = self.members(coord, "?pending=1")
        self.assertTrue(pending["members"])
        self.assertTrue(all(not m["confirmed"] for m in pending["members"]))
        self.assertEqual(pending["total"], len([m for m in everyone["members"]
                                                if not m["confirmed"]]))

    def test_member_add_confirm_role(self):
        coord, conn = self.client("coordinator"), self.client("connector")
        r = coord.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                      {"display_name": "Henk Zonder Mail", "username": "Henk.Z",
                       "role": "resident"})
        self.assertStatus(r, 201)
        body = r.json()
        self.assertEqual(set(body), {"id", "role"})
        self.assertEqual(body["role"], "resident")
        hid = body["id"]
        listed = {m["id"]: m for m in self.members(coord, "?limit=500")["members"]}
        self.assertEqual((listed[hid]["username"], listed[hid]["confirmed"]), ("henk.z", True))
        self.assertJsonError(coord.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                                       {"display_name": "Henk", "username": "henk.z",
                                        "role": "resident"}), 409, "USERNAME_TAKEN")
        self.assertJsonError(coord.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                                       {"display_name": "Rian", "email": harness.EMAIL["resident"],
                                        "role": "resident"}), 409, "ALREADY_MEMBER")
        # a connector adds residents, but gives no other role
        self.assertJsonError(conn.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                                      {"display_name": "Cor", "email": "cor@example.org",
                                       "role": "coordinator"}), 403, "FORBIDDEN")
        # confirm someone waiting
        waiting = [m for m in self.members(conn, "?pending=1")["members"]]
        wid = waiting[0]["id"]
        r = conn.api("POST", "/api/v1/neighbourhoods/%s/members/%d/confirm" % (HOOD, wid))
        # no body: a cookie session without JSON needs the CSRF token
        self.assertJsonError(r, 403, "CSRF")
        r = conn.api("POST", "/api/v1/neighbourhoods/%s/members/%d/confirm" % (HOOD, wid), {})
        self.assertStatus(r, 200)
        self.assertEqual(r.json(), {"confirmed": True})
        self.assertNotIn(wid, [m["id"] for m in self.members(conn, "?pending=1")["members"]])
        # roles
        url = "/api/v1/neighbourhoods/%s/members/%d/role" % (HOOD, hid)
        r = coord.api("PUT", url, {"role": "connector"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json(), {"role": "connector"})
        listed = {m["id"]: m for m in self.members(coord, "?limit=500")["members"]}
        self.assertEqual(listed[hid]["role"], "connector")
        err = self.assertJsonError(coord.api("PUT", url, {"role": "king"}), 422, "INVALID")
        self.assertEqual(err["fields"]["role"]["code"], "BAD_CHOICE")
        me = coord.api("GET", "/api/v1/me").json()["id"]
        self.assertJsonError(coord.api("PUT", "/api/v1/neighbourhoods/%s/members/%d/role"
                                       % (HOOD, me), {"role": "resident"}), 403, "FORBIDDEN")
        self.assertStatus(coord.api("PUT", url, {"role": "none"}), 200)
        listed = {m["id"] for m in self.members(coord, "?limit=500")["members"]}
        self.assertNotIn(hid, listed)
        self.assertJsonError(coord.api("PUT", url, {"role": "resident"}), 404, "NOT_FOUND")

    def test_personal_token(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["connector"])
        me = c.api("GET", "/api/v1/me").json()
        r = c.api("POST", "/api/v1/tokens", {"name": "Mijn script"})
        self.assertStatus(r, 201)
        body = r.json()
        self.assertEqual(body["name"], "Mijn script")
        self.assertRegex(body["token"], r"^[0-9a-f]{64}$")
        self.assertNotIn(body["token"], str(self.srv.db_query("SELECT * FROM api_tokens")),
                         "stored hashed")
        b = Client(self.srv)
        b.token = body["token"]
        r = b.api("GET", "/api/v1/me")
        self.assertStatus(r, 200)
        self.assertEqual(r.json()["id"], me["id"])
        self.assertEqual(b.cookies, {}, "a bearer call gets no session")
        self.assertStatus(b.api("GET", "/api/v1/neighbourhoods/%s/members" % HOOD), 200)
        r = b.api("PATCH", "/api/v1/me", {"channel": "inapp"})
        self.assertStatus(r, 200)
        r = b.request("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                      body="display_name=Via+Token&email=token-lid%40example.org&role=resident",
                      content_type="application/x-www-form-urlencoded")
        self.assertStatus(r, 201)
        bad = Client(self.srv)
        bad.token = body["token"][:-1] + ("0" if body["token"][-1] != "0" else "1")
        self.assertJsonError(bad.api("GET", "/api/v1/me"), 401, "BAD_TOKEN")
        bad.token = "kort"
        self.assertJsonError(bad.api("GET", "/api/v1/me"), 401, "BAD_TOKEN")
        r = Client(self.srv).request("GET", "/api/v1/me",
                                     headers={"Authorization": "Basic dXNlcjpwYXNz"})
        self.assertJsonError(r, 401, "UNAUTHENTICATED")
        self.assertJsonError(Client(self.srv).api("POST", "/api/v1/tokens", {"name": "x"}), 401,
                             "UNAUTHENTICATED")
        err = self.assertJsonError(c.api("POST", "/api/v1/tokens", {}), 422, "INVALID")
        self.assertEqual(err["fields"]["name"]["code"], "REQUIRED")

    def test_login_and_logout(self):
        c = Client(self.srv)
        r = c.api("POST", "/api/v1/login", {"login": harness.EMAIL["resident"],
                                            "password": PASSWORD})
        self.assertStatus(r, 200)
        self.assertEqual(r.json(), {"ok": True})
        self.assertTrue(c.logged_in())
        self.assertStatus(c.api("GET", "/api/v1/me"), 200)
        r = c.api("POST", "/api/v1/logout", {})
        self.assertStatus(r, 200)
        self.assertFalse(c.logged_in())
        self.assertJsonError(c.api("GET", "/api/v1/me"), 401, "UNAUTHENTICATED")
        r = Client(self.srv).api("POST", "/api/v1/login", {"login": harness.EMAIL["resident"],
                                                           "password": "fout wachtwoord"})
        self.assertJsonError(r, 401, "BAD_LOGIN")
        r = Client(self.srv).api("POST", "/api/v1/login", {"login": harness.NO_EMAIL_USERNAME,
                                                           "password": PASSWORD})
        self.assertJsonError(r, 401, "BAD_LOGIN")  # no password yet

    def test_messages(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["resident"])
        r = c.api("GET", "/api/v1/messages")
        self.assertStatus(r, 200)
        box = r.json()
        self.assertEqual(set(box), {"messages", "total", "unread"})
        self.assertGreaterEqual(box["total"], 2)
        m = box["messages"][0]
        self.assertEqual(set(m), {"id", "kind", "subject", "body", "link", "when", "created_at",
                                  "unread"})
        self.assertRegex(m["when"], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
        unread = [x for x in box["messages"] if x["unread"]]
        self.assertTrue(unread)
        r = c.api("POST", "/api/v1/messages/%d/read" % unread[0]["id"], {})
        self.assertStatus(r, 200)
        self.assertEqual(r.json(), {"read": True})
        after = c.api("GET", "/api/v1/messages").json()
        self.assertEqual(after["unread"], box["unread"] - 1)
        others = self.client("coordinator").api("GET", "/api/v1/messages").json()["messages"]
        self.assertJsonError(c.api("POST", "/api/v1/messages/%d/read" % others[0]["id"], {}),
                             404, "NOT_FOUND")
        self.assertEqual(self.client("coordinator").api("GET", "/api/v1/messages").json()
                         ["messages"][0]["unread"], others[0]["unread"])

    def test_error_shape(self):
        anon, res = Client(self.srv), self.client("resident")
        cases = [
            (anon.api("GET", "/api/v1/me"), 401, "UNAUTHENTICATED"),
            (res.api("GET", "/api/v1/neighbourhoods/%s/members" % HOOD), 403, "FORBIDDEN"),
            (res.api("POST", "/api/v1/neighbourhoods", {"slug": "x1", "name": "X1"}), 403,
             "FORBIDDEN"),
            (anon.api("GET", "/api/v1/nope"), 404, "NOT_FOUND"),
            (anon.api("GET", "/api/v2/neighbourhoods"), 404, "NOT_FOUND"),
            (anon.api("GET", "/api/v1/neighbourhoods/nergens/members"), 404, "NOT_FOUND"),
            (res.api("PUT", "/api/v1/me", {}), 405, "METHOD"),
            (anon.api("DELETE", "/api/v1/neighbourhoods"), 405, "METHOD"),
            (anon.request("POST", "/api/v1/login", body="{", content_type="application/json"),
             400, "BAD_JSON"),
            (anon.request("POST", "/api/v1/login", body="x", content_type="text/csv"), 415,
             "MEDIA_TYPE"),
            (anon.api("POST", "/api/v1/login", {}), 422, "INVALID"),
            (anon.api("GET", b"/api/v1/neighbourhoods/%C0%AF"), 400, "BAD_ENCODING"),
            (self.client("admin").api("POST", "/api/v1/neighbourhoods",
                                      {"slug": HOOD, "name": "Dubbel"}), 409, "SLUG_TAKEN"),
        ]
        for r, status, code in cases:
            with self.subTest(answer=repr(r)):
                err = self.assertJsonError(r, status, code)
                self.assertRegex(err["code"], r"^[A-Z][A-Z_]*$")
                self.assertEqual(set(err) - {"fields"}, {"code", "message"})
                if status == 422:
                    self.assertIsInstance(err["fields"], dict)
                    for f in err["fields"].values():
                        self.assertEqual(set(f), {"code", "message"})
                else:
                    self.assertNotIn("fields", err)
        self.assertIsNotNone(cases[6][0].header("Allow"))

    def test_allow_lists_the_methods_of_the_path(self):
        # /api/v1/me: read, change (PATCH) and erase (DELETE, the privacy module)
        me = {"GET", "HEAD", "PATCH", "DELETE"}
        for method, path, allowed in (("PUT", "/api/v1/me", me),
                                      ("POST", "/api/v1/me", me),
                                      ("DELETE", "/api/v1/neighbourhoods", {"GET", "HEAD", "POST"}),
                                      ("GET", "/api/v1/login", {"POST"})):
            with self.subTest(method=method, path=path):
                r = self.client("resident").api(method, path, {} if method != "GET" else None)
                self.assertStatus(r, 405)
                got = {m.strip() for m in (r.header("Allow") or "").split(",")}
                self.assertEqual(got, allowed)


if __name__ == "__main__":
    harness.main()
