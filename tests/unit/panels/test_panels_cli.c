/*
 * test_panels_cli.c — `noaber panel select` end to end: files written, their shape, byte for
 * byte determinism by seed, exit codes, and that nothing is written when the input is wrong.
 * Works in a fresh directory under /tmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "panels/panels_cli.h"

static char dir[64];

static void
write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *
read_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = malloc(n + 1);
    assert_int_equal(fread(buf, 1, n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int
count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int
run(const char *out, const char *seed, const char *extra, const char *people)
{
    char fpath[512], ppath[512], opath[512];
    snprintf(fpath, sizeof(fpath), "%s/features.csv", dir);
    snprintf(ppath, sizeof(ppath), "%s/%s", dir, people);
    snprintf(opath, sizeof(opath), "%s/%s", dir, out);
    char *argv[32] = {"panel", "select", "--features", fpath, "--people", ppath,
                      "--k",   "3",      "--out",      opath, "--seed",   (char *)seed};
    int argc = 12;
    char extra_copy[256];
    if (extra) {
        snprintf(extra_copy, sizeof(extra_copy), "%s", extra);
        for (char *tok = strtok(extra_copy, " "); tok; tok = strtok(NULL, " "))
            argv[argc++] = tok;
    }
    fflush(stdout);
    return panels_cli_main(argc, argv);
}

static int
setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/noaber-panels-test-%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", dir, dir);
    assert_int_equal(system(cmd), 0);
    /* semicolons and a BOM in the people file, as a Dutch spreadsheet writes it */
    write_file("features.csv", "feature,value,min,max\ngender,f,1,2\ngender,m,1,2\n"
                               "age,young,0,2\nage,old,1,3\n");
    write_file("people.csv", "\xEF\xBB\xBFid;gender;age;name\r\na;f;young;\"Anna; B\"\r\n"
                             "b;f;old;Bea\r\nc;m;young;Cees\r\nd;m;old;Dirk\r\ne;m;old;Eva");
    write_file("bad.csv", "id,gender,age\na,f,young\nb,x,old\nc,m,old\n");
    return 0;
}

static int
teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_outputs(void **state)
{
    assert_int_equal(run("out1", "hello", NULL, "people.csv"), 0);
    char *sel = read_file("out1/selected.csv"), *rem = read_file("out1/remaining.csv");
    char *prob = read_file("out1/probabilities.csv"), *pan = read_file("out1/panels.csv");
    assert_non_null(sel);
    assert_int_equal(count_lines(sel), 1 + 3);
    assert_int_equal(count_lines(rem), 1 + 2);
    assert_true(strncmp(sel, "id,gender,age,name\n", 19) == 0);
    /* values unchanged: the quoted name survives (no quotes needed with commas) */
    assert_true(strstr(sel, ",Anna; B\n") || strstr(rem, ",Anna; B\n"));
    assert_int_equal(count_lines(prob), 1 + 5);
    double sum = 0;
    for (char *l = strchr(prob, '\n') + 1; *l; l = strchr(l, '\n') + 1)
        sum += atof(strchr(l, ',') + 1);
    assert_true(fabs(sum - 3.0) < 1e-6);
    assert_true(strncmp(pan, "panel,probability,seat_1,seat_2,seat_3\n", 39) == 0);
    free(sel);
    free(rem);
    free(prob);
    free(pan);
}

static void
test_determinism(void **state)
{
    static const char *const files[] = {"selected.csv", "remaining.csv", "probabilities.csv",
                                        "panels.csv", "draw.txt"};
    for (int alg = 0; alg < 3; alg++) {
        static const char *const algs[] = {"--algorithm leximin", "--algorithm maximin",
                                           "--algorithm legacy"};
        assert_int_equal(run("d1", "seed-42", algs[alg], "people.csv"), 0);
        /* a time limit that is not reached changes nothing */
        char extra[64];
        snprintf(extra, sizeof extra, "%s --time-limit 600", algs[alg]);
        assert_int_equal(run("d2", "seed-42", extra, "people.csv"), 0);
        /* a pool the engine solves exactly gives the same panels with any tolerance (draw.txt
         * then differs in its tolerance line only) */
        snprintf(extra, sizeof extra, "%s --tolerance 0", algs[alg]);
        assert_int_equal(run("d3", "seed-42", extra, "people.csv"), 0);
        snprintf(extra, sizeof extra, "%s --tolerance=2,5", algs[alg]);
        assert_int_equal(run("d4", "seed-42", extra, "people.csv"), 0);
        for (int i = 0; i < 5; i++) {
            for (int o = 2; o <= 4; o++) {
                char a[64], b[64];
                if (o > 2 && i == 4)
                    continue;
                snprintf(a, sizeof(a), "d1/%s", files[i]);
                snprintf(b, sizeof(b), "d%d/%s", o, files[i]);
                char *x = read_file(a), *y = read_file(b);
                assert_non_null(x);
                assert_non_null(y);
                assert_string_equal(x, y);
                free(x);
                free(y);
            }
        }
    }
}

/* ---- the draw redone from the published files, as docs/panels.md describes it ---------- */

static uint64_t
be64(const unsigned char *h)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return v;
}

