"""HTTP tests of the second login step (TOTP, RFC 6238): a staff member switches on a code app,
then logs in with password + code on the pages and through the API; a code works once, a
recovery code works once, the waiting cookie is no session, wrong codes are limited, switching it
off needs the password; and with require_staff_2fa = 1 staff must set it up before anything else.
The codes are computed here from the key the set-up page shows.
"""

import base64
import hashlib
import hmac
import re
import struct
import sys
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, PASSWORD, Client  # noqa: E402

PERIOD = 30


def totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def quiet_step():
    """The current step, after waiting out the last seconds of one (so that a code computed
    here is still inside the server's window when it arrives)."""
    if time.time() % PERIOD > PERIOD - 6:
        time.sleep(PERIOD - time.time() % PERIOD + 0.5)
    return int(time.time()) // PERIOD


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


class SecondStep(harness.ServerTest):
    def switch_on(self, c):
        page = c.get("/account/totp")
        self.assertStatus(page, 200)
        self.assertIsNotNone(harness.find_form(page.text, "/account/totp/begin"))
        r = c.post_form("/account/totp/begin", {}, page="/account/totp")
        self.assertStatus(r, 200)
        m = re.search(r'<code class="code">([A-Z2-7]+)</code>', r.text)
        self.assertIsNotNone(m, r.text)
        secret = m.group(1)
        self.assertIn("otpauth://totp/Noaber:", r.text.replace("&#x2F;", "/"))
        step = quiet_step()
        bad = c.post_form("/account/totp/enable", {"code": "000000"}, page="/account/totp")
        self.assertStatus(bad, (401, 422))
        r = c.post_form("/account/totp/enable", {"code": totp(secret, step - 1)},
                        page="/account/totp")
        self.assertStatus(r, 200)
        codes = re.findall(r'<li><code class="code">([^<]+)</code></li>', r.text)
        self.assertGreaterEqual(len(codes), 5, r.text)
        return secret, step, codes

    def test_code_app_on_the_pages_and_the_api(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["partner"])
        secret, step, recovery = self.switch_on(c)
        self.assertIn("/account/totp/disable", c.get("/account/totp").text)

        # the password alone no longer logs in: a waiting cookie, no session
        p = Client(self.srv)
        r = p.login(harness.EMAIL["partner"], PASSWORD, expect=None)
        self.assertRedirect(r, "/login/totp")
        self.assertIsNone(r.set_cookie("noaber_session"))
        mfa = r.set_cookie("noaber_mfa")
        self.assertIsNotNone(mfa)
        self.assertIn("HttpOnly", mfa)
        self.assertRedirect(p.get("/account"), "/login")
        # the waiting cookie's value is not a session either
        thief = Client(self.srv)
        thief.cookies["noaber_session"] = p.cookies["noaber_mfa"]
        self.assertRedirect(thief.get("/account"), "/login")
        self.assertJsonError(thief.api("GET", "/api/v1/me"), 401)
        # the second step
        self.assertStatus(p.get("/login/totp"), 200)
        r = p.post_form("/login/totp", {"code": totp(secret, step)})
        self.assertRedirect(r, "/")
        self.assertTrue(p.logged_in())
        self.assertNotIn("noaber_mfa", p.cookies)
        self.assertStatus(p.get("/account"), 200)

        # a code works once
        q = Client(self.srv)
        q.login(harness.EMAIL["partner"], PASSWORD, expect=None)
        r = q.post_form("/login/totp", {"code": totp(secret, step)})
        self.assertStatus(r, 401)
        self.assertFalse(q.logged_in())

        # the API: 401 MFA_REQUIRED with the waiting cookie, then the code
        a = Client(self.srv)
        r = a.api("POST", "/api/v1/login", {"login": harness.EMAIL["partner"],
                                            "password": PASSWORD})
        self.assertJsonError(r, 401, "MFA_REQUIRED")
        self.assertIn("noaber_mfa", a.cookies)
        self.assertNotIn("noaber_session", a.cookies)
        r = a.api("POST", "/api/v1/login/totp", {"code": totp(secret, step + 1)})
        self.assertStatus(r, 200)
        self.assertEqual(r.json(), {"ok": True})
        self.assertStatus(a.api("GET", "/api/v1/me"), 200)
        r = Client(self.srv).api("POST", "/api/v1/login/totp", {"code": totp(secret, step + 1)})
        self.assertJsonError(r, 401, "UNAUTHENTICATED")  # no waiting cookie

        # a recovery code works once
        b = Client(self.srv)
        b.login(harness.EMAIL["partner"], PASSWORD, expect=None)
        self.assertRedirect(b.post_form("/login/totp", {"code": recovery[0].lower()}), "/")
        d = Client(self.srv)
        d.login(harness.EMAIL["partner"], PASSWORD, expect=None)
        self.assertStatus(d.post_form("/login/totp", {"code": recovery[0]}), 401)

        # switching off needs the password
        r = c.post_form("/account/totp/disable", {"password": "niet het wachtwoord"},
                        page="/account/totp")
        self.assertStatus(r, (401, 403, 422))
        self.assertIn("/account/totp/disable", c.get("/account/totp").text)
        r = c.post_form("/account/totp/disable", {"password": PASSWORD}, page="/account/totp")
        self.assertRedirect(r, "/account/totp")
        Client(self.srv).login(harness.EMAIL["partner"], PASSWORD)  # one step again

    def test_wrong_codes_are_limited(self):
        c = Client(self.srv)
        c.login(harness.EMAIL["connector"])
        secret, step, _ = self.switch_on(c)
        w = Client(self.srv)
        w.login(harness.EMAIL["connector"], PASSWORD, expect=None)
        wrong = "%06d" % ((int(totp(secret, step)) + 1) % 1000000)
        for _ in range(5):
            self.assertStatus(w.post_form("/login/totp", {"code": wrong}), 401)
        r = w.post_form("/login/totp", {"code": totp(secret, quiet_step())})
        self.assertStatus(r, 429)
        self.assertIsNotNone(r.header("Retry-After"))
        self.assertFalse(w.logged_in())


