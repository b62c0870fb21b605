"""HTTP tests of CSRF protection: every unsafe route of `noaber routes` refuses a request without
the token, with a wrong one, with another session's (or another browser's) token and with a wrong
X-CSRF-Token header: 403, and the database is unchanged. The same requests with the right token
then get past the check, which shows that the 403 came from the token and nothing else.

Tokens: anonymous forms carry an HMAC bound to the noaber_nonce cookie; logged-in forms carry the
session's token. API requests with a JSON body or a bearer token need none.
"""

import itertools
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402

_uniq = itertools.count(1)


def uniq():
    return next(_uniq)


# (method, pattern) -> who sends it, the path, the fields, the status once the token is right.
# who: None = an anonymous browser; "role" = the shared logged-in client; "fresh:role" = a client
# of its own (for requests that end the session). Paths and fields are formatted with the ids
# found in setUp and a fresh number {n}.
ROUTES = {
    ("POST", "/login"): (None, "/login", {"login": harness.EMAIL["resident"],
                                         "password": PASSWORD}, 303),
    ("POST", "/login/code"): (None, "/login/code", {"code": "ABCD-EFGH-JKLM"}, 400),
    ("POST", "/logout"): ("fresh:resident", "/logout", {}, 303),
    ("POST", "/logout/all"): ("fresh:partner", "/logout/all", {}, 303),
    ("POST", "/register"): (None, "/register", {
        "display_name": "Nieuwe Bewoner {n}", "email": "nieuw{n}@example.org",
        "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
        "postcode": "3511AB", "consent": "1"}, 303),
    ("POST", "/verify"): (None, "/verify", {"code": "ABCD-EFGH-JKLM"}, 400),
    ("POST", "/password/reset"): (None, "/password/reset", {"email": harness.EMAIL["resident"]},
                                  303),
    ("POST", "/language"): (None, "/language", {"lang": "en", "next": "/"}, 303),
    ("POST", "/account"): ("resident", "/account", {"display_name": "Rian Bewoner",
                                                    "lang": "nl", "channel": "inapp"}, 303),
    ("POST", "/account/password"): ("resident", "/account/password",
                                    {"password": PASSWORD, "password2": PASSWORD}, 303),
    ("POST", "/n/{hood}/members"): ("coordinator", "/n/%s/members" % HOOD, {
        "display_name": "Lid {n}", "email": "lid{n}@example.org", "role": "resident"}, 303),
    ("POST", "/n/{hood}/members/{id}/confirm"): (
        "connector", "/n/%s/members/{joke}/confirm" % HOOD, {}, 303),
    ("POST", "/n/{hood}/members/{id}/role"): (
        "coordinator", "/n/%s/members/{rian}/role" % HOOD, {"role": "resident"}, 303),
    ("POST", "/n/{hood}/members/{id}/code"): (
        "connector", "/n/%s/members/{bep}/code" % HOOD, {}, 200),
    ("POST", "/admin/neighbourhoods"): ("admin", "/admin/neighbourhoods", {
        "slug": "wijk-{n}", "name": "Wijk {n}"}, 303),
    ("POST", "/admin/test-email"): ("admin", "/admin/test-email", {}, 503),  # no smtp_host
    ("POST", "/messages/read-all"): ("resident", "/messages/read-all", {}, 303),
    ("POST", "/n/{hood}/calls/{id}/done"): ("connector", "/n/%s/calls/999999/done" % HOOD, {},
                                            404),
    ("POST", "/n/{hood}/letters/print"): ("connector", "/n/%s/letters/print" % HOOD, {}, 200),
    # two-step login (TOTP): only the check matters here, so any answer but 403 will do
    ("POST", "/login/totp"): (None, "/login/totp", {"code": "123456"}, None),
    ("POST", "/account/totp/begin"): ("fresh:resident", "/account/totp/begin", {}, None),
    ("POST", "/account/totp/enable"): ("fresh:resident", "/account/totp/enable",
                                       {"code": "123456"}, None),
    ("POST", "/account/totp/disable"): ("fresh:resident", "/account/totp/disable",
                                        {"password": PASSWORD}, None),
    ("POST", "/api/v1/login/totp"): (None, "/api/v1/login/totp", {"code": "123456"}, None),
    ("POST", "/api/v1/login"): (None, "/api/v1/login", {"login": harness.EMAIL["resident"],
                                                        "password": PASSWORD}, 200),
    ("POST", "/api/v1/logout"): ("fresh:connector", "/api/v1/logout", {}, 200),
    ("POST", "/api/v1/tokens"): ("resident", "/api/v1/tokens", {"name": "token {n}"}, 201),
    ("PATCH", "/api/v1/me"): ("resident", "/api/v1/me", {"display_name": "Rian Bewoner"}, 200),
    # erasure: a wrong password gets past the token check and erases nothing
    ("POST", "/account/erase"): ("resident", "/account/erase", {"password": "niet het goede"}, 422),
    ("DELETE", "/api/v1/me"): ("resident", "/api/v1/me", {"password": "niet het goede"}, 422),
    ("POST", "/api/v1/neighbourhoods"): ("admin", "/api/v1/neighbourhoods", {
        "slug": "api-wijk-{n}", "name": "API-wijk {n}"}, 201),
    ("POST", "/api/v1/neighbourhoods/{hood}/members"): (
        "coordinator", "/api/v1/neighbourhoods/%s/members" % HOOD, {
            "display_name": "API-lid {n}", "email": "api-lid{n}@example.org",
            "role": "resident"}, 201),
    ("POST", "/api/v1/neighbourhoods/{hood}/members/{id}/confirm"): (
        "connector", "/api/v1/neighbourhoods/%s/members/{mohamed}/confirm" % HOOD, {}, 200),
    ("PUT", "/api/v1/neighbourhoods/{hood}/members/{id}/role"): (
        "coordinator", "/api/v1/neighbourhoods/%s/members/{rian}/role" % HOOD,
        {"role": "resident"}, 200),
    ("POST", "/api/v1/messages/{id}/read"): ("resident", "/api/v1/messages/{msg}/read", {}, 200),
    # citizens' panels (src/panels/routes.c); 999999 is no panel: any answer but 403 will do
    ("POST", "/panel/signup"): (None, "/panel/signup", {"code": "ABCD-EFGH"}, 400),
    ("POST", "/api/v1/panels/signup"): (None, "/api/v1/panels/signup", {
        "code": "ABCD-EFGH", "answers": "leeftijd=65+", "consent": "1"}, 400),
    ("POST", "/n/{hood}/panels"): ("coordinator", "/n/%s/panels" % HOOD, {
        "title": "Panel {n}", "purpose": "Een test.", "k": "2",
        "quotas": "feature,value,min,max\nleeftijd,jong,0,2\nleeftijd,oud,0,2\n"}, 303),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels" % HOOD, {
            "title": "API-panel {n}", "purpose": "Een test.", "k": "2",
            "quotas": "feature,value,min,max\nleeftijd,jong,0,2\nleeftijd,oud,0,2\n"}, 201),
    ("POST", "/n/{hood}/panels/{id}/quotas"): ("coordinator", "/n/%s/panels/999999/quotas" % HOOD,
                                               {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/quotas"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/quotas" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/details"): ("coordinator", "/n/%s/panels/999999/details" % HOOD,
                                                {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/details"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/details" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/addresses"): ("coordinator", "/n/%s/panels/999999/addresses" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/addresses"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/addresses" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/invitations"): ("coordinator", "/n/%s/panels/999999/invitations" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/invitations"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/invitations" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/close"): ("coordinator", "/n/%s/panels/999999/close" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/close"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/close" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/seed"): ("coordinator", "/n/%s/panels/999999/seed" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/seed"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/seed" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/draw"): ("coordinator", "/n/%s/panels/999999/draw" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/draw"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/draw" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/publish"): ("coordinator", "/n/%s/panels/999999/publish" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/publish"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/publish" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/reply"): ("connector", "/n/%s/panels/999999/reply" % HOOD, {}, None),
    ("POST", "/n/{hood}/panels/{id}/volunteers/{vid}/dropout"): ("coordinator", "/n/%s/panels/999999/volunteers/1/dropout" % HOOD, {}, None),
    ("POST", "/api/v1/neighbourhoods/{hood}/panels/{id}/volunteers/{vid}/dropout"): (
        "coordinator", "/api/v1/neighbourhoods/%s/panels/999999/volunteers/1/dropout" % HOOD, {}, None),
    # residents (src/residents/routes.c)
    ("POST", "/profile"): ("resident", "/profile", {"lang": "nl", "channel": "inapp"}, 303),
    ("POST", "/profile/consents"): ("resident", "/profile/consents",
                                    {"purpose": "matching", "give": "0"}, 303),
    ("POST", "/profile/authorisations"): ("resident", "/profile/authorisations",
                                          {"connector": "999999", "until": "01-01-2000"}, 422),
    ("POST", "/profile/authorisations/{id}/revoke"): (
        "resident", "/profile/authorisations/999999/revoke", {}, 404),
    ("POST", "/n/{hood}/residents"): ("connector", "/n/%s/residents" % HOOD, {
        "display_name": "Kennismaking {n}", "postcode": "3511AB", "house_number": "{n}",
        "lang": "nl", "channel": "call", "place": "door", "consent_how": "spoken"}, 303),
    ("POST", "/n/{hood}/residents/{id}/consents"): (
        "connector", "/n/%s/residents/{rian}/consents" % HOOD,
        {"purpose": "contact", "give": "1", "how": "spoken"}, 303),
    ("POST", "/n/{hood}/residents/{id}/notes"): (
        "coordinator", "/n/%s/residents/{rian}/notes" % HOOD, {"text": "Notitie {n}"}, None),
    ("POST", "/n/{hood}/residents/{id}/health"): (
        "coordinator", "/n/%s/residents/{rian}/health" % HOOD, {"text": "x"}, 409),
    ("POST", "/n/{hood}/residents/{id}/authorisations"): (
        "coordinator", "/n/%s/residents/{rian}/authorisations" % HOOD,
        {"connector": "999999", "until": "01-01-2000", "how": "spoken"}, 422),
    ("POST", "/n/{hood}/residents/{id}/authorisations/{aid}/revoke"): (
        "coordinator", "/n/%s/residents/{rian}/authorisations/999999/revoke" % HOOD, {}, 404),
    ("POST", "/n/{hood}/residents/{id}/follow"): (
        "coordinator", "/n/%s/residents/{rian}/follow" % HOOD, {}, None),
    ("POST", "/n/{hood}/residents/{id}/handover"): (
        "coordinator", "/n/%s/residents/{rian}/handover" % HOOD, {"to": "999999"}, None),
    ("POST", "/n/{hood}/residents/{id}/card"): (
        "connector", "/n/%s/residents/{rian}/card" % HOOD, {}, 200),
    ("POST", "/n/{hood}/members/import"): ("coordinator", "/n/%s/members/import" % HOOD, {},
                                           422),  # no file
    ("POST", "/admin/skills"): ("admin", "/admin/skills", {
        "slug": "vaardigheid-{n}", "label_nl": "Vaardigheid {n}", "label_en": "Skill {n}"}, 303),
    ("POST", "/admin/skills/{id}"): ("admin", "/admin/skills/1", {
        "label_nl": "Klussen in huis", "label_en": "Odd jobs", "active": "1"}, 303),
    ("PATCH", "/api/v1/me/profile"): ("resident", "/api/v1/me/profile", {"lang": "nl"}, 200),
    ("POST", "/api/v1/me/consents"): ("resident", "/api/v1/me/consents",
                                      {"purpose": "matching"}, 200),
    ("DELETE", "/api/v1/me/consents/{purpose}"): ("resident", "/api/v1/me/consents/matching",
                                                  {}, 200),
}

OTHER = {"resident": "partner", "partner": "resident", "connector": "coordinator",
         "coordinator": "connector", "admin": "coordinator"}


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


class Csrf(harness.ServerTest):
    def setUp(self):
        coord = self.client("coordinator")
        r = coord.api("GET", "/api/v1/neighbourhoods/%s/members?limit=500" % HOOD)
        ids = {m["email"] or m["username"]: m["id"] for m in r.json()["members"]}
        msgs = self.client("resident").api("GET", "/api/v1/messages").json()["messages"]
        self.ids = {"joke": ids["joke@demo.noaber.nl"], "mohamed": ids["mohamed@demo.noaber.nl"],
                    "bep": ids[harness.NO_EMAIL_USERNAME], "rian": ids[harness.EMAIL["resident"]],
                    "msg": msgs[0]["id"]}

    def fill(self, path, fields):
        n = uniq()
        return (path.format(n=n, **self.ids),
                {k: v.format(n=n, **self.ids) for k, v in fields.items()})

    def sender(self, who, fresh):
        if who is None:
            c = Client(self.srv)
            c.get("/")  # gets its nonce cookie
            return c
        if who.startswith("fresh:"):
            role = who.split(":", 1)[1]
            if role not in fresh:
                c = Client(self.srv)
                c.login(harness.EMAIL[role])
                fresh[role] = c
            return fresh[role]
        return self.client(who)

    def token(self, client):
        return harness.csrf_of(client.get("/").text)

    def other_token(self, who):
        """A valid token of another browser or another person's session."""
        if who is None:
            return self.token(Client(self.srv))
        role = who.split(":")[-1]
        return self.token(self.client(OTHER[role]))

    def assertCsrfRefused(self, r, what):
        self.assertStatus(r, 403, what)
        if r.path.startswith("/api/"):
            self.assertJsonError(r, 403, "CSRF")
        else:
            self.assertIn("Het formulier is verlopen", r.text, what)

    def served(self):
        """The table's rows for the unsafe routes this build serves."""
        unsafe = {(m, p) for m, p, _ in harness.routes() if m not in ("GET", "HEAD")}
        return sorted((k, v) for k, v in ROUTES.items() if k in unsafe)

    def test_table_covers_every_unsafe_route(self):
        unsafe = {(m, p) for m, p, _ in harness.routes() if m not in ("GET", "HEAD")}
        self.assertEqual(sorted(unsafe - set(ROUTES)), [], "add these routes to ROUTES")

    def test_every_unsafe_route(self):
        fresh = {}
        # log everyone in first: logging in writes (a session, the audit log)
        for _, (who, _, _, _) in self.served():
            if who:
                self.sender(who, fresh)
                self.client(OTHER[who.split(":")[-1]])
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for (method, pattern), (who, path, fields, _) in self.served():
            with self.subTest(route="%s %s" % (method, pattern)):
                c = self.sender(who, fresh)
                p, f = self.fill(path, fields)
                own = self.token(c)
                other = self.other_token(who)
                self.assertNotEqual(own, other)
                attempts = {
                    "no token": dict(csrf=None),
                    "wrong token": dict(csrf="0" * len(own)),
                    "another session's token": dict(csrf=other),
                    "truncated token": dict(csrf=own[:-1]),
                    "wrong header": dict(csrf=None, headers={"X-CSRF-Token": "f" * len(own)}),
                    "other header": dict(csrf=None, headers={"X-CSRF-Token": other}),
                }
                for what, kw in attempts.items():
                    r = c.request(method, p, body=harness.urllib.parse.urlencode(
                        list(f.items()) + ([("csrf", kw["csrf"])] if kw["csrf"] else [])),
                        content_type="application/x-www-form-urlencoded",
                        headers=kw.get("headers"))
                    self.assertCsrfRefused(r, what)
                if who and who.startswith("fresh:"):
                    self.assertStatus(c.get("/account"), 200, "still logged in")
        self.assertEqual(self.srv.db_snapshot(), before, "a refused request changed the database")
        self.assertEqual(self.visible_state(), seen, "a refused request changed what the API shows")

        # The same requests with the right token get past the check.
        for (method, pattern), (who, path, fields, ok) in self.served():
            with self.subTest(route="%s %s" % (method, pattern), right_token=True):
                c = self.sender(who, fresh)
                p, f = self.fill(path, fields)
                r = c.request(method, p, body=harness.urllib.parse.urlencode(
                    list(f.items()) + [("csrf", self.token(c))]),
                    content_type="application/x-www-form-urlencoded")
                if ok is None:
                    self.assertNotEqual(r.status, 403, r.text[:2000])
                    self.assertLess(r.status, 500, r.text[:2000])
                else:
                    self.assertStatus(r, ok)
        self.assertHealthy()

    def test_header_token(self):
        c = self.client("resident")
        body = "display_name=Rian+Bewoner&lang=nl&channel=inapp"
        r = c.request("POST", "/account", body=body,
                      content_type="application/x-www-form-urlencoded",
                      headers={"X-CSRF-Token": self.token(c)})
        self.assertRedirect(r, "/account")

    def test_anonymous_token_is_bound_to_its_nonce(self):
        a = Client(self.srv)
        tok = self.token(a)
        self.assertIn("noaber_nonce", a.cookies)
        nonce = a.cookies.pop("noaber_nonce")
        r = a.post("/password/reset", {"email": "x@example.org"}, csrf=tok)
        self.assertCsrfRefused(r, "token without its nonce cookie")
        a.cookies["noaber_nonce"] = "a" * 32
        r = a.post("/password/reset", {"email": "x@example.org"}, csrf=tok)
        self.assertCsrfRefused(r, "token with another nonce")
        a.cookies["noaber_nonce"] = nonce
        r = a.post("/password/reset", {"email": "x@example.org"}, csrf=tok)
        self.assertRedirect(r, "/login")

    def test_token_from_before_login_no_longer_counts(self):
        c = Client(self.srv)
        anon = self.token(c)
        c.login(harness.EMAIL["partner"])
        r = c.post("/account", {"display_name": "Petra", "lang": "nl", "channel": "inapp"},
                   csrf=anon)
        self.assertCsrfRefused(r, "anonymous token after login")
        me = c.api("GET", "/api/v1/me").json()
        self.assertEqual(me["display_name"], "Petra Huisartsenpraktijk")

    def test_json_body_to_a_page_still_needs_the_token(self):
        c = self.client("resident")
        r = c.api("POST", "/account", {"display_name": "Via JSON", "lang": "nl",
                                       "channel": "inapp"})
        self.assertCsrfRefused(r, "JSON to a page")
        self.assertEqual(c.api("GET", "/api/v1/me").json()["display_name"], "Rian Bewoner")
        r = c.api("POST", "/account", {"display_name": "Rian Bewoner", "lang": "nl",
                                       "channel": "inapp", "csrf": self.token(c)})
        self.assertRedirect(r, "/account")

    def test_api_with_json_or_bearer_needs_no_token(self):
        c = self.client("resident")
        r = c.api("PATCH", "/api/v1/me", {"channel": "inapp"})
        self.assertStatus(r, 200)
        tok = c.api("POST", "/api/v1/tokens", {"name": "csrf-test"})
        self.assertStatus(tok, 201)
        b = Client(self.srv)
        b.token = tok.json()["token"]
        r = b.request("PATCH", "/api/v1/me", body="channel=inapp",
                      content_type="application/x-www-form-urlencoded")
        self.assertStatus(r, 200)
        # an API call from a cookie session without a body is a form post: it needs the token
        r = c.request("POST", "/api/v1/messages/%d/read" % self.ids["msg"])
        self.assertCsrfRefused(r, "empty body")
        r = c.request("POST", "/api/v1/messages/%d/read" % self.ids["msg"],
                      headers={"X-CSRF-Token": self.token(c)})
        self.assertStatus(r, 200)


if __name__ == "__main__":
    harness.main()
