/*
 * Password hashing with argon2id (libsodium, interactive limits: 64 MiB and two passes). A hash
 * takes tens of milliseconds and 64 MiB, so at most two run at the same time: a burst of logins
 * then waits instead of exhausting a small server's memory.
 */
#include "members/members.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
static int running;

static void
enter(void)
{
    pthread_mutex_lock(&lock);
    while (running >= 2)
        pthread_cond_wait(&freed, &lock);
    running++;
    pthread_mutex_unlock(&lock);
}

static void
leave(void)
{
    pthread_mutex_lock(&lock);
    running--;
    pthread_cond_signal(&freed);
    pthread_mutex_unlock(&lock);
}

enum noaber_err
members_password_hash(const char *password, char out[128])
{
    _Static_assert(crypto_pwhash_STRBYTES <= 128, "hash buffer");
    enter();
    int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    leave();
    return rc == 0 ? NOABER_OK : NOABER_E_INTERNAL;
}

int
members_password_verify(const char *hash, const char *password)
{
    if (!hash || !*hash)
        return 0;
    enter();
    int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    leave();
    return ok;
}
