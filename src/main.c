/*
 * The `noaber` command line: serve the web app, create and migrate a database, make the demo,
 * create the first administrator, back up, copy an installation between SQLite and PostgreSQL,
 * draw panels by lot, and list the routes. Every --db is a SQLite file or a postgresql:// URL.
 * Settings come from defaults, a config file (--config), NOABER_* environment variables and
 * flags, in that order. Every command answers --help.
 */
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/router.h"
#include "http/server.h"
#include "members/members.h"
#include "notify/notify.h"
#include "panels/panels_cli.h"
#include "panels/web.h"
#include "privacy/privacy.h"
#include "view/i18n.h"
#include "view/tmpl.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define DEMO_PASSWORD "noaber-demo"

static const char usage[] =
    "noaber " NOABER_VERSION " — digital social neighbourhood infrastructure\n"
    "\n"
    "Usage: noaber COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  serve [--config FILE] [--db PATH] [--listen HOST:PORT]   serve the web app\n"
    "  init --db PATH                      create an empty database\n"
    "  migrate --db PATH                   bring a database's schema up to date\n"
    "  demo --db PATH [--password PW]      create a demo city with three neighbourhoods\n"
    "  admin create --email E [--name N] [--db PATH]   create an administrator (asks the "
    "password)\n"
    "  backup --db PATH --to FILE          copy the database safely while the server runs\n"
    "  copy --from PATH_OR_URL --to PATH_OR_URL   move a whole installation to another\n"
    "                                      database (SQLite <-> PostgreSQL), checked\n"
    "  panel select ...                    draw a citizens' panel by lot (noaber panel --help)\n"
    "  routes                              list every HTTP route\n"
    "  maintenance --db PATH               delete what has passed its retention period\n"
    "  privacy-register                    print the processing register (Markdown)\n"
    "  --version, --help\n"
    "\n"
    "Every --db PATH may also be a PostgreSQL URL: postgresql://user@host/dbname.\n"
    "Settings: --config FILE holds 'key = value' lines; NOABER_<KEY> environment variables\n"
    "override it (NOABER_DB, NOABER_LISTEN, NOABER_PUBLIC_URL, NOABER_TRUSTED_PROXIES,\n"
    "NOABER_SMTP_HOST, ...). See docs/operations.md.\n";

struct opts {
    const char *config, *db, *listen, *password, *email, *name, *to, *from;
    int help;
};

/* Parses the common flags of every command; returns 0, or 2 after printing an error. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, 0, 'c'}, {"db", required_argument, 0, 'd'},
        {"listen", required_argument, 0, 'l'}, {"password", required_argument, 0, 'p'},
        {"email", required_argument, 0, 'e'},  {"name", required_argument, 0, 'n'},
        {"to", required_argument, 0, 't'},     {"from", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->config = optarg;
            break;
        case 'd':
            o->db = optarg;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case 'p':
            o->password = optarg;
            break;
        case 'e':
            o->email = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 't':
            o->to = optarg;
            break;
        case 'f':
            o->from = optarg;
            break;
        case 'h':
            o->help = 1;
            break;
        default:
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "noaber: unexpected argument '%s' (try --help)\n", argv[optind]);
        return 2;
    }
    return 0;
}

static int
load_config(const struct opts *o, struct noaber_config *cfg)
{
    char err[256];
    noaber_config_defaults(cfg);
    if (noaber_config_load_file(cfg, o->config, err, sizeof err) != 0 ||
        noaber_config_load_env(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "noaber: %s\n", err);
        return 2;
    }
    if ((o->db && noaber_config_set(cfg, "db", o->db) != 0) ||
        (o->listen && noaber_config_set(cfg, "listen", o->listen) != 0)) {
        fprintf(stderr, "noaber: invalid --db or --listen\n");
        return 2;
    }
    if (strcmp(cfg->log_level, "debug") == 0)
        noaber_log_set_level(NOABER_LOG_DEBUG);
    else if (strcmp(cfg->log_level, "warn") == 0)
        noaber_log_set_level(NOABER_LOG_WARN);
    return 0;
}

/* The database target as it may be printed (a URL's password hidden). */
static const char *
shown(const char *target)
{
    static char buf[600];
    noaber_db_target_safe(target, buf, sizeof buf);
    return buf;
}

