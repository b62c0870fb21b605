"""HTTP tests of the residents module, end to end as a browser and a program use it.

A connector holds an intake at the door (the five questions, the consent given and how, a
machtiging), prints the intake summary and a login card (both PDF), and the resident takes over
the account with the card's code. Consent is needed for what is written down, and withdrawing it
stops what relied on it ("who can help" no longer finds them). A connector acts for a resident
with their machtiging: logged, and shown to the resident. Notes reach only the assigned connector
and the coordinators. The coordinator imports the cooperative's member list: rows without consent
are listed, not imported; a broken file imports nothing. Partners get 403 with nothing in the
body on every resident path, residents and staff of another neighbourhood too; their figures
carry no postcode and show small counts as "< 5". Pages come in Dutch and English.
"""

import datetime
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, OTHER_HOOD, PASSWORD, Client  # noqa: E402

PDF_DIR = os.environ.get("NOABER_PDF_DIR")  # set to keep the PDFs and their renderings


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


def date(days):
    """A date DAYS from today as a Dutch connector types it."""
    return (datetime.date.today() + datetime.timedelta(days=days)).strftime("%d-%m-%Y")


INTAKE = {
    "display_name": "Bep Bakker", "postcode": "3511 AB", "house_number": "12a",
    "phone": "030 1234567", "lang": "nl", "channel": "call", "place": "door",
    "about": "Weduwe, 82 jaar. Woont al 50 jaar in de Twijnstraat.",
    "wants": "Weer eens naar de markt op zaterdag.",
    "abilities": "Breien en verhalen vertellen.",
    "needs": "Iemand die de boodschappen doet.",
    "offers": "Sokken breien voor de buurt.",
    "availability": "Ochtenden", "consent_profile": "1", "consent_matching": "1",
    "consent_contact": "1", "consent_health": "1", "consent_how": "spoken",
    "health_note": "Slecht ter been, loopt met een rollator.", "show_offers": "1",
}


def intake(client, name, skills_offered=("company",), skills_wanted=("groceries",), **over):
    """Holds an intake for NAME in Binnenstad; returns (response, person id or None)."""
    fields = dict(INTAKE, display_name=name, next_contact=date(1), authorise="1",
                  authorise_until=date(30))
    fields.update(over)
    items = [(k, v) for k, v in fields.items() if v is not None]
    items += [("skills_offered", s) for s in skills_offered]
    items += [("skills_wanted", s) for s in skills_wanted]
    page = client.get("/n/%s/residents/new" % HOOD)
    r = client.post("/n/%s/residents" % HOOD, items, csrf=harness.csrf_of(page.text))
    m = re.search(r"/residents/(\d+)\?new=1$", r.header("Location") or "")
    return r, int(m.group(1)) if m else None


def login_card_code(pdf):
    """The one-time code from the login card's link (the QR code's URL)."""
    m = re.search(rb"/URI ?\((http[^)]*/login/code\?code=([A-Z0-9-]+))\)", pdf)
    return m.group(2).decode() if m else None


def keep_pdf(name, body):
    """With NOABER_PDF_DIR set: writes the PDF there and renders page 1 to PNG (pdftoppm)."""
    if not PDF_DIR:
        return
    os.makedirs(PDF_DIR, exist_ok=True)
    path = os.path.join(PDF_DIR, name)
    with open(path, "wb") as f:
        f.write(body)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", path,
                        path[:-4]], check=False, timeout=60)


