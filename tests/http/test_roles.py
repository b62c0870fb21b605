"""HTTP tests of authorisation: every role (anonymous, an unconfirmed resident, resident,
connector, coordinator, partner, administrator, and a coordinator of ANOTHER neighbourhood) makes
a representative request for every action of the rules table (members_rules.c), in the demo's
neighbourhood Binnenstad. Allowed: 200/201/303. Refused: 403 (JSON "FORBIDDEN" under /api/);
anonymous: a redirect to /login for pages, 401 for form posts, 401 JSON for the API. Partners
get 403 on every member page and API path of `noaber routes`.
"""

import itertools
import sys
import urllib.parse

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, OTHER_HOOD, Client  # noqa: E402

ROLES = ["anonymous", "unconfirmed", "resident", "connector", "coordinator", "partner", "admin",
         "other_coordinator"]
STAFF = {"connector", "coordinator"}
_n = itertools.count(1)

# name, method, path, form or JSON fields, the roles allowed, the status when allowed
ACTIONS = [
    ("member list", "GET", "/n/{hood}/members", None, STAFF | {"admin"}, 200),
    ("add member page", "GET", "/n/{hood}/members/new", None, STAFF | {"admin"}, 200),
    ("add member", "POST", "/n/{hood}/members",
     {"display_name": "Lid {n}", "email": "rol{n}@example.org", "role": "resident"},
     STAFF | {"admin"}, 303),
    ("confirm", "POST", "/n/{hood}/members/{joke}/confirm", {}, STAFF, 303),
    ("role set", "POST", "/n/{hood}/members/{rian}/role", {"role": "resident"},
     {"coordinator", "admin"}, 303),
    ("login code", "POST", "/n/{hood}/members/{bep}/code", {}, STAFF, 200),
    ("call list", "GET", "/n/{hood}/calls", None, STAFF, 200),
    ("call done", "POST", "/n/{hood}/calls/999999/done", {}, STAFF, 404),
    ("letters", "GET", "/n/{hood}/letters", None, STAFF, 200),
    ("letters print", "POST", "/n/{hood}/letters/print", {}, STAFF, 200),
    ("admin page", "GET", "/admin", None, {"admin"}, 200),
    ("admin: add neighbourhood", "POST", "/admin/neighbourhoods",
     {"slug": "rol-{n}", "name": "Rol {n}"}, {"admin"}, 303),
    ("admin: test e-mail", "POST", "/admin/test-email", {}, {"admin"}, 503),
    ("API members", "GET", "/api/v1/neighbourhoods/{hood}/members", None,
     STAFF | {"admin"}, 200),
    ("API add member", "POST", "/api/v1/neighbourhoods/{hood}/members",
     {"display_name": "API-lid {n}", "email": "api-rol{n}@example.org", "role": "resident"},
     STAFF | {"admin"}, 201),
    ("API confirm", "POST", "/api/v1/neighbourhoods/{hood}/members/{mohamed}/confirm", {},
     STAFF, 200),
    ("API role set", "PUT", "/api/v1/neighbourhoods/{hood}/members/{rian}/role",
     {"role": "resident"}, {"coordinator", "admin"}, 200),
    ("API add neighbourhood", "POST", "/api/v1/neighbourhoods",
     {"slug": "api-rol-{n}", "name": "API-rol {n}"}, {"admin"}, 201),
    ("own account", "GET", "/account", None, set(ROLES) - {"anonymous"}, 200),
    ("own messages", "GET", "/messages", None, set(ROLES) - {"anonymous"}, 200),
    ("API me", "GET", "/api/v1/me", None, set(ROLES) - {"anonymous"}, 200),
    ("neighbourhood page", "GET", "/n/{hood}", None, set(ROLES), 200),
    ("API neighbourhood", "GET", "/api/v1/neighbourhoods/{hood}", None, set(ROLES), 200),
]


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