/* Opens and migrates the database; NULL after a message on error. Several processes may do
 * this at once on one PostgreSQL database: the migration locks by itself, and the lock "init"
 * lets only one of them create the installation's secret. */
static struct noaber_db *
open_db(const struct noaber_config *cfg)
{
    struct noaber_db *db;
    int applied = 0;
    if (noaber_db_open(cfg->db, &db) != NOABER_OK) {
        fprintf(stderr, "noaber: cannot open the database %s\n", shown(cfg->db));
        return NULL;
    }
    enum noaber_err e = noaber_db_migrate(db, &applied);
    if (e == NOABER_OK)
        e = noaber_db_lock(db, "init");
    if (e == NOABER_OK) {
        e = members_init(db);
        enum noaber_err u = noaber_db_unlock(db, "init");
        e = e != NOABER_OK ? e : u;
    }
    if (e != NOABER_OK) {
        fprintf(stderr, "noaber: cannot bring the database %s up to date\n", shown(cfg->db));
        noaber_db_close(db);
        return NULL;
    }
    return db;
}

static int
cmd_init(int argc, char **argv, int migrate_only)
{
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc, argv, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help) {
        printf(migrate_only ? "Usage: noaber migrate --db PATH_OR_URL\nApplies the migrations "
                              "this program has and the database lacks.\n"
                            : "Usage: noaber init --db PATH_OR_URL\nCreates an empty database "
                              "with the full schema (a PostgreSQL database must exist:\n"
                              "createdb first).\n");
        return 0;
    }
    struct noaber_db *db = open_db(&cfg);
    if (!db)
        return 1;
    printf("%s: schema version %d\n", shown(cfg.db), noaber_db_schema_version(db));
    noaber_db_close(db);
    return 0;
}

static int
cmd_demo(int argc, char **argv)
{
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc, argv, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help) {
        printf("Usage: noaber demo --db PATH [--password PW]\nCreates a demo city cooperative "
               "with three neighbourhoods and one account per role\n(default password %s).\n",
               DEMO_PASSWORD);
        return 0;
    }
    const char *pw = o.password ? o.password : DEMO_PASSWORD;
    struct noaber_db *db = open_db(&cfg);
    if (!db)
        return 1;
    enum noaber_err e = members_demo(db, pw);
    if (e == NOABER_OK)
        e = panels_web_demo(db, &cfg);
    noaber_db_close(db);
    if (e != NOABER_OK) {
        fprintf(stderr, "noaber: cannot create the demo: %s\n", noaber_err_msg(e, NOABER_LANG_EN));
        return 1;
    }
    printf("Demo database %s created: a city cooperative with the neighbourhoods Binnenstad, "
           "Oost and Zuilen.\n\nDemo accounts (password: %s):\n"
           "  admin@demo.noaber.nl         administrator (beheerder)\n"
           "  coordinator@demo.noaber.nl   coordinator of Binnenstad\n"
           "  connector@demo.noaber.nl     connector (buurtassistent) of Binnenstad\n"
           "  partner@demo.noaber.nl       partner (GP practice) in Binnenstad\n"
           "  resident@demo.noaber.nl      resident of Binnenstad\n\n"
           "Citizens' panels: one published, one open for sign-up at /panel/signup with the\n"
           "demo response code DEMA-2345.\n\n",
           shown(cfg.db), pw);
    return 0;
}

/* Reads a password from the terminal without echo (or a line from a pipe). */
static int
read_password(const char *prompt, char *buf, size_t n)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs(prompt, stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *ok = fgets(buf, (int)n, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int
cmd_admin(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        printf("Usage: noaber admin create --email E [--name NAME] [--db PATH]\nCreates an "
               "administrator; the password is asked on the terminal.\n");
        return argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? 0 : 2;
    }
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc - 1, argv + 1, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help || !o.email) {
        printf("Usage: noaber admin create --email E [--name NAME] [--db PATH]\n");
        return o.help ? 0 : 2;
    }
    char pw[256], pw2[256];
    if (read_password("Password (at least 10 characters): ", pw, sizeof pw) ||
        read_password("Again: ", pw2, sizeof pw2) || strcmp(pw, pw2) != 0) {
        fprintf(stderr, "noaber: the passwords are not the same\n");
        return 1;
    }
    struct noaber_db *db = open_db(&cfg);
    if (!db)
        return 1;
    int64_t id;
    enum noaber_err e = members_create_admin(db, o.email, o.name ? o.name : "Beheerder", pw, &id);
    noaber_db_close(db);
    explicit_bzero(pw, sizeof pw);
    explicit_bzero(pw2, sizeof pw2);
    if (e != NOABER_OK) {
        fprintf(stderr, "noaber: %s / %s\n", noaber_err_msg(e, NOABER_LANG_NL),
                noaber_err_msg(e, NOABER_LANG_EN));
        return 1;
    }
    printf("Administrator %s created.\n", o.email);
    return 0;
}

