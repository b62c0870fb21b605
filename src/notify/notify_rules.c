/*
 * The rules of the notify module, in plain C without I/O: which delivery a person's channel adds
 * to the inbox, how long to wait before the next attempt and when to give up, which fields and
 * addresses are acceptable, and how an e-mail is written (RFC 5322 headers, RFC 2047 encoded
 * subject, RFC 2045 quoted-printable body, the Message-ID). notify.c calls them; the tests in
 * tests/unit/notify/test_rules.c run them without a database or a server.
 *
 * Retry policy. Every attempt counts towards max_attempts (default 15: with a back-off of
 * 30 s * 2^(n-1), capped at 6 h, that is about a day and a half). The reply decides the rest:
 *   - 2xx: sent, never again.
 *   - no reply (cannot connect, TLS fails, time-out, connection lost): the server or the network
 *     is down, which is no reason to give up early: retry until max_attempts.
 *   - 4xx: a temporary refusal (greylisting, a full queue, rate limits): retry until
 *     max_attempts.
 *   - 5xx: permanent by RFC 5321, but relays do answer 5xx for passing trouble (an overloaded
 *     spam filter, a flapping authentication back end), so it is retried too, but given up after
 *     max_hard (default 3) such refusals: a truly unknown address is not hammered for a day.
 * The jitter (the last quarter of each wait is random) keeps the processes that share one
 * database, and the messages of one burst, from retrying in lockstep.
 */
#include "notify/notify_int.h"

#include "base/buf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- routes ---------------------------------------------------------------------------------- */

enum notify_route
notify_rules_route(const char *channel, int has_email, int *fallback)
{
    *fallback = 0;
    if (!channel || strcmp(channel, "inapp") == 0)
        return NOTIFY_ROUTE_INBOX;
    if (strcmp(channel, "email") == 0) {
        /* No verified address: the message waits in the inbox, where the person sees it when they
         * log in; sending to an unverified address would mail someone who never asked. */
        if (has_email)
            return NOTIFY_ROUTE_EMAIL;
        *fallback = 1;
        return NOTIFY_ROUTE_INBOX;
    }
    if (strcmp(channel, "call") == 0)
        return NOTIFY_ROUTE_CALL;
    if (strcmp(channel, "letter") == 0)
        return NOTIFY_ROUTE_LETTER;
    *fallback = 1;
    return NOTIFY_ROUTE_INBOX;
}

const char *
notify_rules_route_channel(enum notify_route r)
{
    switch (r) {
    case NOTIFY_ROUTE_EMAIL:
        return "email";
    case NOTIFY_ROUTE_CALL:
        return "call";
    case NOTIFY_ROUTE_LETTER:
        return "letter";
    default:
        return NULL;
    }
}

/* ---- retries --------------------------------------------------------------------------------- */

int64_t
notify_rules_backoff(const struct notify_policy *p, int attempts, uint32_t rnd)
{
    int64_t d = p->base_delay > 0 ? p->base_delay : 1;
    for (int i = 1; i < attempts && d < p->max_delay; i++)
        d *= 2;
    if (d > p->max_delay)
        d = p->max_delay;
    /* The last quarter is jitter: the wait lies in [3d/4, d]. */
    int64_t q = d / 4;
    return d - q + (q ? (int64_t)(rnd % (uint32_t)(q + 1)) : 0);
}

int
notify_rules_is_hard(long code)
{
    return code >= 500 && code <= 599;
}

void
notify_rules_after_failure(const struct notify_policy *p, int attempts, int hard, int64_t now,
                           uint32_t rnd, int *give_up, int64_t *next_at)
{
    *give_up = attempts >= p->max_attempts || hard >= p->max_hard;
    *next_at = *give_up ? now : now + notify_rules_backoff(p, attempts, rnd);
}

static int
clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void
notify_rules_policy_clamp(struct notify_policy *p)
{
    p->max_attempts = clamp(p->max_attempts, 1, 1000);
    p->max_hard = clamp(p->max_hard, 1, 1000);
    p->base_delay = clamp(p->base_delay, 1, 24 * 3600);
    p->max_delay = clamp(p->max_delay, p->base_delay, 7 * 24 * 3600);
    p->stale_after = clamp(p->stale_after, 10, 24 * 3600);
    p->batch = clamp(p->batch, 1, 1000);
    /* A claim is refreshed just before each send; the send must end before the claim could be
     * taken for stale, or a second process would send the message again. */
    p->send_timeout = clamp(p->send_timeout, 1, p->stale_after / 2);
    p->poll_interval = clamp(p->poll_interval, 1, 3600);
}

/* ---- fields ---------------------------------------------------------------------------------- */

