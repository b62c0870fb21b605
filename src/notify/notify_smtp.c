/*
 * The SMTP client of the notify module, on libcurl: one easy handle per delivery pass, so that
 * consecutive messages reuse one connection. The settings come from the config: smtp_host,
 * smtp_port, smtp_tls ("none": plain SMTP, "starttls": STARTTLS required, "tls": SMTPS from the
 * first byte), smtp_user and smtp_password (AUTH only when a user is set). The message is handed
 * over whole, already formatted with CRLF line ends (notify_rules_format); libcurl does the
 * dot-stuffing of the DATA phase ("\r\n." becomes "\r\n..") and adds the final "\r\n.\r\n", so
 * neither is done here. CURLINFO_RESPONSE_CODE gives the server's last reply code, which decides
 * the retry policy in notify_rules.c.
 */
#include "notify/notify_int.h"

#include "base/arena.h"
#include "base/config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct notify_smtp {
    CURL *curl;
    char url[600];
    int timeout;
    const struct noaber_config *cfg;
    char errbuf[CURL_ERROR_SIZE];
};

struct upload {
    const char *data;
    size_t len, off;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void
curl_start(void)
{
    curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t room = size * nitems, left = u->len - u->off;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

struct notify_smtp *
notify_smtp_open(const struct noaber_config *cfg, int timeout)
{
    pthread_once(&curl_once, curl_start);
    struct notify_smtp *s = noaber_xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->timeout = timeout;
    s->curl = curl_ok ? curl_easy_init() : NULL;
    int tls = strcmp(cfg->smtp_tls, "tls") == 0;
    /* An IPv6 address needs brackets in the URL; the path names us in EHLO. */
    int v6 = strchr(cfg->smtp_host, ':') != NULL;
    char ehlo[256];
    notify_rules_msgid_host(ehlo, sizeof ehlo, cfg->public_url);
    if (ehlo[0] == '[')
        snprintf(ehlo, sizeof ehlo, "localhost");
    snprintf(s->url, sizeof s->url, "%s://%s%s%s:%d/%s", tls ? "smtps" : "smtp", v6 ? "[" : "",
             cfg->smtp_host, v6 ? "]" : "", cfg->smtp_port, ehlo);
    return s;
}

void
notify_smtp_close(struct notify_smtp *s)
{
    if (!s)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    free(s);
}

int
notify_smtp_send(struct notify_smtp *s, const char *envelope_from, const char *rcpt,
                 const char *data, size_t len, long *code, char *err, size_t errn)
{
    *code = 0;
    if (!s->curl) {
        snprintf(err, errn, "libcurl could not be initialised");
        return -1;
    }
    CURL *c = s->curl;
    struct upload u = {data, len, 0};
    char from[300], to[300];
    snprintf(from, sizeof from, "<%s>", envelope_from);
    snprintf(to, sizeof to, "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    if (!rcpts) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    s->errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout < 15 ? s->timeout : 15));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)s->timeout);
    if (strcmp(s->cfg->smtp_tls, "starttls") == 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (s->cfg->smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s->cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, s->cfg->smtp_password);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    CURLcode rc = curl_easy_perform(c);
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    /* The handle keeps pointers to these; unset them before they go out of scope. */
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(c, CURLOPT_READDATA, NULL);
    curl_slist_free_all(rcpts);
    *code = reply;
    if (rc == CURLE_OK)
        return 0;
    snprintf(err, errn, "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
    return -1;
}