static int
cmd_backup(int argc, char **argv)
{
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc, argv, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help || !o.to) {
        printf("Usage: noaber backup --db PATH --to FILE\nCopies the database with SQLite's "
               "online backup: safe while the server runs.\nA PostgreSQL database is backed up "
               "with pg_dump and WAL archiving (docs/operations.md).\n");
        return o.help ? 0 : 2;
    }
    if (noaber_db_target_is_pg(cfg.db)) {
        fprintf(stderr,
                "noaber: %s is a PostgreSQL database: back it up with pg_dump (and WAL "
                "archiving), see docs/operations.md\n",
                shown(cfg.db));
        return 1;
    }
    struct noaber_db *db;
    if (noaber_db_open(cfg.db, &db) != NOABER_OK)
        return 1;
    enum noaber_err e = noaber_db_backup(db, o.to);
    noaber_db_close(db);
    if (e != NOABER_OK)
        return 1;
    printf("Backup of %s written to %s\n", cfg.db, o.to);
    return 0;
}

static void
copy_report(const char *table, int64_t rows, const char *sha256, void *ctx)
{
    (void)ctx;
    printf("  %-28s %10lld rows  sha256 %.16s…  ok\n", table, (long long)rows, sha256);
}

/* `noaber copy`: the whole installation from one database into an empty other one. */
static int
cmd_copy(int argc, char **argv)
{
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc, argv, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help || !o.from || !o.to) {
        printf("Usage: noaber copy --from PATH_OR_URL --to PATH_OR_URL\n"
               "Copies every table of an installation into an empty database, SQLite to "
               "PostgreSQL or back,\nand checks each table's row count and checksum before it "
               "commits. Stop the servers first.\nThe target must be empty: a new SQLite file, "
               "or a new database from createdb.\n");
        return o.help ? 0 : 2;
    }
    char from[600];
    snprintf(from, sizeof from, "%s", shown(o.from));
    struct noaber_db *src = NULL, *dst = NULL;
    if (noaber_db_open(o.from, &src) != NOABER_OK) {
        fprintf(stderr, "noaber: cannot open the database %s\n", from);
        return 1;
    }
    if (noaber_db_open(o.to, &dst) != NOABER_OK) {
        fprintf(stderr, "noaber: cannot open the database %s\n", shown(o.to));
        noaber_db_close(src);
        return 1;
    }
    printf("Copying %s (%s) to %s (%s):\n", from, noaber_db_engine_name(src), shown(o.to),
           noaber_db_engine_name(dst));
    fflush(stdout); /* before any error on stderr */
    enum noaber_err e = noaber_db_copy(src, dst, copy_report, NULL);
    noaber_db_close(src);
    noaber_db_close(dst);
    if (e != NOABER_OK) {
        fprintf(stderr, "noaber: nothing was copied: %s\n",
                e == NOABER_E_NOT_EMPTY ? noaber_err_msg(e, NOABER_LANG_EN)
                                        : "see the messages above");
        return 1;
    }
    printf("Done: every table has the same rows and checksum in both databases.\n");
    return 0;
}

static int
cmd_routes(void)
{
    struct noaber_router *rt = noaber_router_new(noaber_route_tables);
    for (size_t i = 0; i < noaber_router_count(rt); i++) {
        const struct noaber_route *r = noaber_router_at(rt, i);
        printf("%-6s %-55s %s\n", noaber_method_name(r->method), r->pattern,
               members_action_name(r->action));
    }
    noaber_router_free(rt);
    return 0;
}

