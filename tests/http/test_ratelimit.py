"""HTTP tests of the login rate limits: five wrong passwords for one account in 15 minutes, and
the sixth attempt gets 429 with "Te veel pogingen, probeer het over N minuten opnieuw" and a
Retry-After header, even with the right password; other accounts from the same address still
log in; 30 failures from one address block it; wrong login codes count per address.

The server trusts 127.0.0.1 as a proxy (NOABER_TRUSTED_PROXIES), so that each test comes from its
own address through X-Forwarded-For and the limits of one test do not touch another.
"""

import re
import sys
import unittest

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402


def setUpModule():
    harness.start_server({"NOABER_TRUSTED_PROXIES": "127.0.0.1"})


def tearDownModule():
    harness.stop_server()


class RateLimit(harness.ServerTest):
    def client_from(self, ip, lang=None):
        c = Client(self.srv, lang=lang)
        c.headers["X-Forwarded-For"] = ip
        return c

    def assertLimited(self, r, lang="nl"):
        self.assertStatus(r, 429)
        text = {"nl": r"Te veel pogingen, probeer het over (\d+) minuten opnieuw",
                "en": r"Too many attempts, please try again in (\d+) minutes"}[lang]
        m = re.search(text, r.text)
        self.assertIsNotNone(m, r.text[:3000])
        minutes = int(m.group(1))
        self.assertTrue(1 <= minutes <= 15, minutes)
        after = r.header("Retry-After")
        self.assertIsNotNone(after, "Retry-After")
        self.assertEqual(int(after), minutes * 60)
        self.assertIsNone(r.set_cookie("noaber_session"), "no session when limited")
        return minutes

    def wrong(self, c, login, n, status=401):
        for i in range(n):
            r = c.login(login, "fout wachtwoord %d" % i, expect=None)
            self.assertStatus(r, status, "attempt %d" % (i + 1))
            if status == 401:
                self.assertIn("Deze combinatie van naam en wachtwoord kennen we niet.", r.text)

    def test_five_wrong_passwords_then_429(self):
        c = self.client_from("10.0.0.1")
        self.wrong(c, harness.EMAIL["resident"], 5)
        self.assertLimited(c.login(harness.EMAIL["resident"], "nog een keer fout", expect=None))
        # the right password now waits too, also typed differently, also from elsewhere
        self.assertLimited(c.login(harness.EMAIL["resident"], PASSWORD, expect=None))
        self.assertLimited(c.login("  Resident@Demo.Noaber.NL ", PASSWORD, expect=None))
        self.assertLimited(self.client_from("10.9.9.9").login(harness.EMAIL["resident"],
                                                               PASSWORD, expect=None))
        self.assertFalse(c.logged_in())
        # in English, and through the API
        self.assertLimited(self.client_from("10.0.0.1", lang="en").login(
            harness.EMAIL["resident"], PASSWORD, expect=None), lang="en")
        r = c.api("POST", "/api/v1/login", {"login": harness.EMAIL["resident"],
                                            "password": PASSWORD})
        err = self.assertJsonError(r, 429, "RATE_LIMITED")
        self.assertRegex(err["message"], r"^Te veel pogingen, probeer het over \d+ minuten "
                                         r"opnieuw\.$")
        self.assertIsNotNone(r.header("Retry-After"))
        # another account from the same address still works
        other = self.client_from("10.0.0.1")
        other.login(harness.EMAIL["connector"], PASSWORD)
        self.assertStatus(other.get("/account"), 200)

    def test_unknown_accounts_are_limited_the_same(self):
        c = self.client_from("10.0.0.2")
        self.wrong(c, "niemand@example.org", 5)
        self.assertLimited(c.login("niemand@example.org", "x", expect=None))

    def test_a_good_login_clears_the_account_count(self):
        c = self.client_from("10.0.0.3")
        self.wrong(c, harness.EMAIL["coordinator"], 4)
        Client.login(self.client_from("10.0.0.3"), harness.EMAIL["coordinator"], PASSWORD)
        self.wrong(c, harness.EMAIL["coordinator"], 4)
        self.client_from("10.0.0.3").login(harness.EMAIL["coordinator"], PASSWORD)

    def test_thirty_failures_block_the_address(self):
        c = self.client_from("10.0.0.4")
        for k in range(6):
            self.wrong(c, "naam%d@example.org" % k, 5)
        r = self.client_from("10.0.0.4").login(harness.EMAIL["partner"], PASSWORD, expect=None)
        self.assertLimited(r)
        # the same account from another address is fine
        self.client_from("10.0.0.5").login(harness.EMAIL["partner"], PASSWORD)

    def make_code(self):
        conn = self.client("connector")
        page = conn.get("/n/%s/members" % HOOD)
        bep = harness.member_id(self.srv, harness.NO_EMAIL_USERNAME)
        r = conn.post_form("/n/%s/members/%d/code" % (HOOD, bep), {}, page="/n/%s/members" % HOOD)
        self.assertStatus(r, 200)
        self.assertIsNotNone(page)
        return re.search(r'<dd class="code">([A-Z0-9-]+)</dd>', r.text).group(1)

    def test_wrong_codes_count_per_address(self):
        code = self.make_code()
        c = self.client_from("10.0.0.6")
        for i in range(10):  # MEMBERS_LOGIN_MAX_CODES wrong codes per address
            r = c.post_form("/login/code", {"code": "AAAA-BBBB-CC%02d" % (i + 2)})
            self.assertStatus(r, 400)
            self.assertIn("Deze code klopt niet of is al gebruikt.", r.text)
        self.assertLimited(c.post_form("/login/code", {"code": "AAAA-BBBB-CCCC"}))
        self.assertLimited(c.post_form("/login/code", {"code": code}))
        # from another address the code still works
        d = self.client_from("10.0.0.7")
        self.assertRedirect(d.post_form("/login/code", {"code": code}), "/account")

    def test_code_login_after_another_accounts_failures(self):
        code = self.make_code()
        c = self.client_from("10.0.0.8")
        self.wrong(c, "iemand-anders@example.org", 5)
        r = self.client_from("10.0.0.8").post_form("/login/code", {"code": code})
        self.assertRedirect(r, "/account")


if __name__ == "__main__":
    harness.main()