int
notify_rules_kind_ok(const char *kind)
{
    size_t n = kind ? strlen(kind) : 0;
    if (n == 0 || n > NOTIFY_KIND_MAX)
        return 0;
    for (const char *c = kind; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' ||
              *c == '-'))
            return 0;
    return 1;
}

int
notify_rules_link_ok(const char *link)
{
    if (!link || !*link)
        return 1;
    size_t n = strlen(link);
    /* "//host" would leave the site; a scheme ("javascript:") would not start with '/'. */
    if (n > NOTIFY_LINK_MAX || link[0] != '/' || link[1] == '/' || link[1] == '\\')
        return 0;
    for (const char *c = link; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return 0;
    return 1;
}

int
notify_rules_address_ok(const char *addr)
{
    if (!addr)
        return 0;
    size_t n = strlen(addr);
    const char *at = strrchr(addr, '@');
    if (n < 3 || n > 254 || !at || at == addr || !at[1] || strchr(addr, '@') != at)
        return 0;
    for (const char *c = addr; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u <= 0x20 || u >= 0x7f || strchr("<>()[],;:\\\"", u))
            return 0;
    }
    /* The domain: labels of letters, digits and hyphens, at least one dot, no empty label. */
    const char *d = at + 1;
    if (!strchr(d, '.') || *d == '.' || d[strlen(d) - 1] == '.' || strstr(d, ".."))
        return 0;
    for (; *d; d++)
        if (!((*d >= 'a' && *d <= 'z') || (*d >= 'A' && *d <= 'Z') || (*d >= '0' && *d <= '9') ||
              *d == '-' || *d == '.'))
            return 0;
    return 1;
}