class Intake(harness.ServerTest):
    def test_intake_pdfs_and_takeover_with_the_card(self):
        kees = self.client("connector")
        form = kees.get("/n/%s/residents/new" % HOOD)
        self.assertStatus(form, 200)
        for q in ("Wie ben jij?", "Wat wil je?", "Wat kun je?", "Wat heb je nodig?",
                  "Wat heb je te bieden?"):
            self.assertIn(q, form.text)
        self.assertIn("nooit in de vijf vragen", form.text)  # health has its own place
        r, bep = intake(kees, "Bep Bakker")
        self.assertRedirect(r, "/n/%s/residents/" % HOOD)
        page = kees.get(r.header("Location"))
        self.assertStatus(page, 200)
        main = harness.main_text(page.text)
        self.assertIn("Bep Bakker", main)
        self.assertIn("Sokken breien voor de buurt.", main)
        self.assertIn("3511AB 12a", main)
        self.assertIn("Slecht ter been", main)  # Kees follows her: he reads the health note
        # the consent as recorded: how and by whom
        rows = self.srv.db_query("SELECT c.purpose, c.how, p.display_name FROM consents c "
                                 "JOIN persons p ON p.id = c.recorded_by WHERE c.person_id = ? "
                                 "ORDER BY c.purpose", (bep,))
        self.assertEqual(rows, [(p, "spoken", "Kees Buurtassistent")
                                for p in ("contact", "health", "matching", "profile")])
        # health lives in its own table, never in the five answers
        self.assertEqual(self.srv.db_query(
            "SELECT count(*) FROM health_notes WHERE person_id = ?", (bep,)), [(1,)])
        self.assertEqual(self.srv.db_query(
            "SELECT count(*) FROM profiles WHERE person_id = ? AND (about || wants || abilities "
            "|| needs || offers) LIKE '%rollator%'", (bep,)), [(0,)])
        # the intake summary, on paper
        pdf = kees.get("/n/%s/residents/%d/intake.pdf" % (HOOD, bep))
        self.assertStatus(pdf, 200)
        self.assertEqual(pdf.header("Content-Type"), "application/pdf")
        self.assertTrue(pdf.body.startswith(b"%PDF-"))
        self.assertTrue(pdf.body.rstrip().endswith(b"%%EOF"))
        keep_pdf("intake.pdf", pdf.body)
        # the login card: a new code, in the QR code and the link
        card = kees.post_form("/n/%s/residents/%d/card" % (HOOD, bep), {},
                              page="/n/%s/residents/%d" % (HOOD, bep))
        self.assertStatus(card, 200)
        self.assertEqual(card.header("Content-Type"), "application/pdf")
        self.assertTrue(card.body.startswith(b"%PDF-"))
        keep_pdf("login-card.pdf", card.body)
        code = login_card_code(card.body)
        self.assertRegex(code or "", r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
        # Bep takes over her account with the card's code
        bep_client = Client(self.srv)
        r = bep_client.post_form("/login/code", {"code": code.lower()})
        self.assertRedirect(r, "/account")
        me = bep_client.api("GET", "/api/v1/me").json()
        self.assertEqual(me["id"], bep)
        self.assertEqual(me["username"], "bep.bakker")
        prof = bep_client.get("/profile")
        self.assertStatus(prof, 200)
        self.assertIn("Weer eens naar de markt op zaterdag.", prof.text)
        self.assertIn("Kees Buurtassistent", prof.text)  # her machtiging for Kees
        api = bep_client.api("GET", "/api/v1/me/profile").json()
        self.assertEqual(api["offers"], "Sokken breien voor de buurt.")
        self.assertEqual(api["skills_offered"], "company")
        self.assertEqual(api["consents"], {"profile": True, "matching": True, "contact": True,
                                           "health": True})
        # the code works once
        again = Client(self.srv).post_form("/login/code", {"code": code})
        self.assertStatus(again, 400)

    def test_intake_needs_consent_for_what_is_written_down(self):
        kees = self.client("connector")
        before = self.srv.db_query("SELECT count(*) FROM persons")
        r, _ = intake(kees, "Zonder Toestemming", consent_profile=None, consent_matching=None,
                      consent_health=None)
        self.assertStatus(r, 422)
        self.assertIn('id="consent_profile-error"', r.text)
        self.assertIn('id="health_note-error"', r.text)
        self.assertIn("Sokken breien voor de buurt.", r.text)  # the answers are kept in the form
        self.assertEqual(self.srv.db_query("SELECT count(*) FROM persons"), before)

    def test_intake_names_the_neighbourhood_of_another_postcode(self):
        kees = self.client("connector")
        r, pid = intake(kees, "Verkeerde Wijk", postcode="3581 KL")
        self.assertStatus(r, 422)
        self.assertIsNone(pid)
        self.assertIn("hoort bij de buurt Oost", r.text)
        self.assertIn('aria-invalid="true"', r.text)


    def test_registration_names_the_neighbourhood_of_the_postcode(self):
        anon = Client(self.srv)
        r = anon.post_form("/register", {
            "display_name": "Verkeerd Gekozen", "email": "verkeerd@example.org",
            "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
            "postcode": "3581 KL", "hood": HOOD, "consent": "1"})
        self.assertStatus(r, 422)
        self.assertIn("Deze postcode hoort niet bij deze buurt, maar bij Oost.", r.text)
        self.assertIn('aria-describedby="postcode-hint postcode-error"', r.text)


class WhoSeesWhat(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        srv = harness.server()
        r, cls.bep = intake(srv.client("connector"), "Bep Geheim")
        assert cls.bep, r.text
        # a resident and a coordinator of Oost
        o = Client(srv)
        r = o.post_form("/register", {
            "display_name": "Olga Oost", "email": "olga-res@example.org",
            "password": "een goed wachtwoord", "password2": "een goed wachtwoord",
            "postcode": "3581 KL", "consent": "1"})
        assert r.status == 303, r.text
        oid = o.api("GET", "/api/v1/me").json()["id"]
        srv.client("admin").api("PUT", "/api/v1/neighbourhoods/%s/members/%d/role"
                                % (OTHER_HOOD, oid), {"role": "coordinator"})
        cls.oost = o
        # a second connector in Binnenstad
        coord = srv.client("coordinator")
        r = coord.api("POST", "/api/v1/neighbourhoods/%s/members" % HOOD,
                      {"display_name": "Karin Tweede", "email": "karin2@example.org",
                       "role": "connector"})
        assert r.status == 201, r.text
        cls.karin_id = r.json()["id"]

    def secret_bits(self):
        return ("Bep Geheim", "Twijnstraat", "3511AB", "rollator", "030 1234567")

    def assertNothingOf(self, r):
        for bit in self.secret_bits():
            self.assertNotIn(bit, r.text, "%s %s leaks %r" % (r.method, r.path, bit))

    def resident_paths(self):
        """Every route of the module that is about residents (not one's own profile)."""
        rows = []
        for method, pattern, action in harness.routes():
            if action in ("intake", "resident_file", "help_search") or \
                    pattern.endswith("/members/import"):
                path = pattern.replace("{hood}", HOOD).replace("{id}", str(self.bep)) \
                    .replace("{aid}", "1")
                rows.append((method, path))
        return rows

    def send(self, client, method, path):
        if path.startswith("/api/"):
            return client.api(method, path, {} if method != "GET" else None)
        if method == "GET":
            return client.get(path)
        token = harness.csrf_of(client.get("/").text)
        return client.post(path, {"text": "x", "purpose": "contact", "give": "1",
                                  "how": "spoken", "to": "1", "connector": "1",
                                  "until": date(3)}, csrf=token)

    def test_partner_gets_403_and_nothing_else_on_every_resident_path(self):
        partner = self.client("partner")
        rows = self.resident_paths()
        self.assertGreaterEqual(len(rows), 19)
        before = self.srv.db_snapshot()
        for method, path in rows:
            with self.subTest(route="%s %s" % (method, path)):
                r = self.send(partner, method, path)
                if path.startswith("/api/"):
                    self.assertJsonError(r, 403, "FORBIDDEN")
                else:
                    self.assertStatus(r, 403)
                self.assertNothingOf(r)
        # acting for someone without a machtiging: the same
        r = partner.get("/profile?acting_for=%d" % self.bep)
        self.assertStatus(r, 403)
        self.assertNothingOf(r)
        self.assertJsonError(partner.api("GET", "/api/v1/me/profile?acting_for=%d" % self.bep),
                             403, "FORBIDDEN")
        self.assertEqual(self.srv.db_snapshot(), before)

    def test_other_neighbourhood_cannot_open_the_file(self):
        olga = self.oost  # coordinator of Oost
        for path in ("/n/%s/residents/%d" % (HOOD, self.bep),
                     "/n/%s/residents/%d" % (OTHER_HOOD, self.bep),
                     "/n/%s/residents/%d/intake.pdf" % (OTHER_HOOD, self.bep)):
            with self.subTest(path=path):
                r = olga.get(path)
                self.assertStatus(r, 403)
                self.assertNothingOf(r)
        r = olga.api("GET", "/api/v1/neighbourhoods/%s/residents/%d" % (OTHER_HOOD, self.bep))
        self.assertJsonError(r, 403, "FORBIDDEN")
        self.assertNothingOf(r)
        # a resident of Binnenstad itself is not staff either
        rian = self.client("resident")
        r = rian.get("/n/%s/residents/%d" % (HOOD, self.bep))
        self.assertStatus(r, 403)
        self.assertNothingOf(r)

    def test_notes_only_for_the_assigned_connector_and_coordinators(self):
        kees, carla = self.client("connector"), self.client("coordinator")
        r = kees.post_form("/n/%s/residents/%d/notes" % (HOOD, self.bep),
                           {"text": "Boodschappen geregeld met de buurman.",
                            "next_contact": date(2)},
                           page="/n/%s/residents/%d" % (HOOD, self.bep))
        self.assertRedirect(r, "/n/%s/residents/%d#notes" % (HOOD, self.bep))
        self.assertIn("Boodschappen geregeld", carla.get("/n/%s/residents/%d"
                                                         % (HOOD, self.bep)).text)
        karin = Client(self.srv)
        karin.login("karin2@example.org", self.karin_password())
        page = karin.get("/n/%s/residents/%d" % (HOOD, self.bep))
        self.assertStatus(page, 200)  # a connector of the neighbourhood sees the profile...
        self.assertIn("3511AB", page.text)
        self.assertNotIn("Boodschappen geregeld", page.text)  # ...but not the notes
        self.assertNotIn("rollator", page.text)  # nor health
        r = karin.post_form("/n/%s/residents/%d/notes" % (HOOD, self.bep), {"text": "x"},
                            page="/n/%s/residents/%d" % (HOOD, self.bep))
        self.assertStatus(r, 403)
        # every opening of the file is in the access log
        viewers = {v for (v,) in self.srv.db_query(
            "SELECT viewer_id FROM access_log WHERE person_id = ?", (self.bep,))}
        self.assertIn(harness.member_id(self.srv, "karin2@example.org"), viewers)

    def karin_password(self):
        """Karin was added without a password: she chooses one through the reset link that the
        outbox holds for her address, as she would from her e-mail."""
        anon = Client(self.srv)
        anon.post_form("/password/reset", {"email": "karin2@example.org"})
        body = self.srv.db_query(
            "SELECT body FROM messages WHERE kind = 'email' ORDER BY id DESC LIMIT 1")[0][0]
        code = re.search(r"code=([A-Z0-9-]+)", body).group(1)
        c = Client(self.srv)
        r = c.post_form("/login/code", {"code": code})
        assert r.status == 303, r.text
        pw = "karins goede wachtwoord"
        r = c.post_form("/account/password", {"password": pw, "password2": pw}, page="/account")
        assert r.status == 303, r.text
        return pw


class Consent(harness.ServerTest):
    def test_withdrawing_matching_hides_from_who_can_help(self):
        kees, rian = self.client("connector"), self.client("resident")
        r, pid = intake(kees, "Henk Helper", skills_offered=("gardening",))
        self.assertIsNotNone(pid, r.text)
        found = rian.get("/n/%s/help?skill=gardening" % HOOD)
        self.assertStatus(found, 200)
        self.assertIn("Henk Helper", found.text)
        self.assertIn("Sokken breien voor de buurt.", found.text)  # opened to neighbours
        self.assertNotIn("030 1234567", found.text)  # the phone was not
        api = rian.api("GET", "/api/v1/neighbourhoods/%s/help?skill=gardening" % HOOD)
        self.assertIn("Henk Helper", [h["display_name"] for h in api.json()["helpers"]])
        # Kees withdraws 'matching' for Henk, who told him so by phone
        r = kees.post_form("/n/%s/residents/%d/consents" % (HOOD, pid),
                           {"purpose": "matching", "give": "0", "how": "spoken"},
                           page="/n/%s/residents/%d" % (HOOD, pid))
        self.assertRedirect(r)
        self.assertNotIn("Henk Helper", rian.get("/n/%s/help?skill=gardening" % HOOD).text)
        api = rian.api("GET", "/api/v1/neighbourhoods/%s/help?skill=gardening" % HOOD)
        self.assertNotIn("Henk Helper", [h["display_name"] for h in api.json()["helpers"]])

    def test_resident_withdraws_own_consents(self):
        kees = self.client("connector")
        r, pid = intake(kees, "Greet Zelf", skills_offered=("cooking",))
        card = kees.post_form("/n/%s/residents/%d/card" % (HOOD, pid), {},
                              page="/n/%s/residents/%d" % (HOOD, pid))
        greet = Client(self.srv)
        self.assertRedirect(greet.post_form("/login/code", {"code": login_card_code(card.body)}))
        # on the page: 'health' withdrawn deletes the health notes
        r = greet.post_form("/profile/consents", {"purpose": "health", "give": "0"},
                            page="/profile")
        self.assertRedirect(r, "/profile")
        self.assertEqual(self.srv.db_query(
            "SELECT count(*) FROM health_notes WHERE person_id = ?", (pid,)), [(0,)])
        # through the API: 'profile' withdrawn deletes the answers and skills
        r = greet.api("DELETE", "/api/v1/me/consents/profile", {})
        self.assertStatus(r, 200)
        self.assertFalse(r.json()["consents"]["profile"])
        prof = greet.api("GET", "/api/v1/me/profile").json()
        self.assertEqual((prof["about"], prof["skills_offered"]), ("", ""))
        self.assertEqual(prof["house_number"], "12a")  # the address is not a consent matter
        # saving answers again needs the consent again
        r = greet.api("PATCH", "/api/v1/me/profile", {"about": "Ik kook graag."})
        self.assertJsonError(r, 409, "CONSENT_REQUIRED")
        self.assertStatus(greet.api("POST", "/api/v1/me/consents", {"purpose": "profile"}), 200)
        r = greet.api("PATCH", "/api/v1/me/profile", {"about": "Ik kook graag.",
                                                      "skills_offered": "cooking,transport",
                                                      "visible": "about"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json()["skills_offered"], "transport,cooking")
        self.assertEqual(r.json()["visible"], "about")
        hist = greet.api("GET", "/api/v1/me/consents").json()["history"]
        self.assertEqual(sum(1 for h in hist if h["withdrawn_at"]), 2)
        # a form without the consent box: 409, the answers stay in the form
        greet.api("DELETE", "/api/v1/me/consents/profile", {})
        page = greet.get("/profile")
        r = greet.post("/profile", {"about": "Opnieuw", "lang": "nl", "channel": "inapp"},
                       csrf=harness.csrf_of(page.text))
        self.assertStatus(r, 409)
        self.assertIn("Opnieuw", r.text)
        self.assertIn('id="consent_profile-error"', r.text)


class Acting(harness.ServerTest):
    def test_connector_acts_for_resident_and_she_sees_it(self):
        kees = self.client("connector")
        r, pid = intake(kees, "Ans Machtig")
        page = kees.get("/profile?acting_for=%d" % pid)
        self.assertStatus(page, 200)
        self.assertIn("Ans Machtig", page.text)
        self.assertIn('name="acting_for" value="%d"' % pid, page.text)
        fields = harness.find_form(page.text, "/profile").fields
        fields["availability"] = "Dinsdagmiddag"
        items = list(fields.items()) + [("skills_offered", "company")]
        r = kees.post("/profile", items)
        self.assertRedirect(r, "/profile?acting_for=%d" % pid)
        self.assertEqual(self.srv.db_query("SELECT availability FROM profiles WHERE person_id "
                                           "= ?", (pid,)), [("Dinsdagmiddag",)])
        log = self.srv.db_query("SELECT action FROM acted_for WHERE person_id = ? ORDER BY id",
                                (pid,))
        self.assertEqual([a for (a,) in log], ["profile_viewed", "profile_saved"])
        # Ans logs in with her card and sees what Kees did for her
        card = kees.post_form("/n/%s/residents/%d/card" % (HOOD, pid), {},
                              page="/n/%s/residents/%d" % (HOOD, pid))
        ans = Client(self.srv)
        self.assertRedirect(ans.post_form("/login/code", {"code": login_card_code(card.body)}))
        own = harness.main_text(ans.get("/profile").text)
        self.assertIn("Gedaan namens jou", own)
        self.assertIn("Kees Buurtassistent", own)
        # she ends the machtiging: Kees can no longer act
        aid = self.srv.db_query("SELECT id FROM authorisations WHERE person_id = ?", (pid,))[0][0]
        r = ans.post_form("/profile/authorisations/%d/revoke" % aid, {}, page="/profile")
        self.assertRedirect(r, "/profile")
        r = kees.get("/profile?acting_for=%d" % pid)
        self.assertStatus(r, 403)
        self.assertIn("De machtiging is verlopen of ingetrokken", r.text)


    def test_resident_gives_and_ends_a_machtiging_herself(self):
        rian = self.client("resident")
        kees_id = harness.member_id(self.srv, harness.EMAIL["connector"])
        page = rian.get("/profile")
        self.assertIn('<option value="%d">' % kees_id, page.text)
        r = rian.post_form("/profile/authorisations", {"connector": str(kees_id),
                                                       "until": date(7)}, page="/profile")
        self.assertRedirect(r, "/profile")
        rian_id = rian.api("GET", "/api/v1/me").json()["id"]
        kees = self.client("connector")
        self.assertStatus(kees.get("/profile?acting_for=%d" % rian_id), 200)
        api = kees.api("GET", "/api/v1/me/profile?acting_for=%d" % rian_id).json()
        self.assertTrue(api["acting"])
        self.assertEqual(api["id"], rian_id)
        # Kees is told in his own inbox
        self.assertEqual(self.srv.db_query(
            "SELECT count(*) FROM messages WHERE person_id = ? AND kind = 'authorisation_given'",
            (kees_id,)), [(1,)])
        # too far ahead, or a partner: refused, nothing stored
        far = rian.post_form("/profile/authorisations", {"connector": str(kees_id),
                                                         "until": date(800)}, page="/profile")
        self.assertStatus(far, 422)
        partner_id = harness.member_id(self.srv, harness.EMAIL["partner"])
        p = rian.post_form("/profile/authorisations", {"connector": str(partner_id),
                                                       "until": date(7)}, page="/profile")
        self.assertStatus(p, 422)
        self.assertEqual(self.srv.db_query(
            "SELECT count(*) FROM authorisations WHERE person_id = ?", (rian_id,)), [(1,)])
        aid = self.srv.db_query("SELECT id FROM authorisations WHERE person_id = ?",
                                (rian_id,))[0][0]
        self.assertRedirect(rian.post_form("/profile/authorisations/%d/revoke" % aid, {},
                                           page="/profile"), "/profile")
        self.assertStatus(kees.get("/profile?acting_for=%d" % rian_id), 403)


class Caseload(harness.ServerTest):
    def test_to_contact_this_week_and_handover(self):
        kees, carla = self.client("connector"), self.client("coordinator")
        r, pid = intake(kees, "Wim Week")
        page = kees.get("/n/%s/caseload" % HOOD)
        self.assertStatus(page, 200)
        due = page.text.split('id="due-h"')[1].split("</section>")[0]
        # tomorrow may fall next week on a Sunday; the next contact is within 7 days either way
        if datetime.date.today().weekday() != 6:
            self.assertIn("Wim Week", due)
        api = kees.api("GET", "/api/v1/neighbourhoods/%s/caseload" % HOOD).json()
        self.assertIn(pid, [c["id"] for c in api["cases"]])
        # the coordinator hands Wim over to herself; Kees no longer follows him
        coord_id = harness.member_id(self.srv, harness.EMAIL["coordinator"])
        r = carla.post_form("/n/%s/residents/%d/handover" % (HOOD, pid), {"to": str(coord_id)},
                            page="/n/%s/residents/%d" % (HOOD, pid))
        self.assertRedirect(r)
        api = kees.api("GET", "/api/v1/neighbourhoods/%s/caseload" % HOOD).json()
        self.assertNotIn(pid, [c["id"] for c in api["cases"]])
        self.assertNotIn("Wim Week", kees.get("/n/%s/caseload" % HOOD).text.split(
            'id="all-h"')[1].split("</section>")[0])


class Import(harness.ServerTest):
    def upload(self, client, data):
        page = client.get("/n/%s/members/import" % HOOD)
        ctype, body = harness.multipart({"csrf": harness.csrf_of(page.text)}, {"file": ("leden.csv", data)})
        return client.request("POST", "/n/%s/members/import" % HOOD, body=body,
                              content_type=ctype)

    def test_import_only_rows_with_consent(self):
        carla = self.client("coordinator")
        before = self.srv.db_query("SELECT count(*) FROM persons")[0][0]
        broken = "naam;e-mail;toestemming\n\"Jan;jan@example.org;ja\n".encode()
        r = self.upload(carla, broken)
        self.assertStatus(r, 422)
        self.assertIn("Dit bestand kunnen we niet lezen", r.text)
        self.assertEqual(self.srv.db_query("SELECT count(*) FROM persons")[0][0], before)
        csv = ("\ufeffNaam;E-mail;Telefoon;Postcode;Huisnummer;Toestemming;Datum toestemming;Hoe\r\n"
               "Jan Lijst;jan.lijst@example.org;;3511 AB;3;ja;01-02-2024;papier\r\n"
               "Els Lijst;;06 12345678;3512CD;14b;ja;2024-02-03;mondeling\r\n"
               "Piet Zonder;piet.zonder@example.org;;3511AB;5;nee;;\r\n"
               "Ver Weg;ver.weg@example.org;;3581KL;1;ja;2024-02-01;\r\n").encode()
        r = self.upload(carla, csv)
        self.assertStatus(r, 200)
        main = harness.main_text(r.text)
        self.assertIn("2 mensen ingelezen", main)
        self.assertIn("Piet Zonder", main)
        self.assertIn("Er is geen toestemming vastgelegd.", main)
        self.assertIn("Deze postcode hoort niet bij deze buurt", main)
        self.assertEqual(self.srv.db_query("SELECT count(*) FROM persons")[0][0], before + 2)
        self.assertEqual(self.srv.db_query(
            "SELECT count(*) FROM persons WHERE email = 'piet.zonder@example.org'"), [(0,)])
        rows = self.srv.db_query(
            "SELECT p.display_name, c.how FROM consents c JOIN persons p ON p.id = c.person_id "
            "WHERE c.purpose = 'profile' AND p.display_name LIKE '% Lijst' ORDER BY 1")
        self.assertEqual(rows, [("Els Lijst", "spoken"), ("Jan Lijst", "paper")])
        # a connector may import too; a partner not
        self.assertStatus(self.upload(self.client("partner"), csv), 403)


class Figures(harness.ServerTest):
    def test_partner_sees_aggregates_without_postcodes(self):
        kees, partner = self.client("connector"), self.client("partner")
        for i in range(5):
            intake(kees, "Telling %d" % i)
        page = partner.get("/n/%s/reports" % HOOD)
        self.assertStatus(page, 200)
        main = harness.main_text(page.text)
        self.assertIn("&lt; 5", main)
        self.assertNotRegex(main, r"\b\d{4} ?[A-Z]{2}\b")  # no postcode
        self.assertNotRegex(main, r"\b35\d\d\b")  # not even a postcode area
        self.assertNotIn("Telling", main)
        api = partner.api("GET", "/api/v1/neighbourhoods/%s/reports" % HOOD)
        self.assertStatus(api, 200)
        body = api.json()
        self.assertEqual(body["suppressed_below"], 5)
        self.assertGreaterEqual(body["intakes_this_month"], 5)
        for purpose, n in body["consents"].items():
            self.assertTrue(n is None or n >= 5, (purpose, n))
        for s in body["skills"]:
            for k in ("offered", "wanted"):
                self.assertTrue(s[k] is None or s[k] >= 5, s)
        self.assertNotRegex(api.text, r"\d{4} ?[A-Z]{2}")


class ApiDocument(harness.ServerTest):
    """The module's JSON answers, good and bad, match docs/openapi.yaml (read with the reader of
    test_openapi.py)."""

    def test_answers_match_the_document(self):
        from test_openapi import DOC, Spec, parse_yaml
        with open(DOC, encoding="utf-8") as f:
            spec = Spec(parse_yaml(f.read()))
        kees, rian, partner = (self.client("connector"), self.client("resident"),
                               self.client("partner"))
        r, pid = intake(kees, "Doc Bewoner")
        self.assertIsNotNone(pid, r.text)
        kees.post_form("/n/%s/residents/%d/notes" % (HOOD, pid), {"text": "Notitie"},
                       page="/n/%s/residents/%d" % (HOOD, pid))
        res = "/api/v1/neighbourhoods/{hood}/residents/{id}"
        calls = [
            (rian, "GET", "/api/v1/me/profile", None, 200, None),
            (rian, "PATCH", "/api/v1/me/profile", {"phone": "06 11111111", "visible": "phone"},
             200, None),
            (rian, "PATCH", "/api/v1/me/profile", {"about": "Zonder toestemming"}, 409, None),
            (rian, "PATCH", "/api/v1/me/profile", {"skills_offered": "vliegen"}, 422, None),
            (rian, "PATCH", "/api/v1/me/profile", {"postcode": "3581 KL"}, 422, None),
            (rian, "POST", "/api/v1/me/consents", {"purpose": "profile"}, 200, None),
            (rian, "POST", "/api/v1/me/consents", {"purpose": "everything"}, 422, None),
            (rian, "GET", "/api/v1/me/consents", None, 200, None),
            (rian, "DELETE", "/api/v1/me/consents/profile", {}, 200,
             "/api/v1/me/consents/{purpose}"),
            (rian, "DELETE", "/api/v1/me/consents/everything", {}, 404,
             "/api/v1/me/consents/{purpose}"),
            (kees, "GET", "/api/v1/me/profile?acting_for=%d" % pid, None, 200,
             "/api/v1/me/profile"),
            (rian, "GET", "/api/v1/me/profile?acting_for=%d" % pid, None, 403,
             "/api/v1/me/profile"),
            (rian, "GET", "/api/v1/skills", None, 200, None),
            (rian, "GET", "/api/v1/neighbourhoods/%s/help?skill=company" % HOOD, None, 200,
             "/api/v1/neighbourhoods/{hood}/help"),
            (rian, "GET", "/api/v1/neighbourhoods/%s/help" % HOOD, None, 422,
             "/api/v1/neighbourhoods/{hood}/help"),
            (partner, "GET", "/api/v1/neighbourhoods/%s/help?skill=company" % HOOD, None, 403,
             "/api/v1/neighbourhoods/{hood}/help"),
            (kees, "GET", "/api/v1/neighbourhoods/%s/residents/%d" % (HOOD, pid), None, 200, res),
            (partner, "GET", "/api/v1/neighbourhoods/%s/residents/%d" % (HOOD, pid), None, 403,
             res),
            (kees, "GET", "/api/v1/neighbourhoods/nergens/residents/%d" % pid, None, 404, res),
            (kees, "GET", "/api/v1/neighbourhoods/%s/caseload" % HOOD, None, 200,
             "/api/v1/neighbourhoods/{hood}/caseload"),
            (partner, "GET", "/api/v1/neighbourhoods/%s/reports" % HOOD, None, 200,
             "/api/v1/neighbourhoods/{hood}/reports"),
            (rian, "GET", "/api/v1/neighbourhoods/%s/reports" % HOOD, None, 403,
             "/api/v1/neighbourhoods/{hood}/reports"),
        ]
        for client, method, path, body, status, pattern in calls:
            with self.subTest(call="%s %s -> %d" % (method, path, status)):
                r = client.api(method, path, body)
                self.assertStatus(r, status)
                schema = spec.response_schema(method, pattern or path, r.status)
                self.assertIsNotNone(schema)
                self.assertEqual(spec.errors(schema, r.json()), [], r.text)
        # the file as its connector sees it: notes, health and the caseload
        f = kees.api("GET", "/api/v1/neighbourhoods/%s/residents/%d" % (HOOD, pid)).json()
        self.assertEqual(f["relation"], "assigned")
        self.assertEqual([n["text"] for n in f["notes"]], ["Notitie"])
        self.assertEqual(len(f["health_notes"]), 1)
        self.assertEqual(f["caseload"]["connector"], "Kees Buurtassistent")


class Skills(harness.ServerTest):
    def test_administrator_keeps_the_skill_list(self):
        admin, rian = self.client("admin"), self.client("resident")
        page = admin.get("/admin/skills")
        self.assertStatus(page, 200)
        self.assertIn("Gezelschap", page.text)
        r = admin.post_form("/admin/skills", {"slug": "fiets-repareren", "label_nl": "Fietsen maken",
                                              "label_en": "Bike repair", "active": "1"},
                            page="/admin/skills")
        self.assertRedirect(r, "/admin/skills")
        slugs = [s["slug"] for s in rian.api("GET", "/api/v1/skills").json()["skills"]]
        self.assertEqual(slugs[-1], "fiets-repareren")
        dup = admin.post_form("/admin/skills", {"slug": "fiets-repareren", "label_nl": "Twee",
                                                "label_en": "Two"}, page="/admin/skills")
        self.assertStatus(dup, 409)
        sid = self.srv.db_query("SELECT id FROM skills WHERE slug = 'fiets-repareren'")[0][0]
        r = admin.post_form("/admin/skills/%d" % sid, {"label_nl": "Fietsen maken",
                                                      "label_en": "Bike repair"},
                            page="/admin/skills")  # the box unticked: no longer in use
        self.assertRedirect(r, "/admin/skills")
        slugs = [s["slug"] for s in rian.api("GET", "/api/v1/skills").json()["skills"]]
        self.assertNotIn("fiets-repareren", slugs)
        self.assertStatus(self.client("coordinator").get("/admin/skills"), 403)

    def test_hostile_text_is_shown_as_text(self):
        kees = self.client("connector")
        evil = "<script>alert('x')</script>\"&<b>"
        r, pid = intake(kees, "Evil <i>Naam</i>", about=evil, offers=evil)
        self.assertIsNotNone(pid, r.text)
        page = kees.get("/n/%s/residents/%d" % (HOOD, pid))
        self.assertNotIn("<script>alert", page.text)
        self.assertNotIn("<i>Naam</i>", page.text)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&lt;b&gt;",
                      page.text)
        found = self.client("resident").get("/n/%s/help?skill=company" % HOOD)
        self.assertNotIn("<script>alert", found.text)
        pdf = kees.get("/n/%s/residents/%d/intake.pdf" % (HOOD, pid))
        self.assertTrue(pdf.body.startswith(b"%PDF-"))


class Languages(harness.ServerTest):
    def test_pages_in_dutch_and_english(self):
        rian = self.client("resident")
        nl = rian.get("/profile")
        self.assertIn("Wie ben jij?", nl.text)
        self.assertIn("Mijn toestemmingen", nl.text)
        en = rian.get("/profile?lang=en")
        self.assertIn("Who are you?", en.text)
        self.assertIn("My consents", en.text)
        kees = self.client("connector")
        self.assertIn("Who can help with", kees.get("/n/%s/help?lang=en" % HOOD).text)
        self.assertIn("Wie kan helpen met", kees.get("/n/%s/help" % HOOD).text)

    def test_forms_work_without_javascript(self):
        for who, path in (("resident", "/profile"), ("connector", "/n/%s/residents/new" % HOOD),
                          ("connector", "/n/%s/caseload" % HOOD)):
            page = self.client(who).get(path)
            self.assertStatus(page, 200)
            self.assertNotIn("<script", page.text)
            for tag, attrs in harness.markup(page.text):
                self.assertFalse([a for a in attrs if a.startswith("on")], (path, tag, attrs))


if __name__ == "__main__":
    harness.main()
