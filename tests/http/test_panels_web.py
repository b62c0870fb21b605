"""HTTP tests of citizens' panels by lot on the web, end to end against the real binary.

A coordinator creates a panel with quotas (pasted CSV), uploads an address list (a Dutch
spreadsheet export: BOM, semicolons; a broken one stores nothing), draws the addresses that get a
letter and downloads the letters as one PDF, whose QR links carry the response codes. 34
recipients sign up with their codes (on the page, through the API, and on paper through a
connector); a wrong or used code is refused. Closing stage 1 deletes the address rows and stops
the letters. The seed is announced, the draw runs as a child process, exactly k people are
selected, the reserves are ordered as docs/panels.md says, the published page shows the seed and
every probability without a single name, and every volunteer has one message about the outcome.
A drop-out lets the next reserve move up. Residents, partners and the coordinator of another
neighbourhood are kept out. Infeasible quotas come back in words, with the change that fixes them.
"""

import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import HOOD, Client  # noqa: E402

VERIFY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "verify-draw")


def verify_draw(result_json, seed=None):
    """Exit status of scripts/verify-draw on the published outcome (0: the draw matches)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        f.write(result_json)
        f.flush()
        cmd = [sys.executable, VERIFY, "--result", f.name] + (["--seed", seed] if seed else [])
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).returncode

QUOTAS = ("feature;value;min;max\r\nleeftijd;16-34;2;4\r\nleeftijd;35-64;2;4\r\n"
          "leeftijd;65+;2;4\r\ngeslacht;vrouw;3;5\r\ngeslacht;man;3;5\r\n")
QUESTIONS = "leeftijd: Hoe oud ben je?\ngeslacht: Wat is je geslacht?"
AGES = ["16-34", "35-64", "65+"]
SEXES = ["vrouw", "man"]
K, RESERVES = 8, 3


def setUpModule():
    harness.start_server()


def tearDownModule():
    harness.stop_server()


def addresses(n, broken_line=None):
    rows = ["Straat;Huisnummer;Postcode;Plaats"]
    for i in range(n):
        pc = "3511 AB" if i % 2 else "3512CD"
        if broken_line is not None and i + 2 == broken_line:
            pc = "35xx"
        rows.append("Oudegracht;%d%s;%s;Utrecht" % (i + 1, "a" if i % 7 == 0 else "", pc))
    return ("\ufeff" + "\r\n".join(rows)).encode("utf-8")


def codes_of(pdf):
    return re.findall(rb"/URI ?\(http[^)]*/panel/signup\?code=([A-Z0-9-]+)\)", pdf)


class PanelFlow(harness.ServerTest):
    def upload(self, client, base, data, page):
        ctype, body = harness.multipart({"csrf": harness.csrf_of(page.text)},
                                {"file": ("adressen.csv", data)})
        return client.request("POST", base + "/addresses", body=body, content_type=ctype)

    def count(self, sql, args=()):
        return self.srv.db_query(sql, args)[0][0]

    def wait_for_draw(self, client, base):
        deadline = time.time() + 90
        while time.time() < deadline:
            page = client.get(base + "/draw")
            self.assertStatus(page, 200)
            if "De loting loopt" not in page.text:
                return page
            time.sleep(0.2)
        self.fail("the draw did not end within 90 seconds")

    def test_letters_in_parts(self):
        """A mailing of 501 letters comes as two files: letters 1-500 and letter 501."""
        carla = self.client("coordinator")
        form = carla.get("/n/%s/panels/new" % HOOD)
        r = carla.post("/n/%s/panels" % HOOD, {
            "title": "Grote oproep", "purpose": "Een burgertop.", "k": str(K),
            "reserves": "0", "quotas": QUOTAS, "questions": QUESTIONS},
            csrf=harness.csrf_of(form.text))
        self.assertRedirect(r, "/n/%s/panels/" % HOOD)
        base = r.header("Location")
        page = carla.get(base)
        self.assertRedirect(self.upload(carla, base, addresses(501), page), base)
        self.assertRedirect(carla.post(base + "/invitations", {"count": "501"},
                                       csrf=harness.csrf_of(page.text)), base)
        page = carla.get(base)
        self.assertIn("1–500", page.text)
        self.assertIn("501–501", page.text)
        last = carla.get(base + "/letters.pdf?part=2")
        self.assertStatus(last, 200)
        self.assertIn("uitnodigingen-2.pdf", last.header("Content-Disposition"))
        self.assertEqual(len(codes_of(last.body)), 1)
        self.assertStatus(carla.get(base + "/letters.pdf?part=3"), 404)
        # a full part fits in a request's memory (about 4.8 MB)
        first = carla.get(base + "/letters.pdf?part=1")
        self.assertStatus(first, 200)
        self.assertEqual(len(set(codes_of(first.body))), 500)

    def test_the_whole_flow(self):
        carla = self.client("coordinator")
        # --- create, with a quota error first -------------------------------------------------
        form = carla.get("/n/%s/panels/new" % HOOD)
        self.assertStatus(form, 200)
        bad = carla.post("/n/%s/panels" % HOOD, {
            "title": "Kapot", "purpose": "x", "k": str(K), "quotas":
            "feature,value,min,max\nleeftijd,jong,5,2\n"}, csrf=harness.csrf_of(form.text))
        self.assertStatus(bad, 422)
        self.assertIn("regel 2", bad.text)
        self.assertEqual(self.count("SELECT count(*) FROM panels WHERE title = 'Kapot'"), 0)
        r = carla.post("/n/%s/panels" % HOOD, {
            "title": "Burgerpanel Parkeren", "purpose": "Advies over parkeren in de wijk.",
            "k": str(K), "reserves": str(RESERVES), "quotas": QUOTAS, "questions": QUESTIONS},
            csrf=harness.csrf_of(form.text))
        self.assertRedirect(r, "/n/%s/panels/" % HOOD)
        base = r.header("Location")
        pid = int(base.rsplit("/", 1)[1])
        page = carla.get(base)
        self.assertStatus(page, 200)
        self.assertIn("Aanmeldcode", carla.get(base + "/reply").text)
        # the details form: an empty name is refused, changes are kept
        r = carla.post(base + "/details", {"title": " ", "purpose": "x", "reserves": "1"},
                       csrf=harness.csrf_of(page.text))
        self.assertStatus(r, 422)
        r = carla.post(base + "/details", {"title": "Burgerpanel Parkeren (wijk)",
                                           "purpose": "Advies over parkeren in de wijk.",
                                           "reserves": str(RESERVES)},
                       csrf=harness.csrf_of(page.text))
        self.assertRedirect(r, base)
        self.assertIn("<h1>Burgerpanel Parkeren (wijk)</h1>", carla.get(base).text)
        # --- the address list: broken files store nothing -------------------------------------
        for data, words in ((b"naam;plaats\r\nPiet;Utrecht\r\n", "straat, huisnummer"),
                            (addresses(10, broken_line=5), "regel 5")):
            r = self.upload(carla, base, data, page)
            self.assertStatus(r, 422)
            self.assertIn(words, r.text)
            self.assertEqual(self.count(
                "SELECT count(*) FROM panel_addresses WHERE panel_id = ?", (pid,)), 0)
        self.assertRedirect(self.upload(carla, base, addresses(60), page), base)
        self.assertEqual(self.count(
            "SELECT count(*) FROM panel_addresses WHERE panel_id = ?", (pid,)), 60)
        # --- draw 45 addresses, the letters as one PDF ----------------------------------------
        page = carla.get(base)
        self.assertStatus(carla.post(base + "/invitations", {"count": "61"},
                                     csrf=harness.csrf_of(page.text)), 422)
        self.assertRedirect(carla.post(base + "/invitations", {"count": "45"},
                                       csrf=harness.csrf_of(page.text)), base)
        self.assertEqual(self.count("SELECT invited FROM panels WHERE id = ?", (pid,)), 45)
        self.assertEqual(self.count(
            "SELECT count(*) FROM panel_codes WHERE panel_id = ?", (pid,)), 45)
        self.assertEqual(self.count(
            "SELECT count(*) FROM panel_addresses WHERE panel_id = ? AND drawn = 1", (pid,)), 45)
        pdf = carla.get(base + "/letters.pdf")
        self.assertStatus(pdf, 200)
        self.assertTrue(pdf.body.startswith(b"%PDF"))
        codes = [c.decode() for c in codes_of(pdf.body)]
        self.assertEqual(len(set(codes)), 45)
        for c in codes:
            self.assertRegex(c, r"^[A-HJKMNP-TV-Z2-9]{4}-[A-HJKMNP-TV-Z2-9]{4}$")
        # no code is stored as it is
        self.assertEqual(self.count("SELECT count(*) FROM panel_codes WHERE code_hash LIKE ?",
                                    (codes[0].replace("-", "") + "%",)), 0)
        # 45 letters are one part; there is no second, and a part is a number
        page = carla.get(base)
        self.assertIn("letters.pdf?part=1", page.text)
        self.assertIn("1–45", page.text)
        self.assertNotIn("letters.pdf?part=2", page.text)
        self.assertEqual(codes_of(carla.get(base + "/letters.pdf?part=1").body),
                         codes_of(pdf.body))
        for part in ("2", "0", "x", "99999999"):
            self.assertStatus(carla.get(base + "/letters.pdf?part=" + part), 404)
        # --- sign-up: on the page, through the API, on paper ---------------------------------
        anon = Client(self.srv)
        r = anon.get("/panel/signup?code=ABCD-EFGH")
        self.assertStatus(r, 400)
        self.assertIn("klopt niet", r.text)
        names = []
        for i, code in enumerate(codes[:30]):
            name = "Vrijwilliger %02d Zonnebloem" % i
            names.append(name)
            r = anon.get("/panel/signup?code=" + code.lower())
            self.assertStatus(r, 200)
            self.assertIn("Wat is je geslacht?", r.text)
            fields = {"code": code, "step": "answers", "answer_0": AGES[i % 3],
                      "answer_1": SEXES[i % 2], "name": name, "consent": "1",
                      "lang": "en" if i % 5 == 0 else "nl"}
            if i % 3 == 0:
                fields["phone"] = "06 1234 56%02d" % i
            else:
                fields["email"] = "vrijwilliger%02d@example.org" % i
            if i == 0:  # no consent: nothing happens, the code stays usable
                r = anon.post("/panel/signup", dict(fields, consent="0"))
                self.assertStatus(r, 422)
                self.assertIn("toestemming", r.text)
            r = anon.post("/panel/signup", fields)
            self.assertStatus(r, 200)
            self.assertIn("aangemeld", r.text)
        r = anon.post("/panel/signup", {"code": codes[0], "step": "answers", "name": "Nog eens",
                                        "answer_0": "65+", "answer_1": "man", "consent": "1",
                                        "email": "x@example.org"})
        self.assertStatus(r, 400)  # used once
        for i, code in enumerate(codes[30:33]):
            name = "Api Vrijwilliger %d Klaproos" % i
            names.append(name)
            r = Client(self.srv).api("POST", "/api/v1/panels/signup", {
                "code": code, "name": name, "email": "api%d@example.org" % i, "consent": True,
                "answers": "leeftijd=%s; geslacht=%s" % (AGES[i % 3], SEXES[(i + 1) % 2])})
            self.assertStatus(r, 201)
        kees = self.client("connector")
        form = kees.get(base + "/reply")
        self.assertStatus(form, 200)
        r = kees.post(base + "/reply", {"code": codes[33]}, csrf=harness.csrf_of(form.text))
        self.assertStatus(r, 200)
        names.append("Papieren Piet Paardenbloem")
        r = kees.post(base + "/reply", {"code": codes[33], "step": "answers",
                                        "answer_0": "65+", "answer_1": "man",
                                        "name": names[-1], "postal": "Oudegracht 3\n3511AB Utrecht",
                                        "consent": "1"}, csrf=harness.csrf_of(form.text))
        self.assertStatus(r, 200)
        self.assertEqual(self.srv.db_query(
            "SELECT v.consent_how, p.display_name FROM panel_volunteers v JOIN persons p ON "
            "p.id = v.consent_by WHERE v.panel_id = ? AND v.consent_how = 'paper'", (pid,)),
            [("paper", "Kees Buurtassistent")])
        n = len(names)
        self.assertEqual(self.count(
            "SELECT count(*) FROM panel_volunteers WHERE panel_id = ?", (pid,)), n)
        # --- close stage 1: the address rows go, the letters too ------------------------------
        page = carla.get(base)
        self.assertRedirect(carla.post(base + "/close", {}, csrf=harness.csrf_of(page.text)),
                            base)
        self.assertEqual(self.count(
            "SELECT count(*) FROM panel_addresses WHERE panel_id = ?", (pid,)), 0)
        self.assertEqual(self.count("SELECT code_key FROM panels WHERE id = ?", (pid,)), "")
        self.assertStatus(carla.get(base + "/letters.pdf"), 409)
        self.assertStatus(anon.get("/panel/signup?code=" + codes[40]), 409)
        # --- the seed, the draw ----------------------------------------------------------------
        page = carla.get(base)
        self.assertStatus(carla.post(base + "/draw", {}, csrf=harness.csrf_of(page.text)), 409)
        seed = "Staatsloterij 1 maart: 3-14-15-92-65"
        self.assertRedirect(carla.post(base + "/seed", {"seed": seed},
                                       csrf=harness.csrf_of(page.text)), base)
        self.assertEqual(self.srv.db_query("SELECT seed FROM panels WHERE id = ?", (pid,)),
                         [(seed,)])
        page = carla.get(base)
        self.assertIn('name="algorithm" value="leximin" checked', page.text)
        self.assertRedirect(carla.post(base + "/draw", {"algorithm": "leximin"},
                                       csrf=harness.csrf_of(page.text)), base + "/draw")
        done = self.wait_for_draw(carla, base)
        self.assertIn("De loting is klaar", done.text)
        r = carla.post(base + "/seed", {"seed": "iets anders"}, csrf=harness.csrf_of(page.text))
        self.assertStatus(r, 409)
        self.assertEqual(self.srv.db_query("SELECT seed FROM panels WHERE id = ?", (pid,)),
                         [(seed,)])
        rows = self.srv.db_query("SELECT number, status, reserve_rank, probability FROM "
                                 "panel_volunteers WHERE panel_id = ? ORDER BY number", (pid,))
        selected = [r_[0] for r_ in rows if r_[1] == "selected"]
        self.assertEqual(len(selected), K)
        self.assertAlmostEqual(sum(float(r_[3]) for r_ in rows), K, places=4)
        # reserves: the others in the order of SHA-256("<seed>:reserve:<number>")
        rest = sorted((r_[0] for r_ in rows if r_[1] != "selected"),
                      key=lambda x: (hashlib.sha256(("%s:reserve:%d" % (seed, x)).encode())
                                     .hexdigest(), x))
        reserves = sorted((r_[2], r_[0]) for r_ in rows if r_[1] == "reserve")
        self.assertEqual([x for _, x in reserves], rest[:RESERVES])
        self.assertEqual([rank for rank, _ in reserves], list(range(1, RESERVES + 1)))
        # every volunteer got one message about the outcome, in the outbox
        kinds = self.srv.db_query(
            "SELECT m.person_id, m.kind FROM messages m JOIN panel_volunteers v ON "
            "v.person_id = m.person_id WHERE v.panel_id = ? AND m.kind LIKE 'panel_%%'", (pid,))
        self.assertEqual(len(kinds), n)
        self.assertEqual(len({p for p, _ in kinds}), n)
        self.assertEqual(sum(1 for _, k in kinds if k == "panel_selected"), K)
        self.assertEqual(sum(1 for _, k in kinds if k == "panel_reserve"), RESERVES)
        english = self.srv.db_query(
            "SELECT m.subject FROM messages m JOIN persons p ON p.id = m.person_id JOIN "
            "panel_volunteers v ON v.person_id = p.id WHERE v.panel_id = ? AND p.lang = 'en'",
            (pid,))
        self.assertTrue(english and all(re.search(r"[Ss]elected|reserve|draw", s)
                                        for (s,) in english), english)
        # the selected list is the coordinator's; not yet public
        vols = carla.get(base + "/volunteers")
        self.assertStatus(vols, 200)
        self.assertIn(names[0], vols.text)
        self.assertStatus(anon.get(base + "/result"), 404)
        # --- publish -----------------------------------------------------------------------
        self.assertRedirect(carla.post(base + "/publish", {}, csrf=harness.csrf_of(page.text)),
                            base)
        pub = anon.get(base + "/result")
        self.assertStatus(pub, 200)
        body = harness.main_text(pub.text)
        self.assertIn(seed, body)
        self.assertIn("<svg", body)
        self.assertIn("<title", body)
        self.assertEqual(len(re.findall(r"<tr><th scope=\"row\">\d+</th>", body)), n)
        for name in names:
            self.assertNotIn(name, pub.text)
        self.assertNotIn("example.org", pub.text)
        # this pool is solved exactly: no word about a bound; a draw that stopped within the
        # engine's tolerance says how far its smallest chance may be below the best
        self.assertNotIn("hoogstens", body)
        record = Client(self.srv).api(
            "GET", "/api/v1/neighbourhoods/%s/panels/%d/result" % (HOOD, pid)).json()["draw"]
        self.assertIn("upper bound on the minimum probability: ", record)
        within = re.sub(r"(upper bound on the minimum probability: )[0-9.]+", r"\g<1>0.999",
                        record)
        sql = "UPDATE panel_runs SET draw = ? WHERE panel_id = ? AND status = 'done'"
        db_write(self.srv, sql, (within, pid))
        note = harness.main_text(anon.get(base + "/result").text)
        self.assertRegex(note, r"De kleinste kans is hoogstens \d+\.\d\d% lager")
        self.assertNotIn("niet bewezen", note)
        # leximin whose higher levels stopped rising says that they are the best found
        db_write(self.srv, sql, (within + "higher levels: best found, not proven leximin\n",
                                 pid))
        note = harness.main_text(anon.get(base + "/result").text)
        self.assertIn("De hogere kansen zijn de beste die we vonden.", note)
        # the coordinator's page of the panel says the same, as it does before publishing
        own = harness.main_text(carla.get(base).text)
        self.assertRegex(own, r"De kleinste kans is hoogstens \d+\.\d\d% lager")
        self.assertIn("De hogere kansen zijn de beste die we vonden.", own)
        db_write(self.srv, sql, (record, pid))
        dist = anon.get(base + "/distribution.csv")
        self.assertStatus(dist, 200)
        self.assertTrue(dist.text.startswith("panel,probability"))
        api = Client(self.srv).api("GET", "/api/v1/neighbourhoods/%s/panels/%d/result" % (HOOD, pid))
        self.assertStatus(api, 200)
        self.assertEqual(len(api.json()["probabilities"]), n)
        self.assertNotIn("Zonnebloem", api.text)
        # anyone can redo the draw from the published outcome; another seed gives another panel
        self.assertEqual(verify_draw(api.text), 0)
        self.assertEqual(verify_draw(api.text, "een andere seed"), 1)
        # a selected volunteer erased later leaves the public list; the draw's own profiles
        # (published with it) still let anyone redo it
        res = api.json()
        self.assertTrue(res["profiles"].startswith("id,profile\n"))
        gone = next(p for p in res["probabilities"] if p["selected"])
        res["probabilities"] = [p for p in res["probabilities"] if p is not gone]
        self.assertEqual(verify_draw(json.dumps(res)), 0)
        res["profiles"] = ""  # without them the erased number is missing from its group
        self.assertEqual(verify_draw(json.dumps(res)), 1)
        # --- a drop-out: the first suitable reserve moves up --------------------------------
        vid = self.count("SELECT id FROM panel_volunteers WHERE panel_id = ? AND number = ?",
                         (pid, selected[0]))
        r = carla.post(base + "/volunteers/%d/dropout" % vid, {}, csrf=harness.csrf_of(page.text))
        self.assertRedirect(r, base + "/volunteers?moved=")
        moved = int(r.header("Location").rsplit("=", 1)[1])
        self.assertIn(moved, [x for _, x in reserves])
        self.assertEqual(self.count("SELECT count(*) FROM panel_volunteers WHERE panel_id = ? "
                                    "AND status = 'selected'", (pid,)), K)
        self.assertEqual(self.srv.db_query("SELECT status FROM panel_volunteers WHERE id = ?",
                                           (vid,)), [("dropped",)])
        # --- who is kept out ---------------------------------------------------------------
        for who in ("resident", "partner"):
            c = self.client(who)
            for path in (base, base + "/volunteers", base + "/reply"):
                r = c.get(path)
                self.assertStatus(r, 403)
                self.assertNotIn("Zonnebloem", r.text)
            self.assertStatus(c.api("GET", "/api/v1/neighbourhoods/%s/panels/%d/volunteers"
                                    % (HOOD, pid)), 403)
        # the coordinator of Binnenstad has no say in Oost, and the panel is not Oost's
        self.assertStatus(carla.get("/n/oost/panels/%d" % pid), 403)
        self.assertStatus(self.client("admin").get("/n/oost/panels/%d" % pid), 404)
        self.assertStatus(self.client("admin").get(base + "/volunteers"), 200)

    def test_infeasible_quotas_are_explained_through_the_api(self):
        coord = Client(self.srv)
        coord.token = self.client("coordinator").api(
            "POST", "/api/v1/tokens", {"name": "panels"}).json()["token"]
        h = "/api/v1/neighbourhoods/%s/panels" % HOOD
        r = coord.api("POST", h, {"title": "Te streng", "purpose": "Een test.", "k": 4,
                                  "quotas": "feature,value,min,max\ngeslacht,vrouw,3,4\n"
                                            "geslacht,man,0,1\n"})
        self.assertStatus(r, 201)
        pid = r.json()["id"]
        base = "%s/%d" % (h, pid)
        # title, purpose and reserves can change here; k changes with the quotas (below)
        r = coord.api("POST", base + "/details", {"title": "Te streng!", "purpose": "Een proef.",
                                                  "reserves": 1})
        self.assertStatus(r, 200)
        self.assertEqual((r.json()["title"], r.json()["purpose"], r.json()["reserves"]),
                         ("Te streng!", "Een proef.", 1))
        self.assertJsonError(coord.api("POST", base + "/details", {
            "title": "", "purpose": "Een proef.", "reserves": 1}), 422, "INVALID")
        csv = "\n".join(["straat,huisnummer,postcode,plaats"] +
                        ["Biltstraat,%d,3511AB,Utrecht" % i for i in range(1, 9)])
        self.assertStatus(coord.api("POST", base + "/addresses", {"csv": csv}), 200)
        self.assertStatus(coord.api("POST", base + "/invitations", {"count": 6}), 200)
        pdf = self.client("coordinator").get("/n/%s/panels/%d/letters.pdf" % (HOOD, pid))
        codes = [c.decode() for c in codes_of(pdf.body)]
        self.assertEqual(len(codes), 6)
        bad = Client(self.srv).api("POST", "/api/v1/panels/signup", {
            "code": codes[0], "name": "Zonder Adres", "consent": True,
            "answers": "geslacht=vrouw"})
        self.assertJsonError(bad, 422, "CONTACT_REQUIRED")
        for i, code in enumerate(codes[:5]):
            r = Client(self.srv).api("POST", "/api/v1/panels/signup", {
                "code": code, "name": "Test %d" % i, "phone": "06 5555 000%d" % i,
                "consent": True, "answers": "geslacht=%s" % ("vrouw" if i < 2 else "man")})
            self.assertStatus(r, 201)
        self.assertStatus(coord.api("POST", base + "/draw", {}), 409)  # stage 1 still open
        # volunteers consented to the purpose: it stays; the title may still change
        self.assertJsonError(coord.api("POST", base + "/details", {
            "title": "Te streng", "purpose": "Iets anders.", "reserves": 1}), 409, "STAGE")
        self.assertStatus(coord.api("POST", base + "/details", {
            "title": "Te streng", "purpose": "Een proef.", "reserves": 1}), 200)
        # no seed while volunteers may still join: it could steer who is entered
        self.assertJsonError(coord.api("POST", base + "/seed", {"seed": "42"}), 409, "STAGE")
        self.assertStatus(coord.api("POST", base + "/close", {}), 200)
        self.assertJsonError(coord.api("POST", base + "/draw", {}), 409, "NO_SEED")
        self.assertStatus(coord.api("POST", base + "/seed", {"seed": "42"}), 200)
        self.assertStatus(coord.api("POST", base + "/draw", {}), 202)
        deadline = time.time() + 90
        while time.time() < deadline:
            run = coord.api("GET", base).json()["run"]
            if run["status"] != "running":
                break
            time.sleep(0.2)
        self.assertEqual(run["status"], "failed")
        self.assertIn("minimum van geslacht = vrouw van 3 naar 2", run["message"])
        en = Client(self.srv, lang="en")
        en.token = coord.token
        self.assertStatus(en.api("PATCH", "/api/v1/me", {"lang": "en"}), 200)
        try:
            self.assertIn("lower the min of geslacht = vrouw from 3 to 2",
                          en.api("GET", base).json()["run"]["message"])
        finally:
            self.assertStatus(en.api("PATCH", "/api/v1/me", {"lang": "nl"}), 200)
        # the page shows it too, and the draw may be started again
        page = self.client("coordinator").get("/n/%s/panels/%d" % (HOOD, pid))
        self.assertIn("verlaag het minimum", page.text)
        self.assertIn("/draw\"", page.text)
        # the coordinator follows the advice: only mins and maxes may change
        r = coord.api("POST", base + "/quotas", {"quotas": "feature,value,min,max\n"
                                                           "geslacht,vrouw,2,4\ngeslacht,x,0,2\n"})
        self.assertJsonError(r, 422, "BAD_QUOTAS")
        # the number of places changes with them: the quotas are checked against the new one
        good = "feature,value,min,max\ngeslacht,vrouw,2,4\ngeslacht,man,0,2\n"
        for k in (0, 1001, "drie"):
            self.assertJsonError(coord.api("POST", base + "/quotas", {"quotas": good, "k": k}),
                                 422, "INVALID")
        self.assertJsonError(coord.api("POST", base + "/quotas", {"quotas": good, "k": 1}), 422,
                             "BAD_QUOTAS")  # two women at least do not fit on one place
        self.assertEqual(coord.api("GET", base).json()["k"], 4)
        # the page's form has the number of places beside the quotas; a wrong one changes nothing
        web = self.client("coordinator")
        page = "/n/%s/panels/%d" % (HOOD, pid)
        self.assertIn('name="k"', web.get(page).text)
        r = web.post_form(page + "/quotas", {"k": "drie", "quotas": good}, page=page)
        self.assertStatus(r, 422)
        self.assertEqual(coord.api("GET", base).json()["k"], 4)
        r = coord.api("POST", base + "/quotas", {"quotas": good, "k": 3})
        self.assertStatus(r, 200)
        self.assertEqual(r.json()["k"], 3)
        # the seed was known while the quotas changed: it is withdrawn and announced anew
        self.assertEqual(coord.api("GET", base).json()["seed"], "")
        self.assertJsonError(coord.api("POST", base + "/draw", {}), 409, "NO_SEED")
        self.assertStatus(coord.api("POST", base + "/seed", {"seed": "43"}), 200)
        self.assertStatus(coord.api("POST", base + "/seed", {"seed": "44"}), 409)  # once
        # leximin or maximin (the way out when leximin takes too long); nothing else
        self.assertJsonError(coord.api("POST", base + "/draw", {"algorithm": "legacy"}), 422,
                             "INVALID")
        self.assertStatus(coord.api("POST", base + "/draw", {"algorithm": "maximin"}), 202)
        deadline = time.time() + 90
        while time.time() < deadline:
            run = coord.api("GET", base).json()["run"]
            if run["status"] != "running":
                break
            time.sleep(0.2)
        self.assertEqual(run["status"], "done")
        draw = self.srv.db_query("SELECT draw FROM panel_runs WHERE panel_id = ? AND "
                                 "status = 'done'", (pid,))[0][0]
        self.assertIn("algorithm: maximin", draw)
        self.assertEqual(self.count("SELECT count(*) FROM panel_volunteers WHERE panel_id = ? "
                                    "AND status = 'selected'", (pid,)), 3)
        self.assertEqual(coord.api("GET", base).json()["stage"], "drawn")
        self.assertJsonError(coord.api("POST", base + "/quotas", {"quotas": "x"}), 409, "STAGE")
        self.assertJsonError(coord.api("POST", base + "/details", {
            "title": "Later", "purpose": "Een proef.", "reserves": 1}), 409, "STAGE")

    def test_a_draw_cut_off_by_a_restart_is_marked_failed(self):
        """A run whose server process is gone (as after a restart) is marked failed at the next
        look, with a message saying so, and the coordinator may start again."""
        coord = Client(self.srv)
        coord.token = self.client("coordinator").api(
            "POST", "/api/v1/tokens", {"name": "restart"}).json()["token"]
        h = "/api/v1/neighbourhoods/%s/panels" % HOOD
        r = coord.api("POST", h, {"title": "Herstart", "purpose": "Een test.", "k": 1,
                                  "quotas": "feature,value,min,max\nleeftijd,jong,0,1\n"})
        self.assertStatus(r, 201)
        pid = r.json()["id"]
        self.assertStatus(coord.api("POST", "%s/%d/close" % (h, pid), {}), 200)
        self.assertStatus(coord.api("POST", "%s/%d/seed" % (h, pid), {"seed": "7"}), 200)
        # a run of a server process on this machine that no longer exists (above pid_max)
        db_write(self.srv, "INSERT INTO panel_runs (panel_id, status, runner, child_pid, dir, "
                 "started_at) VALUES (?, 'running', ?, 12345, '', ?)",
                 (pid, "%s:99999999" % socket.gethostname(), int(time.time())))
        run = coord.api("GET", "%s/%d" % (h, pid)).json()["run"]
        self.assertEqual(run["status"], "failed")
        page = self.client("coordinator").get("/n/%s/panels/%d" % (HOOD, pid))
        self.assertIn("opnieuw gestart", page.text)
        # the seed stays fixed; a new draw may start (here: too few volunteers, said clearly)
        self.assertStatus(coord.api("POST", "%s/%d/seed" % (h, pid), {"seed": "8"}), 409)
        self.assertJsonError(coord.api("POST", "%s/%d/draw" % (h, pid), {}), 409,
                             "TOO_FEW_VOLUNTEERS")

    def test_a_draw_past_its_time_limit_is_given_up(self):
        """A run that still counts as running long after the draw's time limit (a hung child,
        or another server that never reports) is marked failed, so the coordinator can go on;
        a fresh run of another machine is left alone."""
        coord = Client(self.srv)
        coord.token = self.client("coordinator").api(
            "POST", "/api/v1/tokens", {"name": "overdue"}).json()["token"]
        h = "/api/v1/neighbourhoods/%s/panels" % HOOD
        ids = []
        for title in ("Vers", "Over tijd"):
            r = coord.api("POST", h, {"title": title, "purpose": "Een test.", "k": 1,
                                      "quotas": "feature,value,min,max\nleeftijd,jong,0,1\n"})
            self.assertStatus(r, 201)
            ids.append(r.json()["id"])
        now = int(time.time())
        for pid, started in ((ids[0], now - 60), (ids[1], now - 1800 - 601)):
            db_write(self.srv, "INSERT INTO panel_runs (panel_id, status, runner, child_pid, "
                     "dir, started_at) VALUES (?, 'running', 'elders.example:4242', 4242, '', ?)",
                     (pid, started))
        self.assertEqual(coord.api("GET", "%s/%d" % (h, ids[0])).json()["run"]["status"],
                         "running")
        run = coord.api("GET", "%s/%d" % (h, ids[1])).json()["run"]
        self.assertEqual(run["status"], "failed")
        page = self.client("coordinator").get("/n/%s/panels/%d" % (HOOD, ids[1]))
        self.assertIn("zonder uitslag", page.text)


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


if __name__ == "__main__":
    harness.main()
