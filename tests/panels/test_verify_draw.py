"""scripts/verify-draw redoes the engine's draws from the published files (docs/panels.md, "How
to verify a draw"): for several seeds on example_large_200 (2,000 volunteers, k = 200) with an
id column, with households, and with a lottery of 1000 tickets, it finds exactly the people of
selected.csv; with another seed, or after one row of selected.csv was swapped, it says DIFFERENT
and exits 1.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "sortition", "example_large_200")
VERIFY = os.path.join(ROOT, "scripts", "verify-draw")
NOABER = None


def run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=120)


class VerifyDraw(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.people = os.path.join(cls.tmp.name, "people.csv")
        with open(os.path.join(DATA, "respondents.csv"), newline="") as f:
            rows = list(csv.reader(f))
        with open(cls.people, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "household"] + rows[0])
            for i, r in enumerate(rows[1:], 1):
                w.writerow(["p%d" % i, "h%d" % ((i - 1) // 2)] + r)  # two people a household

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def select(self, seed, *extra):
        out = tempfile.mkdtemp(dir=self.tmp.name)
        r = run(NOABER, "panel", "select", "--features", os.path.join(DATA, "categories.csv"),
                "--people", self.people, "--k", "200", "--seed", seed, "--out", out, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def verify(self, out, *extra):
        return run(sys.executable, VERIFY, out, *extra)

    def test_seeds(self):
        for seed in ("lot 417", "Staatsloterij 10 januari: 4-17-23-31-38-42", "x", "ü€"):
            with self.subTest(seed=seed):
                out = self.select(seed)
                r = self.verify(out)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("OK: selected.csv holds exactly these 200 people.", r.stdout)
                self.assertEqual(self.verify(out, "--seed", seed + "!").returncode, 1)

    def test_households(self):
        out = self.select("huishoudens", "--household-columns", "household")
        r = self.verify(out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_lottery(self):
        for seed in ("417", "niet een getal"):
            with self.subTest(seed=seed):
                out = self.select(seed, "--lottery", "1000")
                r = self.verify(out)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_changed_selection_is_caught(self):
        out = self.select("lot 418")
        path = os.path.join(out, "selected.csv")
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        chosen = {r[0] for r in rows[1:]}
        outsider = next("p%d" % i for i in range(1, 2001) if "p%d" % i not in chosen)
        rows[1][0] = outsider
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows(rows)
        r = self.verify(out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("DIFFERENT", r.stdout)

    def test_unusable_files(self):
        r = self.verify(self.tmp.name)
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot use these files", r.stderr)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--noaber", required=True)
    args, rest = p.parse_known_args()
    NOABER = args.noaber
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