class RequiredForStaff(harness.ServerTest):
    """With require_staff_2fa = 1 (a server of its own)."""

    @classmethod
    def setUpClass(cls):
        cls.own = harness.Server({"NOABER_REQUIRE_STAFF_2FA": "1"}).start()

    @classmethod
    def tearDownClass(cls):
        code, problem = cls.own.stop()
        if problem:
            raise AssertionError(problem)

    def test_staff_set_it_up_first(self):
        conn = Client(self.own)
        conn.login(harness.EMAIL["connector"])
        self.assertRedirect(conn.get("/n/%s/members" % HOOD), "/account/totp")
        self.assertRedirect(conn.get("/"), "/account/totp")
        page = conn.get("/account/totp")
        self.assertStatus(page, 200)
        self.assertIn('class="notice"', page.text)
        r = conn.api("GET", "/api/v1/neighbourhoods/%s/members" % HOOD)
        self.assertJsonError(r, 403, "MFA_SETUP_REQUIRED")
        self.assertJsonError(conn.api("POST", "/api/v1/tokens", {"name": "omweg"}), 403,
                             "MFA_SETUP_REQUIRED")
        # residents are not asked
        res = Client(self.own)
        res.login(harness.EMAIL["resident"])
        self.assertStatus(res.get("/account"), 200)
        self.assertStatus(res.get("/n/%s" % HOOD), 200)
        # once it is on, the connector goes on, and cannot switch it off
        secret, step, _ = SecondStep.switch_on(self, conn)
        self.assertStatus(conn.get("/n/%s/members" % HOOD), 200)
        self.assertNotIn("/account/totp/disable", conn.get("/account/totp").text)
        # logging out stays possible
        self.assertRedirect(conn.post_form("/logout", {}, page="/account/totp"), "/login")


if __name__ == "__main__":
    harness.main()