/* The i-th 64-bit number of profile T's stream: SHA-256(seed ":" T ":" block). */
static uint64_t
nth(const char *seed, int profile, int i)
{
    char text[256];
    unsigned char h[32];
    snprintf(text, sizeof(text), "%s:%d:%d", seed, profile, i / 4);
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    return be64(h + 8 * (i % 4));
}

static void
redo_draw(const char *out, const char *seed)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/panels.csv", out);
    char *pan = read_file(path);
    snprintf(path, sizeof(path), "%s/profiles.csv", out);
    char *prof = read_file(path);
    snprintf(path, sizeof(path), "%s/selected.csv", out);
    char *sel = read_file(path);
    assert_non_null(pan);
    assert_non_null(prof);
    /* profiles.csv: id,profile in people-file order */
    char ids[16][16];
    int profile_of[16], n = 0;
    for (char *l = strchr(prof, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
        assert_int_equal(sscanf(l, "%15[^,],%d", ids[n], &profile_of[n]), 2);
        n++;
    }
    /* panels.csv: panel,probability,seat_1..seat_3; u from the first 8 bytes of SHA-256 */
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)seed, strlen(seed));
    double u = (double)(be64(h) >> 11) * 0x1.0p-53, total = 0.0, run = 0.0;
    int seats[64][3], np = 0, chosen = -1;
    double prob[64];
    for (char *l = strchr(pan, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
        int no;
        assert_int_equal(sscanf(l, "%d,%lf,%d,%d,%d", &no, &prob[np], &seats[np][0], &seats[np][1],
                                &seats[np][2]),
                         5);
        total += prob[np++];
    }
    for (int p = 0; p < np && chosen < 0; p++)
        if ((run += prob[p]) > u * total)
            chosen = p;
    /* per profile: partial Fisher-Yates over its members in file order */
    int picked[3], npicked = 0;
    for (int j = 0; j < 3;) {
        int t = seats[chosen][j], x = 0, m = 0, members[16], next = 0;
        while (j < 3 && seats[chosen][j] == t)
            j++, x++;
        for (int i = 0; i < n; i++)
            if (profile_of[i] == t)
                members[m++] = i;
        for (int a = 0; a < x; a++) {
            uint64_t range = (uint64_t)(m - a), v;
            while ((v = nth(seed, t, next++)) < (0 - range) % range)
                ;
            int r = a + (int)(v % range), tmp = members[a];
            members[a] = members[r];
            members[r] = tmp;
            picked[npicked++] = members[a];
        }
    }
    assert_int_equal(npicked, 3);
    for (int i = 0; i < 3; i++) {
        char needle[32];
        snprintf(needle, sizeof(needle), "\n%s,", ids[picked[i]]);
        assert_non_null(strstr(sel, needle));
    }
    free(pan);
    free(prof);
    free(sel);
}

static void
test_draw_redone(void **state)
{
    static const char *const seeds[] = {
        "hello", "seed-42", "gemeenteraad 12 maart, lot 417", "x", "1", "2", "3", "4"};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(run("redo", seeds[i], NULL, "people.csv"), 0);
        redo_draw("redo", seeds[i]);
    }
}

static void
test_lottery_cli(void **state)
{
    assert_int_equal(run("lot", "417", "--lottery 1000", "people.csv"), 0);
    char *lot = read_file("lot/lottery.csv"), *draw = read_file("lot/draw.txt");
    assert_int_equal(count_lines(lot), 1001);
    assert_non_null(strstr(lot, "\n000,"));
    assert_non_null(strstr(lot, "\n999,"));
    assert_non_null(strstr(draw, "chosen ticket: 417"));
    free(lot);
    free(draw);
}

static void
test_errors_write_nothing(void **state)
{
    assert_int_equal(run("bad", "x", NULL, "bad.csv"), 1);
    char *s = read_file("bad/selected.csv");
    assert_null(s);
    assert_int_equal(run("bad", "x", "--algorithm magic", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--k 9", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--time-limit 0", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--time-limit soon", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--tolerance 11", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--tolerance -1", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--tolerance 1%", "people.csv"), 1);
    assert_int_equal(run("bad", "x", "--tolerance 1.2.3", "people.csv"), 1);
    assert_null(read_file("bad/selected.csv"));
    assert_int_equal(run("bad", "x", NULL, "missing.csv"), 1);
    /* infeasible: k = 3 but at most one of each gender */
    write_file("tight.csv", "feature,value,min,max\ngender,f,0,1\ngender,m,0,1\n");
    char fpath[512], ppath[512], opath[512];
    snprintf(fpath, sizeof(fpath), "%s/tight.csv", dir);
    snprintf(ppath, sizeof(ppath), "%s/people.csv", dir);
    snprintf(opath, sizeof(opath), "%s/bad", dir);
    char *argv[] = {"panel", "select", "--features", fpath,   "--people",
                    ppath,   "--k",    "3",          "--out", opath};
    assert_int_equal(panels_cli_main(10, argv), 1);
    assert_null(read_file("bad/selected.csv"));
    char *help[] = {"panel", "select", "--help"};
    assert_int_equal(panels_cli_main(3, help), 0);
    char *help2[] = {"panel", "--help"};
    assert_int_equal(panels_cli_main(2, help2), 0);
    char *unknown[] = {"panel", "frobnicate"};
    assert_int_equal(panels_cli_main(2, unknown), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_draw_redone),
        cmocka_unit_test(test_lottery_cli),
        cmocka_unit_test(test_errors_write_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