class Roles(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        srv = harness.server()
        clients = {r: srv.client(r) for r in
                   ("resident", "connector", "coordinator", "partner", "admin")}
        clients["anonymous"] = Client(srv)
        # an unconfirmed resident of Binnenstad: registers themself
        u = Client(srv)
        r = u.post_form("/register", {
            "display_name": "Nog Niet Bevestigd", "email": "wacht@example.org",
            "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
            "postcode": "3512 CD", "consent": "1"})
        assert r.status == 303, r.text
        clients["unconfirmed"] = u
        # a coordinator of Oost: registers there, the administrator makes them coordinator
        o = Client(srv)
        r = o.post_form("/register", {
            "display_name": "Olga Oost", "email": "olga@example.org",
            "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
            "postcode": "3581 KL", "consent": "1"})
        assert r.status == 303, r.text
        oid = o.api("GET", "/api/v1/me").json()["id"]
        r = clients["admin"].api("PUT", "/api/v1/neighbourhoods/%s/members/%d/role"
                                 % (OTHER_HOOD, oid), {"role": "coordinator"})
        assert r.status == 200, r.text
        clients["other_coordinator"] = o
        cls.clients = clients
        ms = clients["coordinator"].api(
            "GET", "/api/v1/neighbourhoods/%s/members?limit=500" % HOOD).json()["members"]
        by = {m["email"] or m["username"]: m["id"] for m in ms}
        cls.ids = {"hood": HOOD, "joke": by["joke@demo.noaber.nl"],
                   "mohamed": by["mohamed@demo.noaber.nl"], "bep": by[harness.NO_EMAIL_USERNAME],
                   "rian": by[harness.EMAIL["resident"]]}

    def send(self, client, method, path, fields):
        n = next(_n)
        path = path.format(n=n, **self.ids)
        if fields is not None:
            fields = {k: v.format(n=n, **self.ids) for k, v in fields.items()}
        if path.startswith("/api/"):
            return client.api(method, path, fields if method != "GET" else None)
        if method == "GET":
            return client.get(path)
        token = harness.csrf_of(client.get("/").text)
        return client.post(path, fields, csrf=token)

    def test_setup(self):
        me = self.clients["other_coordinator"].api("GET", "/api/v1/me").json()
        self.assertEqual([(h["slug"], h["role"], h["confirmed"]) for h in me["neighbourhoods"]],
                         [(OTHER_HOOD, "coordinator", True)])
        me = self.clients["unconfirmed"].api("GET", "/api/v1/me").json()
        self.assertEqual([(h["slug"], h["role"], h["confirmed"]) for h in me["neighbourhoods"]],
                         [(HOOD, "resident", False)])
        # the coordinator of Oost does run Oost
        self.assertStatus(self.clients["other_coordinator"].get("/n/%s/members" % OTHER_HOOD), 200)

    def test_role_by_action(self):
        for name, method, path, fields, allowed, ok in ACTIONS:
            for role in ROLES:
                with self.subTest(action=name, role=role):
                    r = self.send(self.clients[role], method, path, fields)
                    api = r.path.startswith("/api/")
                    if role in allowed:
                        self.assertStatus(r, ok, "%s may %s" % (role, name))
                    elif role == "anonymous" and api:
                        self.assertJsonError(r, 401, "UNAUTHENTICATED")
                    elif role == "anonymous" and method == "GET":
                        self.assertRedirect(r, "/login?next=" + urllib.parse.quote(r.path, ""))
                    elif role == "anonymous":
                        self.assertStatus(r, 401)
                        self.assertIn("Log eerst in.", r.text)
                    elif api:
                        self.assertJsonError(r, 403, "FORBIDDEN")
                    else:
                        self.assertStatus(r, 403, "%s may not %s" % (role, name))
                        self.assertIn("Dit mag je niet doen of bekijken.", r.text)

    def test_inside_part_of_the_neighbourhood(self):
        inside = {"resident", "connector", "coordinator", "partner", "admin"}
        for role in ROLES:
            with self.subTest(role=role):
                page = self.clients[role].get("/n/%s" % HOOD)
                self.assertStatus(page, 200)
                self.assertEqual('id="inside-h"' in page.text, role in inside, role)
                self.assertEqual('class="notice"' in page.text, role == "unconfirmed", role)
                self.assertEqual('href="/n/%s/members"' % HOOD in page.text,
                                 role in STAFF | {"admin"}, role)
                self.assertEqual('href="/n/%s/calls"' % HOOD in page.text, role in STAFF, role)

    def test_partner_gets_403_on_every_member_path(self):
        partner = self.clients["partner"]
        rows = [(m, p) for m, p, _ in harness.routes()
                if "/members" in p or "/calls" in p or "/letters" in p]
        self.assertGreaterEqual(len(rows), 10)
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for method, pattern in rows:
            with self.subTest(route="%s %s" % (method, pattern)):
                path = pattern.replace("{hood}", HOOD).replace("{id}", str(self.ids["rian"]))
                fields = {"display_name": "Door Partner", "email": "partner-lid@example.org",
                          "role": "coordinator"}
                r = self.send(partner, method, path, fields if method != "GET" else None)
                if path.startswith("/api/"):
                    self.assertJsonError(r, 403, "FORBIDDEN")
                else:
                    self.assertStatus(r, 403)
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)

    def test_nothing_changed_by_refused_requests(self):
        """The refused requests of the table leave the database as it was."""
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for name, method, path, fields, allowed, ok in ACTIONS:
            if method == "GET":
                continue
            for role in ROLES:
                if role not in allowed:
                    r = self.send(self.clients[role], method, path, fields)
                    self.assertStatus(r, (401, 403), "%s %s" % (role, name))
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)


if __name__ == "__main__":
    harness.main()
