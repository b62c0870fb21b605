/*
 * Counters for /metrics in the Prometheus text format: requests by status class, a latency
 * histogram, open connections, and the storage layer's transaction counters. Atomics only: the
 * hot path takes no lock.
 */
#include "http/server.h"

#include "db/db.h"
#include "notify/notify.h"

#include <stdatomic.h>

static const int64_t bounds_us[] = {1000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
#define NB (sizeof bounds_us / sizeof bounds_us[0])

static atomic_ullong by_class[6], buckets[NB + 1], sum_us, count;
static atomic_llong open_connections;

void
noaber_metrics_request(int status, int64_t micros)
{
    int cls = status / 100;
    atomic_fetch_add(&by_class[cls >= 1 && cls <= 5 ? cls : 0], 1);
    size_t b = 0;
    while (b < NB && micros > bounds_us[b])
        b++;
    atomic_fetch_add(&buckets[b], 1);
    atomic_fetch_add(&sum_us, (unsigned long long)(micros > 0 ? micros : 0));
    atomic_fetch_add(&count, 1);
}

void
noaber_metrics_connections(int delta)
{
    atomic_fetch_add(&open_connections, delta);
}

void
noaber_metrics_render(struct noaber_buf *out)
{
    noaber_buf_puts(out, "# HELP noaber_http_requests_total HTTP requests by status class.\n"
                         "# TYPE noaber_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        noaber_buf_printf(out, "noaber_http_requests_total{code=\"%dxx\"} %llu\n", c,
                          (unsigned long long)atomic_load(&by_class[c]));
    noaber_buf_puts(out, "# HELP noaber_http_request_duration_seconds Time to answer a request.\n"
                         "# TYPE noaber_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t b = 0; b < NB; b++) {
        cum += atomic_load(&buckets[b]);
        noaber_buf_printf(out, "noaber_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                          (double)bounds_us[b] / 1e6, cum);
    }
    cum += atomic_load(&buckets[NB]);
    noaber_buf_printf(out, "noaber_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    noaber_buf_printf(out, "noaber_http_request_duration_seconds_sum %g\n",
                      (double)atomic_load(&sum_us) / 1e6);
    noaber_buf_printf(out, "noaber_http_request_duration_seconds_count %llu\n",
                      (unsigned long long)atomic_load(&count));
    noaber_buf_printf(out,
                      "# HELP noaber_http_open_connections Connections open now.\n"
                      "# TYPE noaber_http_open_connections gauge\n"
                      "noaber_http_open_connections %lld\n",
                      (long long)atomic_load(&open_connections));
    struct noaber_db_stats st;
    noaber_db_stats(&st);
    noaber_buf_printf(out,
                      "# HELP noaber_db_transactions_total Write transactions by outcome.\n"
                      "# TYPE noaber_db_transactions_total counter\n"
                      "noaber_db_transactions_total{outcome=\"commit\"} %llu\n"
                      "noaber_db_transactions_total{outcome=\"retry\"} %llu\n"
                      "noaber_db_transactions_total{outcome=\"failure\"} %llu\n"
                      "# HELP noaber_db_queries_total Statements run.\n"
                      "# TYPE noaber_db_queries_total counter\n"
                      "noaber_db_queries_total %llu\n",
                      (unsigned long long)st.tx_commits, (unsigned long long)st.tx_retries,
                      (unsigned long long)st.tx_failures, (unsigned long long)st.queries);
    struct notify_stats ns;
    notify_stats(&ns);
    noaber_buf_printf(out,
                      "# HELP noaber_email_total E-mail deliveries by outcome.\n"
                      "# TYPE noaber_email_total counter\n"
                      "noaber_email_total{outcome=\"sent\"} %llu\n"
                      "noaber_email_total{outcome=\"failed\"} %llu\n"
                      "noaber_email_total{outcome=\"retried\"} %llu\n",
                      (unsigned long long)ns.sent, (unsigned long long)ns.failed,
                      (unsigned long long)ns.retried);
}
