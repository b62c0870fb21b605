"""HTTP tests of Noaber's main flows, end to end through pages as a browser does them.

The administrator adds a neighbourhood (page and API); a coordinator adds members (with e-mail,
and without: a username), gives a role and prints a login code; the resident without e-mail logs
in with that code and chooses a password; a resident registers, sees only the public part of the
neighbourhood until a connector confirms them, then the inside; language, messages, logging out
(here and everywhere), and the password reset that answers the same for every address.
"""

import re
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


def members(client, hood=HOOD):
    """{e-mail or username: member} of HOOD through the API (CLIENT may list members)."""
    r = client.api("GET", "/api/v1/neighbourhoods/%s/members?limit=500" % hood)
    if r.status != 200:
        raise AssertionError("member list of %s: %d %s" % (hood, r.status, r.text))
    return {m["email"] or m["username"]: m for m in r.json()["members"]}


class AdminFlows(harness.ServerTest):
    def test_admin_adds_neighbourhood_on_the_page(self):
        admin = self.client("admin")
        r = admin.post_form("/admin/neighbourhoods",
                            {"name": "Lombok", "slug": "lombok",
                             "description": "Wijk Lombok met de moskee en de markt.",
                             "postcodes": "3531"}, page="/admin")
        self.assertRedirect(r, "/admin")
        page = admin.get("/admin")
        self.assertStatus(page, 200)
        self.assertIn('href="/n/lombok"', page.text)
        hoods = {h["slug"]: h for h in
                 Client(self.srv).api("GET", "/api/v1/neighbourhoods").json()["neighbourhoods"]}
        self.assertEqual(hoods["lombok"]["name"], "Lombok")
        self.assertEqual(hoods["lombok"]["postcodes"], "3531")
        pub = Client(self.srv).get("/n/lombok")
        self.assertStatus(pub, 200)
        self.assertIn("Wijk Lombok met de moskee", pub.text)
        # the same short name again: 409 on the form, nothing added
        again = admin.post_form("/admin/neighbourhoods", {"name": "Lombok 2", "slug": "lombok"},
                                page="/admin")
        self.assertStatus(again, 409)
        self.assertIn("Er is al een buurt met deze korte naam", again.text)
        names = [h["name"] for h in
                 Client(self.srv).api("GET", "/api/v1/neighbourhoods").json()["neighbourhoods"]]
        self.assertNotIn("Lombok 2", names)

    def test_admin_adds_neighbourhood_through_the_api(self):
        admin = self.client("admin")
        body = {"slug": "overvecht", "name": "Overvecht", "description": "Noordoost.",
                "postcodes": "3562,3563"}
        r = admin.api("POST", "/api/v1/neighbourhoods", body)
        self.assertStatus(r, 201)
        self.assertEqual(r.json()["slug"], "overvecht")
        one = Client(self.srv).api("GET", "/api/v1/neighbourhoods/overvecht")
        self.assertStatus(one, 200)
        self.assertEqual(one.json()["name"], "Overvecht")
        self.assertEqual(one.json()["postcodes"], "3562,3563")
        dup = admin.api("POST", "/api/v1/neighbourhoods", body)
        self.assertJsonError(dup, 409, "SLUG_TAKEN")
        bad = admin.api("POST", "/api/v1/neighbourhoods", {"slug": "Not A Slug", "name": "X"})
        err = self.assertJsonError(bad, 422, "INVALID")
        self.assertEqual(set(err["fields"]), {"slug", "name"})
        self.assertEqual(Client(self.srv).get("/n/not-a-slug").status, 404)


