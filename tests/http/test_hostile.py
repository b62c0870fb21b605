"""HTTP tests with hostile input. Script tags in every text field of every form come back escaped
on every later page; overlong and missing fields get 422 with a message on the field and store
nothing; invalid UTF-8 in bodies, query strings, cookies and paths gets 400; bodies over max_body
413; unknown content types 415; malformed JSON and multipart 400; path traversal under /static/
404; SQL fragments are stored literally; another neighbourhood's member ids in URLs get 403/404;
header injection through redirect targets goes nowhere; a session token planted before login
is never the one after it (session fixation); slow clients that trickle a request or go quiet
neither hold the server up nor keep their connection past the request timeout. The server stays
up throughout.

The server runs with NOABER_MAX_BODY=65536 and NOABER_REQUEST_TIMEOUT=3.
"""

import socket
import sys
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, OTHER_HOOD, PASSWORD, Client  # noqa: E402

MAX_BODY = 65536
REQUEST_TIMEOUT = 3
LONG = "x" * 9990 + "é" * 10  # 10,000 characters (and small enough for max_body urlencoded)


def payload(tag):
    """Breaks out of text, attributes (both quotes) and the template language if not escaped."""
    return "<script>alert(%d)</script>\"'><img src=x onerror=alert(%d)>{{app.csrf}}" % (tag, tag)