void
notify_rules_one_line(char *out, size_t n, const char *in)
{
    size_t o = 0;
    if (n == 0)
        return;
    for (const char *c = in ? in : ""; *c && o + 1 < n; c++)
        out[o++] = ((unsigned char)*c < 0x20 || *c == 0x7f) ? ' ' : *c;
    if (in && o + 1 == n && in[o]) {
        /* Truncated: drop a last character that lost some of its bytes. */
        size_t lead = o;
        while (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0xC0) {
            unsigned char u = (unsigned char)out[lead - 1];
            size_t need = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
            if (lead - 1 + need > o)
                o = lead - 1;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    size_t lead = strspn(out, " ");
    memmove(out, out + lead, o - lead + 1);
}

/* ---- Message-ID and Date --------------------------------------------------------------------- */

void
notify_rules_msgid_host(char *out, size_t n, const char *public_url)
{
    const char *p = public_url ? strstr(public_url, "://") : NULL;
    p = p ? p + 3 : (public_url ? public_url : "");
    const char *at = strpbrk(p, "@/");
    if (at && *at == '@') /* user:password@host */
        p = at + 1;
    size_t len;
    int ok = 1;
    if (*p == '[') { /* an IPv6 literal, kept with its brackets */
        const char *end = strchr(p, ']');
        len = end ? (size_t)(end - p) + 1 : 0;
        for (size_t i = 1; i + 1 < len; i++)
            ok &= strchr("0123456789abcdefABCDEF:.", p[i]) != NULL;
    } else {
        len = strcspn(p, ":/?#");
        for (size_t i = 0; i < len; i++)
            ok &= (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
                  (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '.';
    }
    if (!ok || len == 0 || len + 1 > n)
        snprintf(out, n, "localhost");
    else
        snprintf(out, n, "%.*s", (int)len, p);
}

void
notify_rules_message_id(char *out, size_t n, int64_t row, const char *hex, const char *host)
{
    snprintf(out, n, "<msg-%lld-%s@%s>", (long long)row, hex, host);
}

void
notify_rules_date(char out[40], int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, 40, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- encodings ------------------------------------------------------------------------------- */

static void
base64(struct noaber_buf *b, const unsigned char *in, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        noaber_buf_append(b, q, 4);
    }
}

/* Printable ASCII that needs no encoding in an unstructured header. */
static int
header_plain(const char *s, size_t limit)
{
    size_t n = strlen(s);
    if (n > limit || strstr(s, "=?"))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

void
notify_rules_encode_header(struct noaber_buf *b, const char *text)
{
    /* "Subject: " takes 9 columns: 69 more keep a plain line within 78. */
    if (header_plain(text, 69)) {
        noaber_buf_puts(b, text);
        return;
    }
    /* Encoded-words of at most 39 bytes of text (52 of base64, 64 in all with "=?UTF-8?B?" and
     * "?="), each on its own folded line, never splitting a UTF-8 character (RFC 2047 5.3). */
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    int first = 1;
    while (i < n) {
        size_t take = n - i < 39 ? n - i : 39;
        while (take > 0 && i + take < n && (s[i + take] & 0xC0) == 0x80)
            take--;
        if (take == 0) /* not UTF-8 (the caller checks); take the bytes as they are */
            take = n - i < 39 ? n - i : 39;
        if (!first)
            noaber_buf_append(b, "\r\n ", 3);
        noaber_buf_puts(b, "=?UTF-8?B?");
        base64(b, s + i, take);
        noaber_buf_puts(b, "?=");
        i += take;
        first = 0;
    }
}

static void
qp_token(struct noaber_buf *b, size_t *col, const char *tok, size_t len)
{
    /* A soft break ("=" at the end) when the token would pass column 75. */
    if (*col + len > 75) {
        noaber_buf_append(b, "=\r\n", 3);
        *col = 0;
    }
    noaber_buf_append(b, tok, len);
    *col += len;
}

void
notify_rules_qp(struct noaber_buf *b, const char *body)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)(body ? body : "");
    size_t col = 0;
    while (*s) {
        unsigned char c = *s;
        if (c == '\r' || c == '\n') {
            noaber_buf_append(b, "\r\n", 2);
            col = 0;
            s += (c == '\r' && s[1] == '\n') ? 2 : 1;
            continue;
        }
        /* White space is literal except at the end of a line, where transport may strip it. */
        int at_eol = s[1] == '\0' || s[1] == '\r' || s[1] == '\n';
        if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol)) {
            qp_token(b, &col, (const char *)s, 1);
        } else {
            char t[3] = {'=', hex[c >> 4], hex[c & 15]};
            qp_token(b, &col, t, 3);
        }
        s++;
    }
    if (col > 0)
        noaber_buf_append(b, "\r\n", 2);
}

void
notify_rules_envelope_from(char *out, size_t n, const char *from)
{
    const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    char tmp[256];
    if (lt && gt)
        snprintf(tmp, sizeof tmp, "%.*s", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(tmp, sizeof tmp, "%s", from);
    notify_rules_one_line(out, n, tmp);
}

/* The From header: "Name <addr>" with the name quoted or encoded, or the bare address. */
static void
from_header(struct noaber_buf *b, const char *from)
{
    char addr[256], name[256];
    notify_rules_envelope_from(addr, sizeof addr, from);
    const char *lt = strrchr(from, '<');
    size_t nlen = lt ? (size_t)(lt - from) : 0;
    if (nlen >= sizeof name)
        nlen = sizeof name - 1;
    memcpy(name, from, nlen);
    name[nlen] = '\0';
    notify_rules_one_line(name, sizeof name, name);
    if (!*name) {
        noaber_buf_puts(b, addr);
        return;
    }
    size_t len = strlen(name);
    if (len >= 2 && name[0] == '"' && name[len - 1] == '"') { /* already quoted: unquote */
        size_t o = 0;
        for (size_t i = 1; i + 1 < len; i++) {
            if (name[i] == '\\' && i + 2 < len)
                i++;
            name[o++] = name[i];
        }
        name[o] = '\0';
    }
    if (header_plain(name, 60)) {
        noaber_buf_putc(b, '"');
        for (const char *c = name; *c; c++) {
            if (*c == '"' || *c == '\\')
                noaber_buf_putc(b, '\\');
            noaber_buf_putc(b, *c);
        }
        noaber_buf_putc(b, '"');
    } else {
        char word[46]; /* one encoded-word: 45 bytes, cut on a character boundary */
        notify_rules_one_line(word, sizeof word, name);
        noaber_buf_puts(b, "=?UTF-8?B?");
        base64(b, (const unsigned char *)word, strlen(word));
        noaber_buf_puts(b, "?=");
    }
    noaber_buf_printf(b, " <%s>", addr);
}

void
notify_rules_format(struct noaber_buf *b, const struct notify_email *e)
{
    char date[40], to[256], subject[NOTIFY_SUBJECT_MAX + 1], msgid[300];
    notify_rules_date(date, e->date);
    notify_rules_one_line(to, sizeof to, e->to);
    notify_rules_one_line(subject, sizeof subject, e->subject);
    notify_rules_one_line(msgid, sizeof msgid, e->message_id);
    noaber_buf_printf(b, "Date: %s\r\nFrom: ", date);
    from_header(b, e->from);
    noaber_buf_printf(b, "\r\nTo: %s\r\nSubject: ", to);
    notify_rules_encode_header(b, subject);
    noaber_buf_printf(b,
                      "\r\nMessage-ID: %s\r\n"
                      "MIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=UTF-8\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n"
                      "Auto-Submitted: auto-generated\r\n"
                      "\r\n",
                      msgid);
    notify_rules_qp(b, e->body);
    if (e->link_url && *e->link_url) {
        noaber_buf_append(b, "\r\n", 2);
        notify_rules_qp(b, e->link_url);
    }
}