class MemberFlows(harness.ServerTest):
    def test_coordinator_adds_member_with_email_and_gives_role(self):
        coord = self.client("coordinator")
        r = coord.post_form("/n/%s/members" % HOOD,
                            {"display_name": "Fatima Yilmaz", "email": "Fatima@Example.org",
                             "username": "", "role": "resident"},
                            page="/n/%s/members/new" % HOOD)
        self.assertRedirect(r, "/n/%s/members" % HOOD)
        listed = coord.get("/n/%s/members" % HOOD)
        self.assertIn("Fatima Yilmaz", listed.text)
        self.assertIn('class="flash"', listed.text)
        m = members(coord)["fatima@example.org"]  # e-mail addresses are lower-cased
        self.assertEqual(m["role"], "resident")
        self.assertTrue(m["confirmed"], "a member added by staff is confirmed at once")
        r = coord.post_form("/n/%s/members/%d/role" % (HOOD, m["id"]), {"role": "connector"},
                            page="/n/%s/members" % HOOD)
        self.assertRedirect(r, "/n/%s/members" % HOOD)
        self.assertEqual(members(coord)["fatima@example.org"]["role"], "connector")
        # a login code is for residents only: staff keep their password
        code = coord.post_form("/n/%s/members/%d/code" % (HOOD, m["id"]), {},
                               page="/n/%s/members" % HOOD)
        self.assertStatus(code, 403)
        # the same address again is refused
        again = coord.post_form("/n/%s/members" % HOOD,
                                {"display_name": "Fatima", "email": "fatima@example.org",
                                 "role": "resident"}, page="/n/%s/members/new" % HOOD)
        self.assertStatus(again, 409)

    def test_member_without_email_logs_in_with_a_printed_code(self):
        coord = self.client("coordinator")
        r = coord.post_form("/n/%s/members" % HOOD,
                            {"display_name": "Truus van Dam", "email": "",
                             "username": "Truus.vanDam", "role": "resident"},
                            page="/n/%s/members/new" % HOOD)
        self.assertRedirect(r, "/n/%s/members" % HOOD)
        m = members(coord)["truus.vandam"]  # usernames are lower-cased
        self.assertIsNone(m["email"])
        page = coord.post_form("/n/%s/members/%d/code" % (HOOD, m["id"]), {},
                               page="/n/%s/members" % HOOD)
        self.assertStatus(page, 200)
        code = re.search(r'<dd class="code">([A-Z0-9-]+)</dd>', page.text)
        self.assertIsNotNone(code, page.text)
        code = code.group(1)
        self.assertRegex(code, r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
        self.assertIn(self.srv.base + "/login/code", page.text)
        self.assertIn("truus.vandam", page.text)

        truus = Client(self.srv)
        # typed from paper: lower case and spaces instead of dashes still work
        r = truus.post_form("/login/code", {"code": code.lower().replace("-", " ")})
        self.assertRedirect(r, "/account")
        self.assertTrue(truus.logged_in())
        acc = truus.get("/account")
        self.assertStatus(acc, 200)
        self.assertIn("truus.vandam", acc.text)
        r = truus.post_form("/account/password",
                            {"password": "mijn eigen wachtwoord",
                             "password2": "mijn eigen wachtwoord"},
                            page="/account")
        self.assertRedirect(r, "/account")
        # the code worked once only
        again = Client(self.srv).post_form("/login/code", {"code": code})
        self.assertStatus(again, 400)
        self.assertIn("Deze code klopt niet of is al gebruikt", again.text)
        # and the new password works with the username
        fresh = Client(self.srv)
        fresh.login("truus.vandam", "mijn eigen wachtwoord")
        me = fresh.api("GET", "/api/v1/me")
        self.assertStatus(me, 200)
        self.assertEqual(me.json()["username"], "truus.vandam")

    def test_demo_resident_without_email(self):
        coord = self.client("coordinator")
        bep = members(coord)[harness.NO_EMAIL_USERNAME]
        self.assertIsNone(bep["email"])
        page = coord.get("/n/%s/members" % HOOD)
        action = "/n/%s/members/%d/code" % (HOOD, bep["id"])
        self.assertIsNotNone(harness.find_form(page.text, action),
                             "the member list offers a login code for a member without e-mail")

    def test_password_mismatch_and_weak_password_change_nothing(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["partner"])
        r = c.post_form("/account/password", {"password": "kort", "password2": "kort"},
                        page="/account")
        self.assertStatus(r, 422)
        self.assertIn("minstens 10 tekens", r.text)
        r = c.post_form("/account/password",
                        {"password": "een lang wachtwoord", "password2": "een ander wachtwoord"},
                        page="/account")
        self.assertStatus(r, 422)
        self.assertIn("niet gelijk", r.text)
        Client(self.srv).login(harness.EMAIL["partner"], PASSWORD)  # still the old one


class ResidentFlows(harness.ServerTest):
    def register(self, client, email, name="Sanne de Boer", postcode="3511 AB", **extra):
        fields = {"display_name": name, "email": email, "password": "een goed wachtwoord",
                  "password2": "een goed wachtwoord", "postcode": postcode, "hood": "",
                  "consent": "1"}
        fields.update(extra)
        return client.post_form("/register", fields)

    def test_register_wait_confirm_inside(self):
        sanne = Client(self.srv)
        r = self.register(sanne, "sanne@example.org")
        self.assertRedirect(r, "/")
        self.assertTrue(sanne.logged_in(), "registering logs in")
        home = sanne.get("/")
        self.assertIn('class="flash"', home.text)
        hood = sanne.get("/n/%s" % HOOD)
        self.assertStatus(hood, 200)
        self.assertIn('class="notice"', hood.text, "the waiting notice is shown")
        self.assertNotIn('id="inside-h"', hood.text, "neighbourhood-only content is hidden")
        self.assertNotIn('href="/n/%s/members"' % HOOD, hood.text)
        me = sanne.api("GET", "/api/v1/me").json()
        self.assertEqual([(h["slug"], h["role"], h["confirmed"]) for h in me["neighbourhoods"]],
                         [(HOOD, "resident", False)])
        self.assertFalse(me["email_verified"])

        # Sanne wants her messages by phone: the confirmation lands on the call list
        r = sanne.post_form("/account", {"display_name": "Sanne de Boer", "lang": "nl",
                                         "channel": "call"})
        self.assertRedirect(r, "/account")

        conn = self.client("connector")
        pending = members(conn)
        self.assertFalse(pending["sanne@example.org"]["confirmed"])
        waiting = conn.get("/n/%s/members?pending=1" % HOOD)
        self.assertIn("Sanne de Boer", waiting.text)
        sid = pending["sanne@example.org"]["id"]
        r = conn.post_form("/n/%s/members/%d/confirm" % (HOOD, sid), {},
                           page="/n/%s/members?pending=1" % HOOD)
        self.assertRedirect(r, "/n/%s/members?pending=1" % HOOD)
        self.assertTrue(members(conn)["sanne@example.org"]["confirmed"])
        # the connector got a message about the new resident
        inbox = conn.api("GET", "/api/v1/messages").json()
        self.assertTrue(any(m["kind"] == "member_registered" and m["link"] == "/n/%s" % HOOD
                            for m in inbox["messages"]), inbox)

        calls = conn.get("/n/%s/calls" % HOOD)
        self.assertStatus(calls, 200)
        self.assertIn("Sanne de Boer", calls.text)
        done = [f.action for f in harness.forms(calls.text)
                if f.action and f.action.endswith("/done")]
        self.assertEqual(len(done), 1, calls.text)
        r = conn.post_form(done[0], {}, page="/n/%s/calls" % HOOD)
        self.assertRedirect(r, "/n/%s/calls" % HOOD)
        self.assertNotIn("Sanne de Boer", conn.get("/n/%s/calls" % HOOD).text)
        self.assertStatus(conn.post_form(done[0], {}, page="/n/%s/calls" % HOOD), 409)

        hood = sanne.get("/n/%s" % HOOD)
        self.assertIn('id="inside-h"', hood.text, "confirmed: the inside part is shown")
        self.assertNotIn('class="notice"', hood.text)
        self.assertNotIn('href="/n/%s/members"' % HOOD, hood.text, "but not the member list")
        # and Sanne has a message saying so
        inbox = sanne.get("/messages")
        self.assertStatus(inbox, 200)
        confirmed = [m for m in sanne.api("GET", "/api/v1/messages").json()["messages"]
                     if m["kind"] == "member_confirmed"]
        self.assertEqual(len(confirmed), 1)
        self.assertIn("Binnenstad", confirmed[0]["subject"])
        self.assertIn('href="/messages/%d"' % confirmed[0]["id"], inbox.text)
        msg = sanne.get("/messages/%d" % confirmed[0]["id"])
        self.assertStatus(msg, 200)
        self.assertIn(confirmed[0]["subject"], msg.text)
        api = sanne.api("GET", "/api/v1/messages").json()
        self.assertEqual(api["unread"], 0, "opening the message marked it read")

    def test_letters_on_paper(self):
        lotte = Client(self.srv)
        self.assertRedirect(self.register(lotte, "lotte@example.org", name="Lotte Papier"), "/")
        r = lotte.post_form("/account", {"display_name": "Lotte Papier", "lang": "nl",
                                         "channel": "letter"})
        self.assertRedirect(r, "/account")
        conn = self.client("connector")
        lid = members(conn)["lotte@example.org"]["id"]
        r = conn.post_form("/n/%s/members/%d/confirm" % (HOOD, lid), {},
                           page="/n/%s/members?pending=1" % HOOD)
        self.assertRedirect(r)
        page = conn.get("/n/%s/letters" % HOOD)
        self.assertStatus(page, 200)
        self.assertIn("Lotte Papier", page.text)
        form = harness.find_form(page.text, "/n/%s/letters/print" % HOOD)
        self.assertIsNotNone(form, "a print button when there are letters")
        printed = conn.post_form("/n/%s/letters/print" % HOOD, {}, page="/n/%s/letters" % HOOD)
        self.assertStatus(printed, 200)
        self.assertIn("Lotte Papier", printed.text)
        self.assertIn('class="letter"', printed.text)
        # each letter is printed once
        self.assertNotIn("Lotte Papier", conn.get("/n/%s/letters" % HOOD).text)
        again = conn.post_form("/n/%s/letters/print" % HOOD, {}, page="/n/%s/letters" % HOOD)
        self.assertStatus(again, 200)
        self.assertNotIn("Lotte Papier", again.text)
        self.assertNotIn('class="letter"', again.text)
        # and the message is in her inbox all the same
        self.assertEqual(lotte.api("GET", "/api/v1/messages").json()["total"], 1)

    def test_register_needs_consent_and_valid_fields(self):
        c = Client(self.srv)
        before = self.srv.db_counts()
        r = self.register(c, "zonder@example.org", consent="")
        self.assertStatus(r, 422)
        self.assertIn('id="consent-error"', r.text)
        r = self.register(c, "geen-adres", postcode="12", password2="anders dan eerst")
        self.assertStatus(r, 422)
        for field in ("email", "postcode", "password2"):
            self.assertIn('id="%s-error"' % field, r.text)
        self.assertIn('value="geen-adres"', r.text, "what was typed is shown again")
        self.assertNotIn("anders dan eerst", r.text, "passwords are never shown again")
        # a postcode outside every neighbourhood, without a choice
        r = self.register(c, "ver@example.org", postcode="9999 ZZ")
        self.assertStatus(r, 422)
        self.assertIn('id="hood-error"', r.text)
        # a postcode that is not in the chosen neighbourhood
        r = self.register(c, "oost@example.org", postcode="3511 AB", hood="oost")
        self.assertStatus(r, 422)
        self.assertIn("hoort niet bij deze buurt", r.text)
        self.assertFalse(c.logged_in())
        self.assertEqual(self.srv.db_counts(), before)

    def test_register_known_address(self):
        r = self.register(Client(self.srv), harness.EMAIL["resident"])
        self.assertStatus(r, 409)
        self.assertIn("Er is al een account met dit e-mailadres", r.text)

    def test_language_messages_logout(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["resident"])
        acc = c.get("/account")
        self.assertIn('<html lang="nl"', acc.text)
        r = c.post_form("/account", {"display_name": "Rian Bewoner", "lang": "en",
                                     "channel": "inapp"})
        self.assertRedirect(r, "/account")
        acc = c.get("/account")
        self.assertIn('<html lang="en"', acc.text)
        self.assertIn("Your changes have been saved.", acc.text)
        self.assertEqual(c.api("GET", "/api/v1/me").json()["lang"], "en")
        err = c.get("/no-such-page")
        self.assertIn("This page does not exist", err.text, "errors follow the person's language")
        # messages: the demo's welcome
        inbox = c.get("/messages")
        self.assertStatus(inbox, 200)
        self.assertIn("Welkom bij Noaber", inbox.text)
        welcome = [m for m in c.api("GET", "/api/v1/messages").json()["messages"]
                   if m["subject"] == "Welkom bij Noaber"]
        self.assertEqual(len(welcome), 1)
        self.assertIn('href="/messages/%d"' % welcome[0]["id"], inbox.text)
        msg = c.get("/messages/%d" % welcome[0]["id"])
        self.assertStatus(msg, 200)
        # written in the language she had when it was sent: Dutch, in Dutch only
        self.assertIn("Welkom! Hier vind je de berichten van je buurt", msg.text)
        self.assertNotIn("Welcome! Here", msg.text)
        self.assertIn('href="/"', msg.text)
        # someone else's message is not found (ids tell nothing)
        other = self.client("connector").api("GET", "/api/v1/messages").json()["messages"]
        self.assertStatus(c.get("/messages/%d" % other[0]["id"]), 404)
        self.assertStatus(c.get("/messages/999999"), 404)
        self.assertStatus(c.get("/messages/abc"), 404)
        # back to Dutch for the other tests
        r = c.post_form("/account", {"display_name": "Rian Bewoner", "lang": "nl",
                                     "channel": "inapp"})
        self.assertRedirect(r, "/account")
        # log out: the cookie is cleared and the session ends on the server too
        token = c.cookies["noaber_session"]
        r = c.post_form("/logout", {}, page="/account")
        self.assertRedirect(r, "/login")
        cleared = r.set_cookie("noaber_session")
        self.assertIsNotNone(cleared)
        self.assertIn("Max-Age=0", cleared)
        self.assertFalse(c.logged_in())
        self.assertRedirect(c.get("/account"), "/login?next=%2Faccount")
        self.assertIn('class="flash"', c.get("/login").text)
        old = Client(self.srv)
        old.cookies["noaber_session"] = token
        self.assertRedirect(old.get("/account"), "/login")
        self.assertJsonError(old.api("GET", "/api/v1/me"), 401, "UNAUTHENTICATED")

    def test_logout_everywhere(self):
        a, b = Client(self.srv), Client(self.srv)
        a.login(harness.EMAIL["partner"])
        b.login(harness.EMAIL["partner"])
        self.assertStatus(b.get("/account"), 200)
        r = a.post_form("/logout/all", {}, page="/account")
        self.assertRedirect(r, "/login")
        self.assertIn("Max-Age=0", r.set_cookie("noaber_session"))
        self.assertRedirect(a.get("/account"), "/login")
        self.assertRedirect(b.get("/account"), "/login")
        self.assertFalse(b.logged_in(), "the other device's cookie is dropped")

    def test_password_reset_answers_the_same(self):
        answers = []
        before = self.srv.db_query("SELECT count(*) FROM messages WHERE person_id IS NULL")[0][0]
        for email in (harness.EMAIL["resident"], "niemand@example.org"):
            c = Client(self.srv)
            r = c.post_form("/password/reset", {"email": email})
            self.assertRedirect(r, "/login")
            page = c.get("/login")
            answers.append((r.status, r.header("Location"), sorted(c.cookies),
                            harness.main_text(page.text)))
        self.assertEqual(answers[0][:3], answers[1][:3])
        strip = lambda s: re.sub(r'name="csrf" value="[0-9a-f]+"', "", s)
        self.assertEqual(strip(answers[0][3]), strip(answers[1][3]))
        self.assertIn('class="flash"', answers[0][3])
        after = self.srv.db_query("SELECT count(*) FROM messages WHERE person_id IS NULL")[0][0]
        self.assertEqual(after, before + 1, "a link went out for the known address only")
        bad = Client(self.srv).post_form("/password/reset", {"email": "geen adres"})
        self.assertStatus(bad, 422)

    def test_next_after_login_is_local_only(self):
        c = Client(self.srv)
        r = c.get("/account")
        self.assertRedirect(r, "/login?next=%2Faccount")
        page = c.get("/login?next=/account")
        r = c.post("/login", {"login": harness.EMAIL["resident"], "password": PASSWORD,
                              "next": "/account"}, csrf=harness.csrf_of(page.text))
        self.assertRedirect(r, "/account")
        d = Client(self.srv)
        page = d.get("/login")
        r = d.post("/login", {"login": harness.EMAIL["resident"], "password": PASSWORD,
                              "next": "//evil.example/"}, csrf=harness.csrf_of(page.text))
        self.assertEqual(r.header("Location"), "/")


if __name__ == "__main__":
    harness.main()
