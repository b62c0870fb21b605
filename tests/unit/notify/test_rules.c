/*
 * Tests of the pure rules of the notify module (src/notify/notify_rules.c), without a database or
 * a server: the route a person's channel gives, the back-off schedule and the retry policy (5xx
 * given up sooner than 4xx), field and address checks, header injection, the Message-ID and
 * Date, the RFC 2047 subject and the quoted-printable body (decoded back here to prove they are
 * lossless), and the whole formatted message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/util.h"
#include "notify/notify_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct notify_policy
policy(void)
{
    struct notify_policy p;
    notify_policy_default(&p);
    return p;
}

/* ---- decoders used to check the encoders ---------------------------------------------------- */

static int
b64val(char c)
{
    const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(tab, c);
    return c && p ? (int)(p - tab) : -1;
}

/* Decodes an unstructured header value made of encoded-words and folds, or plain text. */
static void
decode_header(const char *in, char *out, size_t n)
{
    size_t o = 0;
    if (strncmp(in, "=?UTF-8?B?", 10) != 0) {
        snprintf(out, n, "%s", in);
        return;
    }
    while (*in) {
        assert_memory_equal(in, "=?UTF-8?B?", 10);
        in += 10;
        unsigned acc = 0;
        int bits = 0;
        for (; *in && *in != '?'; in++) {
            if (*in == '=')
                continue;
            int v = b64val(*in);
            assert_true(v >= 0);
            acc = (acc << 6) | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                assert_true(o + 1 < n);
                out[o++] = (char)((acc >> bits) & 0xFF);
            }
        }
        assert_memory_equal(in, "?=", 2);
        in += 2;
        if (*in) { /* a fold between words */
            assert_memory_equal(in, "\r\n ", 3);
            in += 3;
        }
    }
    out[o] = '\0';
}

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes quoted-printable with CRLF line ends into text with LF line ends. */
static void
decode_qp(const char *in, char *out, size_t n)
{
    size_t o = 0;
    while (*in) {
        assert_true(o + 2 < n);
        if (in[0] == '=' && in[1] == '\r' && in[2] == '\n') {
            in += 3;
        } else if (in[0] == '=') {
            assert_true(hexval(in[1]) >= 0 && hexval(in[2]) >= 0);
            out[o++] = (char)(hexval(in[1]) * 16 + hexval(in[2]));
            in += 3;
        } else if (in[0] == '\r' && in[1] == '\n') {
            out[o++] = '\n';
            in += 2;
        } else {
            assert_true(*in != '\r' && *in != '\n'); /* no bare CR or LF */
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
}

/* The longest line of S (split on CRLF), and 1 in *bare when S has a bare CR or LF. */
static size_t
longest_line(const char *s, int *bare)
{
    size_t best = 0, cur = 0;
    *bare = 0;
    for (; *s; s++) {
        if (s[0] == '\r' && s[1] == '\n') {
            best = cur > best ? cur : best;
            cur = 0;
            s++;
        } else if (*s == '\r' || *s == '\n') {
            *bare = 1;
        } else {
            cur++;
        }
    }
    return cur > best ? cur : best;
}

/* ---- routes ------------------------------------------------------------------------------------
 */

static void
test_routes(void **state)
{
    (void)state;
    int fb = -1;
    assert_int_equal(notify_rules_route("email", 1, &fb), NOTIFY_ROUTE_EMAIL);
    assert_int_equal(fb, 0);
    /* E-mail chosen but no verified address: the inbox alone, and the caller is told. */
    assert_int_equal(notify_rules_route("email", 0, &fb), NOTIFY_ROUTE_INBOX);
    assert_int_equal(fb, 1);
    assert_int_equal(notify_rules_route("inapp", 1, &fb), NOTIFY_ROUTE_INBOX);
    assert_int_equal(fb, 0);
    assert_int_equal(notify_rules_route("call", 0, &fb), NOTIFY_ROUTE_CALL);
    assert_int_equal(fb, 0);
    assert_int_equal(notify_rules_route("letter", 1, &fb), NOTIFY_ROUTE_LETTER);
    assert_int_equal(notify_rules_route("pigeon", 1, &fb), NOTIFY_ROUTE_INBOX);
    assert_int_equal(fb, 1);
    assert_string_equal(notify_rules_route_channel(NOTIFY_ROUTE_EMAIL), "email");
    assert_string_equal(notify_rules_route_channel(NOTIFY_ROUTE_CALL), "call");
    assert_string_equal(notify_rules_route_channel(NOTIFY_ROUTE_LETTER), "letter");
    assert_null(notify_rules_route_channel(NOTIFY_ROUTE_INBOX));
}

/* ---- retries -----------------------------------------------------------------------------------
 */

static void
test_backoff(void **state)
{
    (void)state;
    struct notify_policy p = policy();
    /* 30 s * 2^(n-1), the last quarter jitter: [22, 30], [45, 60], [90, 120] ... */
    assert_int_equal(notify_rules_backoff(&p, 1, 0), 23);
    assert_int_equal(notify_rules_backoff(&p, 1, 7), 30);
    assert_int_equal(notify_rules_backoff(&p, 2, 0), 45);
    assert_int_equal(notify_rules_backoff(&p, 2, 15), 60);
    int64_t prev = 0;
    for (int n = 1; n <= 40; n++) {
        int64_t d = 30;
        for (int i = 1; i < n && d < p.max_delay; i++)
            d *= 2;
        if (d > p.max_delay)
            d = p.max_delay;
        assert_true(d >= prev); /* never shorter than the wait before */
        assert_int_equal(notify_rules_backoff(&p, n, 0), d - d / 4);
        assert_int_equal(notify_rules_backoff(&p, n, (uint32_t)(d / 4)), d);
        for (uint32_t r = 0; r < 100000; r += 997) {
            int64_t w = notify_rules_backoff(&p, n, r);
            assert_true(w >= d - d / 4 && w <= d && w <= p.max_delay);
        }
        prev = d;
    }
    /* Capped at 6 h, and the jitter keeps lying below the cap. */
    assert_int_equal(notify_rules_backoff(&p, 40, 5400), 6 * 3600);
    assert_true(notify_rules_backoff(&p, 40, 0) >= 6 * 3600 * 3 / 4);
    /* Different random numbers spread a burst. */
    int64_t a = notify_rules_backoff(&p, 5, 11), b = notify_rules_backoff(&p, 5, 97);
    assert_true(a != b);
}

static void
test_retry_policy(void **state)
{
    (void)state;
    struct notify_policy p = policy();
    int give_up = -1;
    int64_t next = 0;
    assert_true(notify_rules_is_hard(550));
    assert_true(notify_rules_is_hard(554));
    assert_false(notify_rules_is_hard(451));
    assert_false(notify_rules_is_hard(0));
    assert_false(notify_rules_is_hard(250));

    /* 4xx and no reply: retried until max_attempts (15). */
    for (int n = 1; n < p.max_attempts; n++) {
        notify_rules_after_failure(&p, n, 0, 1000, 0, &give_up, &next);
        assert_false(give_up);
        assert_int_equal(next, 1000 + notify_rules_backoff(&p, n, 0));
    }
    notify_rules_after_failure(&p, p.max_attempts, 0, 1000, 0, &give_up, &next);
    assert_true(give_up);

    /* 5xx: retried too, but given up after max_hard (3) of them -- sooner than 4xx. */
    assert_true(p.max_hard < p.max_attempts);
    notify_rules_after_failure(&p, 1, 1, 1000, 0, &give_up, &next);
    assert_false(give_up);
    assert_true(next > 1000);
    notify_rules_after_failure(&p, 5, 2, 1000, 0, &give_up, &next);
    assert_false(give_up);
    notify_rules_after_failure(&p, 6, 3, 1000, 0, &give_up, &next);
    assert_true(give_up);

    /* Clamping keeps a send well inside the time after which a claim is taken for stale. */
    struct notify_policy bad = {0, 0, 0, 0, 0, 0, 100000, 0};
    notify_rules_policy_clamp(&bad);
    assert_true(bad.max_attempts >= 1 && bad.max_hard >= 1 && bad.base_delay >= 1);
    assert_true(bad.max_delay >= bad.base_delay);
    assert_true(bad.send_timeout * 2 <= bad.stale_after);
    assert_true(bad.batch >= 1 && bad.poll_interval >= 1);
}

/* ---- fields ------------------------------------------------------------------------------------
 */

static void
test_fields(void **state)
{
    (void)state;
    assert_true(notify_rules_kind_ok("event_cancelled"));
    assert_true(notify_rules_kind_ok("help.matched-2"));
    assert_false(notify_rules_kind_ok(""));
    assert_false(notify_rules_kind_ok(NULL));
    assert_false(notify_rules_kind_ok("Event"));
    assert_false(notify_rules_kind_ok("a b"));
    assert_false(notify_rules_kind_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 41 */

    assert_true(notify_rules_link_ok(""));
    assert_true(notify_rules_link_ok(NULL));
    assert_true(notify_rules_link_ok("/events/12?x=1#top"));
    assert_false(notify_rules_link_ok("//evil.example/x"));
    assert_false(notify_rules_link_ok("/\\evil.example"));
    assert_false(notify_rules_link_ok("https://evil.example/"));
    assert_false(notify_rules_link_ok("javascript:alert(1)"));
    assert_false(notify_rules_link_ok("/a b"));
    assert_false(notify_rules_link_ok("/a\r\nb"));
    assert_false(notify_rules_link_ok("/caf\xc3\xa9"));

    assert_true(notify_rules_address_ok("anna@buurt.example.nl"));
    assert_true(notify_rules_address_ok("a.b+tag@x-y.nl"));
    assert_false(notify_rules_address_ok("anna@localhost"));
    assert_false(notify_rules_address_ok("anna"));
    assert_false(notify_rules_address_ok("@x.nl"));
    assert_false(notify_rules_address_ok("anna@"));
    assert_false(notify_rules_address_ok("a@@x.nl"));
    assert_false(notify_rules_address_ok("a@b@x.nl"));
    assert_false(notify_rules_address_ok("a b@x.nl"));
    assert_false(notify_rules_address_ok("a@x..nl"));
    assert_false(notify_rules_address_ok("a@x.nl."));
    assert_false(notify_rules_address_ok("<a@x.nl>"));
    assert_false(notify_rules_address_ok("a@x.nl>\r\nRCPT TO:<b@y.nl"));
    assert_false(notify_rules_address_ok("a@x.nl\r\nBcc: b@y.nl"));
    assert_false(notify_rules_address_ok("a,b@x.nl"));
    assert_false(notify_rules_address_ok("\"a\"@x.nl"));
    assert_false(notify_rules_address_ok("caf\xc3\xa9@x.nl"));
    assert_false(notify_rules_address_ok("a@x_y.nl"));
    assert_false(notify_rules_address_ok(NULL));
}

static void
test_one_line(void **state)
{
    (void)state;
    char out[64];
    notify_rules_one_line(out, sizeof out, "Hallo\r\nBcc: evil@x.nl");
    assert_string_equal(out, "Hallo  Bcc: evil@x.nl");
    assert_null(strchr(out, '\r'));
    notify_rules_one_line(out, sizeof out,
                          "  \ttab\x01"
                          "and\x7f  ");
    assert_string_equal(out, "tab and");
    notify_rules_one_line(out, sizeof out, NULL);
    assert_string_equal(out, "");
    /* Truncation never leaves half a character. */
    notify_rules_one_line(out, 4, "a\xc3\xa9z"); /* "aé" fits in 3 bytes */
    assert_string_equal(out, "a\xc3\xa9");
    notify_rules_one_line(out, 3, "a\xc3\xa9z");
    assert_string_equal(out, "a");
    notify_rules_one_line(out, 4, "ab\xe2\x82\xac"); /* "ab€": the euro sign does not fit */
    assert_string_equal(out, "ab");
    notify_rules_one_line(out, 5, "a\xe2\x82\xac"); /* "a€" fits exactly */
    assert_string_equal(out, "a\xe2\x82\xac");
}

/* ---- Message-ID and Date ------------------------------------------------------------------------
 */

static void
test_message_id(void **state)
{
    (void)state;
    char host[256], id[300];
    notify_rules_msgid_host(host, sizeof host, "https://buurt.example.nl:8443/x");
    assert_string_equal(host, "buurt.example.nl");
    notify_rules_msgid_host(host, sizeof host, "http://127.0.0.1:8080");
    assert_string_equal(host, "127.0.0.1");
    notify_rules_msgid_host(host, sizeof host, "https://user:pw@wijk.example.nl/");
    assert_string_equal(host, "wijk.example.nl");
    notify_rules_msgid_host(host, sizeof host, "http://[::1]:8080/");
    assert_string_equal(host, "[::1]");
    notify_rules_msgid_host(host, sizeof host, "");
    assert_string_equal(host, "localhost");
    notify_rules_msgid_host(host, sizeof host, "https://evil>host\r\nBcc:x/");
    assert_string_equal(host, "localhost");
    notify_rules_msgid_host(host, sizeof host, NULL);
    assert_string_equal(host, "localhost");
    notify_rules_message_id(id, sizeof id, 42, "0123456789abcdef", "buurt.example.nl");
    assert_string_equal(id, "<msg-42-0123456789abcdef@buurt.example.nl>");

    char date[40];
    notify_rules_date(date, 0);
    assert_string_equal(date, "Thu, 1 Jan 1970 00:00:00 +0000");
    notify_rules_date(date, 1800000000);
    assert_string_equal(date, "Fri, 15 Jan 2027 08:00:00 +0000");
}

/* ---- encodings
 * ----------------------------------------------------------------------------------- */

static void
check_subject(const char *subject, int expect_encoded)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    notify_rules_encode_header(&b, subject);
    const char *enc = noaber_buf_str(&b);
    assert_int_equal(strncmp(enc, "=?UTF-8?B?", 10) == 0, expect_encoded);
    /* Each folded line fits in 78 columns after "Subject: ", and every encoded-word holds whole
     * UTF-8 characters (RFC 2047 5.3), so each decodes to valid UTF-8 on its own. */
    char line[200];
    const char *p = enc;
    int first = 1;
    while (*p) {
        size_t n = strcspn(p, "\r");
        assert_true(n + (first ? 9 : 0) <= 78);
        assert_true(n < sizeof line);
        memcpy(line, p, n);
        line[n] = '\0';
        if (expect_encoded) {
            char word[200];
            decode_header(line[0] == ' ' ? line + 1 : line, word, sizeof word);
            assert_true(noaber_utf8_valid(word, strlen(word)));
        }
        p += n;
        if (*p) {
            assert_memory_equal(p, "\r\n ", 3);
            p += 2;
        }
        first = 0;
    }
    char back[1024];
    decode_header(enc, back, sizeof back);
    assert_string_equal(back, subject);
    noaber_buf_release(&b);
}

static void
test_subject_encoding(void **state)
{
    (void)state;
    check_subject("Je aanmelding voor de wandelgroep", 0);
    check_subject("Caf\xc3\xa9 de Buurt gaat niet door", 1);
    check_subject("=?UTF-8?B?trick?= looks encoded", 1); /* would be misread as an encoded-word */
    check_subject("Een lange onderwerpregel van meer dan zeventig tekens, gewoon ASCII tekst.", 1);
    /* Many two-, three- and four-byte characters: the split never lands inside one. */
    check_subject("\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xf0\x9f\x8c\xb3"
                  "\xf0\x9f\x8c\xb3 Buurtco\xc3\xb6peratie \xe2\x80\x94 \xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82"
                  "\xac\xe2\x82\xac\xf0\x9f\x8c\xb3\xf0\x9f\x8c\xb3\xf0\x9f\x8c\xb3 einde",
                  1);
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    notify_rules_encode_header(&b, "Caf\xc3\xa9");
    assert_string_equal(noaber_buf_str(&b), "=?UTF-8?B?Q2Fmw6k=?=");
    noaber_buf_release(&b);
}

static void
check_qp(const char *body, const char *expect_decoded)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    notify_rules_qp(&b, body);
    int bare = 0;
    assert_true(longest_line(noaber_buf_str(&b), &bare) <= 76);
    assert_false(bare);
    /* Nothing but printable ASCII, and no white space at the end of a line. */
    for (const char *p = noaber_buf_str(&b); *p; p++) {
        assert_true((*p >= 32 && *p < 127) || *p == '\r' || *p == '\n' || *p == '\t');
        if (p[0] == '\r')
            assert_true(p == noaber_buf_str(&b) || (p[-1] != ' ' && p[-1] != '\t'));
    }
    char *back = malloc(4 * strlen(body) + 16);
    decode_qp(noaber_buf_str(&b), back, 4 * strlen(body) + 16);
    assert_string_equal(back, expect_decoded);
    free(back);
    noaber_buf_release(&b);
}

static void
test_quoted_printable(void **state)
{
    (void)state;
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    notify_rules_qp(&b, "a=b caf\xc3\xa9 \nx\t\n");
    assert_string_equal(noaber_buf_str(&b), "a=3Db caf=C3=A9=20\r\nx=09\r\n");
    noaber_buf_release(&b);

    check_qp("Hallo Anna,\n\nDe wandeling gaat niet door.\n",
             "Hallo Anna,\n\nDe wandeling gaat niet door.\n");
    check_qp("no newline at the end", "no newline at the end\n");
    check_qp("crlf\r\nlone cr\rlf\n", "crlf\nlone cr\nlf\n");
    check_qp(".\n..two\n.leading dot\n", ".\n..two\n.leading dot\n"); /* left to libcurl */
    char long_line[1200];
    memset(long_line, 'x', 300);
    memcpy(long_line + 300, "=====\xc3\xa9\xc3\xa9\xc3\xa9     ", 16);
    memset(long_line + 316, 'y', 500);
    long_line[816] = '\0';
    char expect[1300];
    snprintf(expect, sizeof expect, "%s\n", long_line);
    check_qp(long_line, expect);
    check_qp("", "");
    /* Every byte value that can occur in text. */
    char all[300];
    size_t n = 0;
    for (int c = 1; c < 256; c++)
        if (c != '\r' && c != '\n')
            all[n++] = (char)c;
    all[n] = '\0';
    char all_expect[sizeof all + 2];
    snprintf(all_expect, sizeof all_expect, "%s\n", all);
    check_qp(all, all_expect);
}

static void
test_envelope_from(void **state)
{
    (void)state;
    char out[256];
    notify_rules_envelope_from(out, sizeof out, "Buurt Noord <noreply@buurt.example.nl>");
    assert_string_equal(out, "noreply@buurt.example.nl");
    notify_rules_envelope_from(out, sizeof out, "noreply@buurt.example.nl");
    assert_string_equal(out, "noreply@buurt.example.nl");
    notify_rules_envelope_from(out, sizeof out, "x@y.nl\r\nRCPT TO:<evil@z.nl>");
    assert_null(strchr(out, '\n'));
}

/* ---- the whole message
 * ----------------------------------------------------------------------------- */

/* The value of header NAME in message M (first occurrence, unfolded is not needed here). */
static int
has_line_starting(const char *m, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = m; p; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
        if (strncmp(p, prefix, n) == 0)
            return 1;
    return 0;
}

static void
test_format(void **state)
{
    (void)state;
    struct notify_email e = {
        .from = "Buurtco\xc3\xb6peratie Noord <noreply@buurt.example.nl>",
        .to = "anna@example.nl\r\nBcc: evil@example.org",
        .subject = "Wandeling gaat niet door\r\nBcc: evil@example.org",
        .body = "Hallo Anna,\n.\nTot ziens.\n",
        .link_url = "https://buurt.example.nl/events/12",
        .message_id = "<msg-1-00ff@buurt.example.nl>",
        .date = 1800000000,
    };
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    notify_rules_format(&b, &e);
    const char *m = noaber_buf_str(&b);
    int bare = 0;
    assert_true(longest_line(m, &bare) <= 78);
    assert_false(bare);
    assert_true(has_line_starting(m, "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"));
    assert_true(has_line_starting(m, "From: =?UTF-8?B?"));
    assert_true(strstr(m, "?= <noreply@buurt.example.nl>\r\n") != NULL);
    assert_true(has_line_starting(m, "Message-ID: <msg-1-00ff@buurt.example.nl>\r\n"));
    assert_true(has_line_starting(m, "MIME-Version: 1.0\r\n"));
    assert_true(has_line_starting(m, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_true(has_line_starting(m, "Content-Transfer-Encoding: quoted-printable\r\n"));
    /* Header injection: the CR LF became spaces, so no Bcc header exists. */
    assert_false(has_line_starting(m, "Bcc:"));
    assert_true(
        has_line_starting(m, "Subject: Wandeling gaat niet door  Bcc: evil@example.org\r\n"));
    /* Headers end at the first empty line; the body follows, then the link. */
    const char *body = strstr(m, "\r\n\r\n");
    assert_non_null(body);
    assert_string_equal(
        body + 4, "Hallo Anna,\r\n.\r\nTot ziens.\r\n\r\nhttps://buurt.example.nl/events/12\r\n");
    noaber_buf_release(&b);

    /* A plain From, no link. */
    struct notify_email plain = {"noreply@x.nl", "a@x.nl", "Hoi", "Body", NULL, "<m@x.nl>", 0};
    noaber_buf_init(&b, NULL);
    notify_rules_format(&b, &plain);
    m = noaber_buf_str(&b);
    assert_true(has_line_starting(m, "From: noreply@x.nl\r\n"));
    assert_true(has_line_starting(m, "To: a@x.nl\r\n"));
    assert_string_equal(strstr(m, "\r\n\r\n") + 4, "Body\r\n");
    noaber_buf_release(&b);

    /* A quoted ASCII display name keeps its quotes once. */
    struct notify_email quoted = {
        "\"Buurt \\\"Noord\\\"\" <n@x.nl>", "a@x.nl", "Hoi", "", NULL, "<m@x.nl>", 0};
    noaber_buf_init(&b, NULL);
    notify_rules_format(&b, &quoted);
    assert_true(
        has_line_starting(noaber_buf_str(&b), "From: \"Buurt \\\"Noord\\\"\" <n@x.nl>\r\n"));
    noaber_buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),           cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_retry_policy),     cmocka_unit_test(test_fields),
        cmocka_unit_test(test_one_line),         cmocka_unit_test(test_message_id),
        cmocka_unit_test(test_subject_encoding), cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_envelope_from),    cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