def setUpModule():
    harness.start_server({"NOABER_MAX_BODY": str(MAX_BODY),
                          "NOABER_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT)})


def tearDownModule():
    harness.stop_server()


class Hostile(harness.ServerTest):
    def assertNoRawMarkup(self, r):
        """No <script> or <img> element and no on* attribute in an HTML answer: the payloads'
        markup must have become text."""
        if not (r.header("Content-Type") or "").startswith("text/html"):
            return
        found = harness.markup(r.text)
        for tag, attrs in found:
            where = "%s %s" % (r.method, r.path)
            self.assertNotIn(tag, ("script", "img", "iframe", "svg"),
                             "raw <%s> on %s" % (tag, where))
            for name in attrs:
                self.assertFalse(name.startswith("on"), "raw %s= on %s" % (name, where))
        self.assertNotIn("<script", r.text.lower(), "%s %s" % (r.method, r.path))

    def members(self, client, hood=HOOD):
        r = client.api("GET", "/api/v1/neighbourhoods/%s/members?limit=500" % hood)
        self.assertStatus(r, 200)
        return {m["email"] or m["username"]: m for m in r.json()["members"]}

    def post(self, client, path, fields, page="/"):
        r = client.post_form(path, fields, page=page)
        self.assertNoRawMarkup(r)
        return r

    # --- script tags ---------------------------------------------------------------------------

    def test_script_tags_are_escaped_everywhere(self):
        admin, coord = self.client("admin"), self.client("coordinator")
        # stored: a neighbourhood's name, description and postcodes (page and API)
        r = self.post(admin, "/admin/neighbourhoods",
                      {"slug": "xss-wijk", "name": payload(1), "description": payload(2),
                       "postcodes": payload(3)}, page="/admin")
        self.assertRedirect(r, "/admin")
        r = admin.api("POST", "/api/v1/neighbourhoods",
                      {"slug": "xss-api", "name": payload(4), "description": payload(5),
                       "postcodes": "3599"})
        self.assertStatus(r, 201)
        # stored: a resident who registers with such a name, in the new neighbourhood
        x = Client(self.srv)
        r = self.post(x, "/register", {
            "display_name": payload(6), "email": "xss@example.org",
            "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
            "postcode": "3511 AB", "hood": HOOD, "consent": "1"}, page="/register")
        self.assertRedirect(r, "/")
        # stored: members added by the coordinator (page and API)
        r = self.post(coord, "/n/%s/members" % HOOD,
                      {"display_name": payload(7), "email": "", "username": "xss.lid",
                       "role": "resident"}, page="/n/%s/members/new" % HOOD)
        self.assertRedirect(r, "/n/%s/members" % HOOD)
        r = coord.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                      {"display_name": payload(8), "email": "xss-api@example.org",
                       "role": "resident"})
        self.assertStatus(r, 201)
        # the coordinator of the new neighbourhood: messages with the name in their subject
        x_id = x.api("GET", "/api/v1/me").json()["id"]
        r = admin.api("PUT", "/api/v1/neighbourhoods/%s/members/%d/role" % (HOOD, x_id),
                      {"role": "resident"})
        self.assertStatus(r, 200)
        r = admin.post_form("/n/xss-wijk/members", {"display_name": "Gewoon Iemand",
                                                     "email": "xss@example.org",
                                                     "role": "coordinator"},
                            page="/n/xss-wijk/members/new")
        self.assertRedirect(r, "/n/xss-wijk/members")
        # stored through the account form and the API
        r = self.post(x, "/account", {"display_name": payload(9), "lang": "nl",
                                      "channel": "inapp"}, page="/account")
        self.assertRedirect(r, "/account")
        self.assertStatus(x.api("POST", "/api/v1/tokens", {"name": payload(10)}), 201)
        # echoed: fields that fail their check are shown again in the form
        # (client, path, fields, form page, status, payloads shown again escaped)
        echo = [
            (Client(self.srv), "/login", {"login": payload(11), "password": "x",
                                          "next": "/" + payload(12)}, "/login", 401, [11, 12]),
            (Client(self.srv), "/login/code", {"code": payload(13)[:40]}, "/login/code", 400,
             [13]),
            (Client(self.srv), "/password/reset", {"email": payload(14)}, "/password/reset", 422,
             [14]),
            (Client(self.srv), "/register", {"display_name": "Ok Naam", "email": payload(15),
                                             "postcode": payload(16), "hood": payload(17),
                                             "password": "x", "password2": "y"}, "/register",
             422, [15, 16]),
            (coord, "/n/%s/members" % HOOD, {"display_name": "Ok Naam", "email": payload(18),
                                              "username": payload(19), "role": payload(20)},
             "/n/%s/members/new" % HOOD, 422, [18, 19]),
            (admin, "/admin/neighbourhoods", {"slug": payload(21), "name": "Ok",
                                              "description": payload(22),
                                              "postcodes": payload(23)}, "/admin", 422,
             [21, 22, 23]),
            (x, "/account", {"display_name": payload(24), "lang": payload(25),
                             "channel": payload(26)}, "/account", 422, [24]),
            (Client(self.srv), "/verify", {"code": payload(27)}, "/verify", 400, []),
            (Client(self.srv), "/language", {"lang": payload(28), "next": "/"}, "/", 422, []),
            (coord, "/n/%s/members/%d/role" % (HOOD, x_id), {"role": payload(29)},
             "/n/%s/members" % HOOD, 422, []),
        ]
        for client, path, fields, page, status, shown in echo:
            with self.subTest(form=path):
                r = self.post(client, path, fields, page=page)
                self.assertStatus(r, status)
                for n in shown:
                    self.assertIn("&lt;script&gt;alert(%d)&lt;/script&gt;" % n, r.text)
        for path in ("/login?next=/" + urllib.parse.quote(payload(30)),
                     "/login/code?code=" + urllib.parse.quote(payload(31)),
                     "/verify?code=" + urllib.parse.quote(payload(32)),
                     "/register?hood=" + urllib.parse.quote(payload(33)),
                     "/n/" + urllib.parse.quote(payload(34)),
                     "/" + urllib.parse.quote(payload(35))):
            with self.subTest(path=path):
                r = Client(self.srv).get(path)
                self.assertNoRawMarkup(r)
        # every page that shows what was stored, as everyone who sees it
        pages = ["/", "/n/xss-wijk", "/n/xss-api", "/n/%s" % HOOD, "/register", "/login",
                 "/account", "/messages", "/n/%s/members" % HOOD, "/n/%s/members?pending=1" % HOOD,
                 "/n/xss-wijk/members", "/n/%s/calls" % HOOD, "/admin", "/n/%s/members/new" % HOOD]
        seen = 0
        for who, c in (("anonymous", Client(self.srv)), ("x", x), ("admin", admin),
                       ("coordinator", coord), ("connector", self.client("connector"))):
            msgs = c.api("GET", "/api/v1/messages")
            ids = ["/messages/%d" % m["id"] for m in msgs.json()["messages"]] \
                if msgs.status == 200 else []
            for path in pages + ids:
                r = c.get(path)
                with self.subTest(who=who, page=path):
                    self.assertNoRawMarkup(r)
                    seen += r.text.count("&lt;script&gt;alert(")
                    # "{{app.csrf}}" in data must not turn into the token
                    token = harness.csrf_of(r.text)
                    if token:
                        self.assertNotIn(token, r.text.replace('value="%s"' % token, ""))
        self.assertGreater(seen, 20, "the escaped payloads are shown")
        # what was stored is stored as typed
        self.assertEqual(x.api("GET", "/api/v1/me").json()["display_name"], payload(9))
        hood = Client(self.srv).api("GET", "/api/v1/neighbourhoods/xss-wijk").json()
        self.assertEqual((hood["name"], hood["description"], hood["postcodes"]),
                         (payload(1), payload(2), payload(3)))
        page = Client(self.srv).get("/n/xss-wijk").text
        self.assertIn("{{app.csrf}}", page, "template syntax in data is shown, not run")
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;&quot;", page)

    def test_header_injection_through_redirect_targets(self):
        for path, fields, page in (("/language", {"lang": "en"}, "/"),
                                   ("/login", {"login": harness.EMAIL["partner"],
                                               "password": PASSWORD}, "/login")):
            with self.subTest(path=path):
                c = Client(self.srv)
                f = dict(fields, next="/\r\nX-Injected: 1\r\nSet-Cookie: evil=1")
                r = c.post_form(path, f, page=page)
                self.assertIsNone(r.header("X-Injected"))
                self.assertNotIn("evil", c.cookies)
                loc = r.header("Location") or ""
                self.assertNotIn("\n", loc)
                self.assertNotIn("\r", loc)
        self.assertHealthy()

    # --- overlong and missing fields ------------------------------------------------------------

    def test_overlong_fields_get_422_and_store_nothing(self):
        admin, coord, res = (self.client("admin"), self.client("coordinator"),
                             self.client("resident"))
        cases = [
            (Client(self.srv), "/register", {
                "display_name": LONG, "email": "lang@example.org", "password": "x" * 1001,
                "password2": "x" * 1001, "postcode": "3511AB", "consent": "1"}, "/register",
             ["display_name", "password"]),
            (coord, "/n/%s/members" % HOOD, {"display_name": LONG, "email": "lang2@example.org",
                                              "role": "resident"}, "/n/%s/members/new" % HOOD,
             ["display_name"]),
            (admin, "/admin/neighbourhoods", {"slug": "lange-wijk", "name": LONG,
                                              "description": LONG, "postcodes": LONG}, "/admin",
             ["name", "description"]),
            (res, "/account", {"display_name": LONG, "lang": "nl", "channel": "inapp"},
             "/account", ["display_name"]),
            (Client(self.srv), "/login", {"login": LONG, "password": "x"}, "/login", ["login"]),
            (Client(self.srv), "/login/code", {"code": LONG}, "/login/code", ["code"]),
            (Client(self.srv), "/password/reset", {"email": LONG + "@example.org"},
             "/password/reset", ["email"]),
        ]
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for client, path, fields, page, bad in cases:
            with self.subTest(form=path):
                r = client.post_form(path, fields, page=page)
                self.assertStatus(r, 422)
                for name in bad:
                    self.assertRegex(r.text, r'class="field-error" id="%s-error">[^<]+<' % name)
                self.assertTrue("Dit is te lang." in r.text or "Dit is geen geldig" in r.text)
        api = [
            (res, "PATCH", "/api/v1/me", {"display_name": LONG}, "display_name"),
            (res, "POST", "/api/v1/tokens", {"name": LONG}, "name"),
            (admin, "POST", "/api/v1/neighbourhoods", {"slug": "lang-api", "name": "Lang",
                                                       "description": LONG}, "description"),
            (coord, "POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
             {"display_name": LONG, "email": "lang3@example.org", "role": "resident"},
             "display_name"),
            (Client(self.srv), "POST", "/api/v1/login", {"login": LONG, "password": "x"},
             "login"),
        ]
        for client, method, path, body, field in api:
            with self.subTest(api=path):
                err = self.assertJsonError(client.api(method, path, body), 422, "INVALID")
                self.assertEqual(err["fields"][field]["code"], "TOO_LONG")
                self.assertEqual(err["fields"][field]["message"], "Dit is te lang.")
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)
        self.assertEqual(res.api("GET", "/api/v1/me").json()["display_name"], "Rian Bewoner")

    def test_missing_fields_get_422(self):
        coord, admin = self.client("coordinator"), self.client("admin")
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for client, path, page, required in (
                (Client(self.srv), "/register", "/register",
                 ["display_name", "email", "postcode", "password", "password2", "consent"]),
                (Client(self.srv), "/login", "/login", ["login", "password"]),
                (Client(self.srv), "/login/code", "/login/code", ["code"]),
                (Client(self.srv), "/password/reset", "/password/reset", ["email"]),
                (coord, "/n/%s/members" % HOOD, "/n/%s/members/new" % HOOD,
                 ["display_name", "role"]),
                (admin, "/admin/neighbourhoods", "/admin", ["slug", "name"]),
                (self.client("resident"), "/account", "/account", ["display_name"])):
            with self.subTest(form=path):
                r = client.post_form(path, {}, page=page)
                self.assertStatus(r, 422)
                for name in required:
                    self.assertIn('id="%s-error"' % name, r.text, name)
        for client, method, path, fields in (
                (Client(self.srv), "POST", "/api/v1/login", {"login", "password"}),
                (self.client("resident"), "POST", "/api/v1/tokens", {"name"}),
                (admin, "POST", "/api/v1/neighbourhoods", {"slug", "name"}),
                (coord, "POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                 {"display_name", "role"}),
                (coord, "PUT", "/api/v1/neighbourhoods/%s/members/%d/role"
                 % (HOOD, harness.member_id(self.srv, harness.EMAIL["resident"])), {"role"})):
            with self.subTest(api=path):
                err = self.assertJsonError(client.api(method, path, {}), 422, "INVALID")
                self.assertEqual(set(err["fields"]), fields)
                for f in fields:
                    self.assertEqual(err["fields"][f]["code"], "REQUIRED")
        r = coord.post_form("/n/%s/members" % HOOD, {"display_name": "Niemand", "role": "resident"},
                            page="/n/%s/members/new" % HOOD)
        self.assertStatus(r, 422)
        self.assertIn('id="username-error"', r.text, "an e-mail address or a username is needed")
        r = self.client("resident").post_form("/account", {"display_name": "Rian Bewoner",
                                                           "lang": "xx", "channel": "fax"},
                                              page="/account")
        self.assertStatus(r, 422)
        self.assertIn('id="lang-error"', r.text)
        self.assertIn('id="channel-error"', r.text)
        # a member needs an e-mail address or a username
        err = self.assertJsonError(coord.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                                             {"display_name": "Niemand", "role": "resident"}),
                                   422)
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)

    # --- encodings, sizes, types -----------------------------------------------------------------

    def test_invalid_utf8_gets_400(self):
        c = Client(self.srv)
        token = harness.csrf_of(c.get("/login").text).encode()
        bad = [b"%FF", b"%C0%AF", b"%ED%A0%80", b"%F4%90%80%80", b"%E2%82", b"%80", b"%FE%FF"]
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for seq in bad:
            with self.subTest(seq=seq):
                body = b"login=a" + seq + b"b&password=x&csrf=" + token
                r = c.request("POST", "/login", body=body,
                              content_type="application/x-www-form-urlencoded")
                self.assertStatus(r, 400)
                self.assertIn("De tekst bevat tekens die we niet kunnen lezen.", r.text)
                raw = urllib.parse.unquote_to_bytes(seq)
                body = b"login=a" + raw + b"b&password=x&csrf=" + token
                r = c.request("POST", "/login", body=body,
                              content_type="application/x-www-form-urlencoded")
                self.assertStatus(r, 400)
                r = c.get(b"/?q=" + seq)
                self.assertStatus(r, 400)
                r = c.get(b"/n/" + seq)
                self.assertStatus(r, 400)
                self.assertStatus(c.get(b"/?q=" + raw), 400)
                self.assertStatus(c.get(b"/n/x" + raw), 400)
                r = c.api("GET", b"/api/v1/neighbourhoods/" + seq)
                self.assertJsonError(r, 400, "BAD_ENCODING")
        # a name of a query parameter, a multipart field, JSON
        self.assertStatus(c.get(b"/?%FF=1"), 400)
        r = c.request("POST", "/api/v1/login", body=b'{"login":"a\xffb","password":"x"}',
                      content_type="application/json")
        self.assertJsonError(r, 400, "BAD_JSON")
        r = c.request("POST", "/api/v1/login", body=b'{"login":"a\\u0000b","password":"x"}',
                      content_type="application/json")
        self.assertJsonError(r, 400, "BAD_JSON")
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)
        self.assertHealthy()

    def test_nul_bytes_in_forms_get_400(self):
        c = Client(self.srv)
        token = harness.csrf_of(c.get("/login").text).encode()
        for body in (b"login=a%00b&password=x", b"login=a\0b&password=x", b"lo%00gin=a&password=x"):
            with self.subTest(body=body):
                r = c.request("POST", "/login", body=body + b"&csrf=" + token,
                              content_type="application/x-www-form-urlencoded")
                self.assertStatus(r, 400)

    def test_nul_bytes_in_paths_and_queries_get_400(self):
        c = Client(self.srv)
        for path in (b"/?q=%00", b"/?q%00=1", b"/n/binnenstad%00xyz", b"/account%00",
                     b"/static/noaber.css%00.png", b"/api/v1/neighbourhoods/%00"):
            with self.subTest(path=path):
                self.assertStatus(c.get(path), 400)

    def test_invalid_utf8_in_cookies_gets_400(self):
        c = Client(self.srv)
        for cookie in (b"noaber_lang=\xff", b"noaber_session=\xc0\xaf",
                       b"noaber_nonce=\xed\xa0\x80", b"other=\xff"):
            with self.subTest(cookie=cookie):
                r = c.request("GET", "/", headers={"Cookie": cookie}, cookies=False)
                self.assertStatus(r, 400)

    def test_invalid_utf8_in_cookies_does_no_harm(self):
        c = Client(self.srv)
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for cookie in (b"noaber_lang=\xff", b"noaber_session=\xc0\xaf", b"noaber_flash=\xff",
                       b"noaber_nonce=\xed\xa0\x80" + b"a" * 29, b"\xff=\xff"):
            with self.subTest(cookie=cookie):
                r = c.request("GET", "/account", headers={"Cookie": cookie}, cookies=False)
                self.assertStatus(r, (303, 400))
                r = c.request("GET", "/", headers={"Cookie": cookie}, cookies=False)
                self.assertStatus(r, (200, 400))
                self.assertNotIn(b"\xff", r.body)
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)
        self.assertHealthy()

    def test_control_characters_in_a_line_field(self):
        r = self.client("resident").api("PATCH", "/api/v1/me", {"display_name": "Rian\x01\x1b[2J"})
        err = self.assertJsonError(r, 422, "INVALID")
        self.assertEqual(err["fields"]["display_name"]["code"], "BAD_ENCODING")
        r = self.client("resident").api("PATCH", "/api/v1/me", {"display_name": "Rian\nBewoner"})
        self.assertJsonError(r, 422, "INVALID")

    def test_body_over_the_limit_gets_413(self):
        c = Client(self.srv)
        token = harness.csrf_of(c.get("/login").text)
        big = urllib.parse.urlencode({"login": "a" * (MAX_BODY + 10), "password": "x",
                                      "csrf": token})
        r = c.request("POST", "/login", body=big, content_type="application/x-www-form-urlencoded")
        self.assertStatus(r, 413)
        self.assertIn("Wat je stuurt is te groot.", r.text)
        r = c.api("POST", "/api/v1/login", {"login": "a" * (MAX_BODY + 10), "password": "x"})
        self.assertJsonError(r, 413, "TOO_LARGE")
        # without Content-Length: chunked
        chunks = b"".join(b"%x\r\n%s\r\n" % (4096, b"a" * 4096) for _ in range(20)) + b"0\r\n\r\n"
        status, _, _ = c._raw("POST", "/login", {"Content-Type":
                                                 "application/x-www-form-urlencoded",
                                                 "Transfer-Encoding": "chunked"}, chunks, 60,
                              length=False)
        self.assertEqual(status, 413)
        # just under the limit is read
        ok = urllib.parse.urlencode({"login": harness.EMAIL["partner"], "password": PASSWORD,
                                     "csrf": token, "pad": "a" * (MAX_BODY - 500)})
        r = c.request("POST", "/login", body=ok, content_type="application/x-www-form-urlencoded")
        self.assertRedirect(r, "/")
        # more fields than the form parser takes
        many = "&".join("f%d=1" % i for i in range(300)) + "&csrf=" + token
        r = Client(self.srv).request("POST", "/password/reset", body=many,
                                     content_type="application/x-www-form-urlencoded")
        self.assertStatus(r, 413)
        self.assertHealthy()

    def test_unknown_content_type_gets_415(self):
        c = Client(self.srv)
        token = harness.csrf_of(c.get("/login").text)
        for ctype in ("text/plain", "application/xml", "image/png", "application/jsonx-evil",
                      "multipart/mixed; boundary=x", "", "application/x-www-form"):
            with self.subTest(ctype=ctype):
                r = c.request("POST", "/login", body="login=a&password=b&csrf=" + token,
                              headers={"Content-Type": ctype})
                if ctype == "application/jsonx-evil":
                    self.assertStatus(r, 400)  # read as JSON (the prefix matches): not JSON
                else:
                    self.assertStatus(r, 415)
                    self.assertIn("Dit soort gegevens kunnen we niet lezen.", r.text)
        r = c.request("POST", "/api/v1/login", body="<login/>", content_type="application/xml")
        self.assertJsonError(r, 415, "MEDIA_TYPE")
        r = c.request("POST", "/login", body="login=a", headers={"Content-Type": None})
        self.assertStatus(r, 415)

    def test_malformed_json_gets_400(self):
        c = self.client("resident")
        for body in (b"{", b"{\"display_name\": }", b"[]", b"\"text\"", b"1", b"null",
                     b"{\"a\":1,\"a\":2}", b"{\"display_name\":\"x\"} trailing", b"\xef\xbb\xbf{}"):
            with self.subTest(body=body):
                r = c.request("PATCH", "/api/v1/me", body=body, content_type="application/json")
                self.assertJsonError(r, 400, "BAD_JSON")
        # nested values are ignored, wrong types too: fields stay as they were
        r = c.api("PATCH", "/api/v1/me", {"display_name": {"nested": "x"}, "lang": ["en"]})
        self.assertStatus(r, 200)
        self.assertEqual(r.json()["display_name"], "Rian Bewoner")
        r = c.api("POST", "/api/v1/tokens", {"name": 12345})
        self.assertStatus(r, 201)
        self.assertEqual(r.json()["name"], "12345")

    def test_malformed_multipart_gets_400(self):
        c = Client(self.srv)
        token = harness.csrf_of(c.get("/password/reset").text)

        def part(name, value, extra=""):
            return ('--BOUND\r\nContent-Disposition: form-data; name="%s"%s\r\n\r\n%s\r\n'
                    % (name, extra, value))
        good = part("csrf", token) + part("email", "niemand@example.org") + "--BOUND--\r\n"
        ct = "multipart/form-data; boundary=BOUND"
        r = c.request("POST", "/password/reset", body=good, content_type=ct)
        self.assertRedirect(r, "/login")  # a well-formed one works
        bad = [
            (ct, "no parts at all"),
            ("multipart/form-data", good),                                   # no boundary
            ("multipart/form-data; boundary=", good),
            ("multipart/form-data; boundary=" + "B" * 300, good),
            ("multipart/form-data; boundary=OTHER", good),
            (ct, good.replace("--BOUND--\r\n", "")),                         # never closed
            (ct, good.replace("\r\n\r\n", "\r\n").replace("--BOUND--\r\n", "")),  # no blank line
            (ct, good.replace("--BOUND--", "--BOUND")),                      # no final --
            (ct, '--BOUND\r\nContent-Type: text/plain\r\n\r\nx\r\n--BOUND--'),  # no name
            (ct, "--BOUNDjunk"),
            (ct, "--BOUND\r\n"),
            (ct, part("csrf", token) + part("email", "a\xffb".encode("latin-1").decode("latin-1"))
             + "--BOUND--\r\n"),
        ]
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for ctype, body in bad:
            with self.subTest(ctype=ctype, body=body[:60]):
                b = body.encode("latin-1") if isinstance(body, str) else body
                r = c.request("POST", "/password/reset", body=b, content_type=ctype)
                self.assertStatus(r, 400)
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)
        self.assertHealthy()

    def test_path_traversal_under_static(self):
        c = Client(self.srv)
        ok = c.get("/static/noaber.css")
        self.assertStatus(ok, 200)
        for path in ("/static/../templates/layout.html", "/static/%2e%2e/templates/layout.html",
                     "/static/%2E%2E%2Ftemplates%2Flayout.html", "/static/..%2fsrc%2fmain.c",
                     "/static/..%5c..%5cetc%5cpasswd", "/static/%252e%252e/etc/passwd",
                     "/static/./noaber.css/..", "/static//etc/passwd", "/static/",
                     "/static/../../../../etc/passwd",
                     "/static/templates/layout.html", "/static/.%2e/.%2e/etc/passwd",
                     "/static/noaber.css/", "/static/NOABER.CSS"):
            with self.subTest(path=path):
                r = c.get(path)
                self.assertStatus(r, (400, 404))
                self.assertNotIn("{{", r.text)
                self.assertNotIn("root:", r.text)
        self.assertStatus(c.request("POST", "/static/noaber.css", body="x",
                                    content_type="application/x-www-form-urlencoded"), 405)

    # --- SQL, ids of other neighbourhoods, odd methods ------------------------------------------

    def test_sql_fragments_are_stored_literally(self):
        res, admin = self.client("resident"), self.client("admin")
        sql = "Robert'); DROP TABLE persons;-- \" OR 1=1 /*"
        r = res.post_form("/account", {"display_name": sql, "lang": "nl", "channel": "inapp"})
        self.assertRedirect(r, "/account")
        self.assertEqual(res.api("GET", "/api/v1/me").json()["display_name"], sql)
        self.assertIn("Robert&#39;); DROP TABLE persons;-- &quot; OR 1=1 /*",
                      res.get("/account").text.replace("&#x27;", "&#39;"))
        r = admin.api("POST", "/api/v1/neighbourhoods",
                      {"slug": "sql-wijk", "name": "x' OR '1'='1", "description": sql,
                       "postcodes": "1234'; --"})
        self.assertStatus(r, 201)
        h = Client(self.srv).api("GET", "/api/v1/neighbourhoods/sql-wijk").json()
        self.assertEqual((h["name"], h["description"], h["postcodes"]),
                         ("x' OR '1'='1", sql, "1234'; --"))
        r = res.post_form("/account", {"display_name": "Rian Bewoner", "lang": "nl",
                                       "channel": "inapp"})
        self.assertRedirect(r, "/account")
        # in logins, paths and query strings
        c = Client(self.srv)
        r = c.login("' OR '1'='1' --", "' OR '1'='1' --", expect=None)
        self.assertStatus(r, 401)
        self.assertFalse(c.logged_in())
        for path in ("/n/x'%20OR%20'1'='1", "/n/binnenstad'--", "/api/v1/neighbourhoods/%25",
                     "/api/v1/neighbourhoods/_"):
            with self.subTest(path=path):
                self.assertStatus(c.get(path), 404)
        coord = self.client("coordinator")
        for q in ("limit=1;DROP%20TABLE%20persons", "offset=-5&limit=99999999999999999999",
                  "limit=abc&offset=%27", "pending=1'--"):
            with self.subTest(q=q):
                r = coord.api("GET", "/api/v1/neighbourhoods/%s/members?%s" % (HOOD, q))
                self.assertStatus(r, 200)
        total = coord.api("GET", "/api/v1/neighbourhoods/%s/members" % HOOD).json()["total"]
        self.assertGreaterEqual(total, 7)
        self.assertStatus(coord.get("/n/%s/members?page=-1%%27" % HOOD), 200)

    def test_member_ids_of_another_neighbourhood(self):
        o = Client(self.srv)
        r = o.post_form("/register", {
            "display_name": "Olaf Oost", "email": "olaf@example.org",
            "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
            "postcode": "3582 AA", "consent": "1"})
        self.assertRedirect(r, "/")
        oid = o.api("GET", "/api/v1/me").json()["id"]
        coord, conn = self.client("coordinator"), self.client("connector")
        rian = harness.member_id(self.srv, harness.EMAIL["resident"])
        seen = self.visible_state()
        before = self.srv.db_snapshot()
        for client, method, path, fields, status in (
                (conn, "POST", "/n/%s/members/%d/confirm" % (HOOD, oid), {}, 404),
                (coord, "POST", "/n/%s/members/%d/role" % (HOOD, oid), {"role": "connector"},
                 404),
                (conn, "POST", "/n/%s/members/%d/code" % (HOOD, oid), {}, 404),
                (conn, "POST", "/n/%s/members/%d/confirm" % (OTHER_HOOD, oid), {}, 403),
                (coord, "POST", "/n/%s/members/%d/role" % (OTHER_HOOD, oid),
                 {"role": "connector"}, 403),
                (conn, "POST", "/n/%s/members/%d/code" % (OTHER_HOOD, rian), {}, 403),
                (coord, "GET", "/n/%s/members" % OTHER_HOOD, None, 403),
                (coord, "GET", "/n/%s/calls" % OTHER_HOOD, None, 403),
                (conn, "POST", "/api/v1/neighbourhoods/%s/members/%d/confirm" % (HOOD, oid), {},
                 404),
                (coord, "PUT", "/api/v1/neighbourhoods/%s/members/%d/role" % (HOOD, oid),
                 {"role": "coordinator"}, 404),
                (conn, "POST", "/api/v1/neighbourhoods/%s/members/%d/confirm"
                 % (OTHER_HOOD, oid), {}, 403),
                (coord, "GET", "/api/v1/neighbourhoods/%s/members" % OTHER_HOOD, None, 403),
                (conn, "POST", "/n/%s/members/0/confirm" % HOOD, {}, 404),
                (conn, "POST", "/n/%s/members/-1/confirm" % HOOD, {}, 404),
                (conn, "POST", "/n/%s/members/abc/confirm" % HOOD, {}, 404),
                (conn, "POST", "/n/%s/members/99999999999999999999/confirm" % HOOD, {}, 404),
                (conn, "POST", "/n/%s/members/1e3/confirm" % HOOD, {}, 404),
                (conn, "POST", "/n/nergens/members/%d/confirm" % oid, {}, 404)):
            with self.subTest(path=path):
                if path.startswith("/api/"):
                    r = client.api(method, path, fields)
                else:
                    r = client.get(path) if method == "GET" else client.post_form(
                        path, fields, page="/")
                self.assertStatus(r, status)
        self.assertEqual(self.srv.db_snapshot(), before)
        self.assertEqual(self.visible_state(), seen)
        me = o.api("GET", "/api/v1/me").json()["neighbourhoods"]
        self.assertEqual([(h["slug"], h["role"], h["confirmed"]) for h in me],
                         [(OTHER_HOOD, "resident", False)])

    def test_session_fixation(self):
        """A token planted in the browser before login (by a link, a shared computer, a sister
        domain's cookie) is ignored, and login always issues a fresh one."""
        planted = "A" * 43
        c = Client(self.srv)
        c.cookies["noaber_session"] = planted
        r = c.get("/account")
        self.assertStatus(r, (302, 303))
        c.login(harness.EMAIL["resident"], PASSWORD)
        self.assertTrue(c.logged_in())
        self.assertNotEqual(c.cookies["noaber_session"], planted)
        self.assertStatus(c.get("/account"), 200)
        attacker = Client(self.srv)
        attacker.cookies["noaber_session"] = planted
        self.assertStatus(attacker.get("/account"), (302, 303))
        self.assertJsonError(attacker.api("GET", "/api/v1/me"), 401, None)
        # the session cookie of the victim, once logged out, opens nothing either
        old = c.cookies["noaber_session"]
        self.assertStatus(c.post_form("/logout", {}, page="/account"), (302, 303))
        attacker.cookies["noaber_session"] = old
        self.assertStatus(attacker.get("/account"), (302, 303))

    def test_slow_clients(self):
        """Fifty clients that send half a request and stop (slowloris) or trickle it do not
        keep others from being served, and are cut off after the request timeout."""
        host, port = "127.0.0.1", self.srv.port
        quiet = []
        for _ in range(50):
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            quiet.append(s)
        trickle = socket.create_connection((host, port), timeout=10)
        trickle.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nlog")
        start = time.monotonic()
        for _ in range(5):
            self.assertStatus(Client(self.srv).get("/healthz"), 200)
        self.assertLess(time.monotonic() - start, 2.0, "others are served at once")
        # the quiet ones are closed by the server after the request timeout
        deadline = time.monotonic() + REQUEST_TIMEOUT + 5
        closed = 0
        for s in quiet:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                while s.recv(4096):  # an error answer, perhaps, then the end
                    pass
                closed += 1
            except ConnectionResetError:
                closed += 1
            except (socket.timeout, TimeoutError):
                pass
            finally:
                s.close()
        self.assertEqual(closed, 50, "every stalled connection was closed")
        trickle.close()
        self.assertHealthy()

    def test_odd_methods_and_paths(self):
        c = Client(self.srv)
        for method in ("DELETE", "OPTIONS", "TRACE", "BREW", "CONNECT"):
            with self.subTest(method=method):
                r = c.request(method, "/account")
                self.assertStatus(r, (400, 405, 501))
                self.assertNoRawMarkup(r)
        r = c.request("PUT", "/login", body="x=1", content_type="application/x-www-form-urlencoded")
        self.assertStatus(r, 405)
        self.assertIn("POST", r.header("Allow") or "")
        self.assertStatus(c.get("/" + "a/" * 40), 404)
        self.assertStatus(c.get("/" + "a" * 200000), (400, 413, 414, 431))
        self.assertStatus(c.get("/n/" + "b" * 5000), 404)
        r = c.request("GET", "/", headers={"Cookie": "; ".join("c%d=%s" % (i, "v" * 100)
                                                             for i in range(200))})
        self.assertStatus(r, (200, 400, 413, 431))
        r = c.request("GET", "/", headers={"Accept-Language": "x" * 5000 + ",en;q=abc,,;;"})
        self.assertStatus(r, 200)
        r = c.request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + "%" * 64})
        self.assertJsonError(r, 401, "BAD_TOKEN")
        r = c.request("GET", "/api/v1/me", headers={"Authorization": "Bearer "})
        self.assertJsonError(r, 401, "BAD_TOKEN")
        r = c.request("GET", "/", headers={"Authorization": "Bearer x"})
        self.assertStatus(r, 401)
        self.assertHealthy()


if __name__ == "__main__":
    harness.main()
