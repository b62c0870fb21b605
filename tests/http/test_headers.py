"""HTTP tests of what every answer carries: the security headers (a CSP without 'unsafe-inline'
that forbids framing, nosniff, Referrer-Policy), cookie flags (HttpOnly, SameSite=Lax), no caching
of logged-in pages; /healthz and /metrics (Prometheus text); static files with ETag and 304 on
If-None-Match; error pages in Dutch by default and in English on request.
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


class Headers(harness.ServerTest):
    def assertSecurityHeaders(self, r):
        what = "%s %s (%d)" % (r.method, r.path, r.status)
        csp = r.header("Content-Security-Policy")
        self.assertIsNotNone(csp, what)
        directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
        self.assertEqual(directives.get("frame-ancestors"), ["'none'"], what)
        self.assertEqual(directives.get("default-src"), ["'self'"], what)
        self.assertEqual(directives.get("object-src"), ["'none'"], what)
        self.assertIn("base-uri", directives, what)
        self.assertIn("form-action", directives, what)
        self.assertNotIn("'unsafe-inline'", csp, what)
        self.assertNotIn("'unsafe-eval'", csp, what)
        self.assertNotIn("*", csp, what)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", what)
        self.assertIn(r.header("Referrer-Policy"),
                      ("same-origin", "no-referrer", "strict-origin",
                       "strict-origin-when-cross-origin"), what)
        self.assertEqual(r.header("X-Frame-Options"), "DENY", what)
        self.assertIsNone(r.header("Strict-Transport-Security"), "no HSTS over plain http")
        ctype = r.header("Content-Type")
        if r.body:
            self.assertIsNotNone(ctype, what)
        if ctype and ctype.startswith("text/"):
            self.assertIn("charset=utf-8", ctype, what)

    def test_security_headers_on_every_answer(self):
        anon = Client(self.srv)
        res = self.client("resident")
        css = anon.get("/static/noaber.css")
        token = harness.csrf_of(anon.get("/login").text)
        answers = [
            anon.get("/"), anon.get("/login"), anon.get("/register"), anon.get("/n/%s" % HOOD),
            anon.get("/nope"), anon.get("/account"), css,
            anon.get("/static/noaber.css", headers={"If-None-Match": css.header("ETag")}),
            anon.get("/static/nope.css"), anon.get("/healthz"), anon.get("/metrics"),
            anon.request("HEAD", "/"), anon.api("GET", "/api/v1/neighbourhoods"),
            anon.api("GET", "/api/v1/me"), anon.api("GET", "/api/v1/nope"),
            anon.get(b"/%FF"), anon.request("DELETE", "/"),
            anon.request("POST", "/login", body="x", content_type="text/plain"),
            anon.request("POST", "/api/v1/login", body="{", content_type="application/json"),
            anon.post("/login", {"login": "a", "password": "b"}, csrf=None),
            anon.post("/login", {"login": "a", "password": "b"}, csrf=token),
            res.get("/account"), res.get("/admin"), res.get("/messages"),
            res.api("GET", "/api/v1/me"),
            res.post("/language", {"lang": "nl", "next": "/"}, csrf=harness.csrf_of(
                res.get("/").text)),
        ]
        statuses = {r.status for r in answers}
        self.assertTrue({200, 303, 304, 400, 401, 403, 404, 405, 415} <= statuses, statuses)
        for r in answers:
            with self.subTest(answer=repr(r)):
                self.assertSecurityHeaders(r)

    def test_cookies_are_httponly_and_samesite(self):
        c = Client(self.srv)
        r = c.get("/login")
        nonce = r.set_cookie("noaber_nonce")
        self.assertIsNotNone(nonce)
        r = c.login(harness.EMAIL["partner"], PASSWORD)
        session = r.set_cookie("noaber_session")
        self.assertIsNotNone(session)
        value = session.split(";")[0].split("=", 1)[1]
        self.assertRegex(value, r"^[0-9a-f]{64}$")
        r = c.post_form("/language", {"lang": "nl", "next": "/"})
        lang = r.set_cookie("noaber_lang")
        r = c.post_form("/account", {"display_name": "Petra Huisartsenpraktijk", "lang": "nl",
                                     "channel": "inapp"}, page="/account")
        flash = r.set_cookie("noaber_flash")
        for name, raw in (("nonce", nonce), ("session", session), ("lang", lang),
                          ("flash", flash)):
            with self.subTest(cookie=name):
                self.assertIsNotNone(raw)
                attrs = [a.strip().lower() for a in raw.split(";")[1:]]
                self.assertIn("httponly", attrs)
                self.assertIn("samesite=lax", attrs)
                self.assertIn("path=/", attrs)
                self.assertNotIn("secure", attrs, "not over plain http")
        self.assertIn("max-age=%d" % (14 * 86400), session.lower())

    def test_logged_in_answers_are_not_cached(self):
        res = self.client("resident")
        for path in ("/", "/account", "/messages", "/n/%s" % HOOD):
            with self.subTest(path=path):
                cc = res.get(path).header("Cache-Control") or ""
                self.assertIn("no-store", cc)
                self.assertIn("private", cc)
        self.assertIn("no-store", res.api("GET", "/api/v1/me").header("Cache-Control") or "")

    def test_healthz(self):
        r = Client(self.srv).get("/healthz")
        self.assertStatus(r, 200)
        self.assertEqual(r.text, "ok\n")
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        self.assertIsNone(r.set_cookie("noaber_nonce"), "no cookie from a health check")
        self.assertStatus(Client(self.srv).request("HEAD", "/healthz"), 200)

    def test_metrics(self):
        c = Client(self.srv)

        def scrape():
            r = c.get("/metrics")
            self.assertStatus(r, 200)
            self.assertEqual(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
            samples = {}
            number = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|NaN|Inf)"
            for line in r.text.splitlines():
                if line.startswith("# HELP ") or line.startswith("# TYPE "):
                    self.assertRegex(line, r"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* \S")
                    continue
                m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"'
                             r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (%s)$' % number, line)
                self.assertIsNotNone(m, "not Prometheus text: %r" % line)
                samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
            self.assertIn("# TYPE noaber_http_requests_total counter", r.text)
            return samples

        before = scrape()
        self.assertIn('noaber_http_requests_total{code="4xx"}', before)
        for _ in range(3):
            self.assertStatus(c.get("/no-such-page"), 404)
        after = scrape()
        self.assertGreaterEqual(after['noaber_http_requests_total{code="4xx"}'],
                                before['noaber_http_requests_total{code="4xx"}'] + 3)
        self.assertGreater(after['noaber_http_requests_total{code="2xx"}'], 0)
        self.assertGreaterEqual(after["noaber_http_request_duration_seconds_count"],
                                before["noaber_http_request_duration_seconds_count"] + 3)

    def test_static_etag_and_304(self):
        c = Client(self.srv)
        r = c.get("/static/noaber.css")
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/css"))
        etag = r.header("ETag")
        self.assertRegex(etag or "", r'^"[^"]+"$', "a strong ETag")
        self.assertIn("max-age", r.header("Cache-Control") or "")
        self.assertGreater(len(r.body), 100)
        again = c.get("/static/noaber.css", headers={"If-None-Match": etag})
        self.assertStatus(again, 304)
        self.assertEqual(again.body, b"")
        self.assertEqual(again.header("ETag"), etag)
        listed = c.get("/static/noaber.css", headers={"If-None-Match": '"x", %s' % etag})
        self.assertStatus(listed, 304)
        other = c.get("/static/noaber.css", headers={"If-None-Match": '"not-it"'})
        self.assertStatus(other, 200)
        self.assertEqual(other.body, r.body)
        head = c.request("HEAD", "/static/noaber.css")
        self.assertStatus(head, 200)
        self.assertEqual(head.header("ETag"), etag)

    def test_error_pages_in_dutch_and_english(self):
        nl, en = Client(self.srv), Client(self.srv, lang="en-GB,en;q=0.9")
        cases = [
            (nl.get("/bestaat-niet"), 404, "nl", "Deze pagina bestaat niet (meer)."),
            (en.get("/bestaat-niet"), 404, "en", "This page does not exist (any more)."),
            (Client(self.srv, lang="de-DE,en;q=0.5").get("/x"), 404, "en", "This page does not"),
            (Client(self.srv, lang="fr").get("/x"), 404, "nl", "Deze pagina bestaat niet"),
            (nl.get("/x?lang=en"), 404, "en", "This page does not exist"),
            (nl.get("/static/nope.css"), 404, "nl", "Deze pagina bestaat niet (meer)."),
        ]
        res_nl = self.client("resident")
        res_en = Client(self.srv)
        res_en.login(harness.EMAIL["connector"])
        r = res_en.post_form("/account", {"display_name": "Kees Buurtassistent", "lang": "en",
                                          "channel": "inapp"}, page="/account")
        self.assertRedirect(r, "/account")
        cases += [
            (res_nl.get("/admin"), 403, "nl", "Dit mag je niet doen of bekijken."),
            (res_en.get("/admin"), 403, "en", "You are not allowed to do or see this."),
            (res_en.get("/admin", headers={"Accept-Language": "nl"}), 403, "en",
             "You are not allowed"),  # the person's own choice wins
            (Client(self.srv, lang="en").post("/login", {"login": "x"}, csrf=None), 403, "en",
             "The form has expired. Reload the page and try again."),
        ]
        nlc = Client(self.srv)
        nlc.cookies["noaber_lang"] = "en"
        cases.append((nlc.get("/x"), 404, "en", "This page does not exist"))
        titles = {(404, "nl"): "Pagina niet gevonden", (404, "en"): "Page not found",
                  (403, "nl"): "Niet toegestaan", (403, "en"): "Not allowed"}
        for r, status, lang, text in cases:
            with self.subTest(answer=repr(r), lang=lang):
                self.assertStatus(r, status)
                self.assertIn('<html lang="%s"' % lang, r.text)
                self.assertIn(text, harness.main_text(r.text))
                self.assertIn("<h1>%s</h1>" % titles[(status, lang)], r.text)
                self.assertIn("<title>%s · Noaber</title>" % titles[(status, lang)], r.text)
        api = Client(self.srv, lang="en").api("GET", "/api/v1/me")
        self.assertEqual(self.assertJsonError(api, 401, "UNAUTHENTICATED")["message"],
                         "Please log in first.")
        api = Client(self.srv).api("GET", "/api/v1/me")
        self.assertEqual(self.assertJsonError(api, 401)["message"], "Log eerst in.")
        r = res_en.post_form("/account", {"display_name": "Kees Buurtassistent", "lang": "nl",
                                          "channel": "inapp"}, page="/account")
        self.assertRedirect(r, "/account")


if __name__ == "__main__":
    harness.main()