/* `noaber maintenance`: the retention clean-up the server runs once a day, run once now. */
static int
cmd_maintenance(int argc, char **argv)
{
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc, argv, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help) {
        printf("Usage: noaber maintenance --db PATH\nDeletes every row that has passed its "
               "retention period (docs/privacy.md) and\nprints how many per table. The server "
               "does this once a day by itself.\n");
        return 0;
    }
    struct noaber_db *db = open_db(&cfg);
    if (!db)
        return 1;
    size_t n = privacy_table_count();
    int64_t *deleted = calloc(n ? n : 1, sizeof *deleted), total = 0;
    enum noaber_err e =
        deleted ? privacy_retention_run(db, noaber_now(), deleted) : NOABER_E_INTERNAL;
    for (size_t i = 0; deleted && i < n; i++) {
        const struct privacy_table *t = privacy_table_at(i);
        if (t->retention_column || (t->rules && t->rules[0].column))
            printf("%-24s %lld rows deleted\n", t->table, (long long)deleted[i]);
        total += deleted[i];
    }
    free(deleted);
    noaber_db_close(db);
    if (e != NOABER_OK) {
        fprintf(stderr, "noaber: the clean-up stopped: %s\n", noaber_err_msg(e, NOABER_LANG_EN));
        return 1;
    }
    printf("%lld rows deleted in all\n", (long long)total);
    return 0;
}

/* `noaber privacy-register`: the processing register, as committed in docs/privacy.md. */
static int
cmd_privacy_register(void)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    privacy_register_markdown(&b);
    fputs(noaber_buf_str(&b), stdout);
    noaber_buf_release(&b);
    return 0;
}

static int
cmd_serve(int argc, char **argv)
{
    struct opts o;
    struct noaber_config cfg;
    if (parse_opts(argc, argv, &o) || load_config(&o, &cfg))
        return 2;
    if (o.help) {
        printf("Usage: noaber serve [--config FILE] [--db PATH_OR_URL] [--listen HOST:PORT]\n"
               "Serves the web app (default http://127.0.0.1:8080) until SIGTERM or SIGINT.\n");
        return 0;
    }
    struct noaber_db *db = open_db(&cfg);
    if (!db)
        return 1;
    noaber_db_close(db);
    if (noaber_i18n_init() != 0 || noaber_tmpl_init() != 0) {
        fprintf(stderr, "noaber: the built-in templates or translations are broken\n");
        return 1;
    }
    /* Block the stop signals in every thread; this thread waits for them below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    notify_init(&cfg);
    struct noaber_dbpool *pool = noaber_dbpool_new(cfg.db);
    struct noaber_server *s = noaber_server_start(&cfg, pool);
    if (!s) {
        noaber_dbpool_free(pool);
        return 1;
    }
    struct notify_worker *w = notify_worker_start(pool, &cfg, NULL);
    struct privacy_worker *pw = privacy_worker_start(pool, 600, 3600); /* daily clean-up */
    noaber_info("Noaber %s listening on http://%s (port %d), database %s", NOABER_VERSION,
                cfg.listen, noaber_server_port(s), shown(cfg.db));
    printf("Noaber serves http://%s/ — stop with Ctrl-C.\n", cfg.listen);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    noaber_info("signal %d: stopping", sig);
    noaber_server_stop(s);
    notify_worker_stop(w);
    privacy_worker_stop(pw);
    noaber_dbpool_free(pool);
    noaber_tmpl_shutdown();
    noaber_i18n_shutdown();
    return 0;
}

int
main(int argc, char **argv)
{
    if (noaber_crypto_init() != 0) {
        fputs("noaber: cannot initialise libsodium\n", stderr);
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("noaber %s\n", NOABER_VERSION);
        return 0;
    }
    /* Messages that commands queue (the demo's, a new administrator's) are written in each
     * person's own language, so the catalogues are needed before any command runs. */
    if (strcmp(cmd, "panel") != 0 && noaber_i18n_init() != 0) {
        fputs("noaber: the built-in translations are broken\n", stderr);
        return 1;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc - 1, argv + 1, 0);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_init(argc - 1, argv + 1, 1);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "admin") == 0)
        return cmd_admin(argc - 1, argv + 1);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc - 1, argv + 1);
    if (strcmp(cmd, "copy") == 0)
        return cmd_copy(argc - 1, argv + 1);
    if (strcmp(cmd, "panel") == 0)
        return panels_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "routes") == 0)
        return cmd_routes();
    if (strcmp(cmd, "maintenance") == 0)
        return cmd_maintenance(argc - 1, argv + 1);
    if (strcmp(cmd, "privacy-register") == 0)
        return cmd_privacy_register();
    fprintf(stderr, "noaber: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
