/* The only writer of log lines: stderr, sd-daemon priority prefixes, one write(2) per line so
 * lines from several threads never interleave. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/log.h"

static volatile int max_level = NE_LOG_INFO;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
        [NE_LOG_ERR] = "err",       [NE_LOG_WARNING] = "warning", [NE_LOG_NOTICE] = "notice",
        [NE_LOG_INFO] = "info",     [NE_LOG_DEBUG] = "debug",
};

void ne_log_set_level(enum ne_log_level level)
{
        max_level = (int)level;
}

int ne_log_level_parse(const char *name, enum ne_log_level *ret)
{
        for (int l = NE_LOG_ERR; l <= NE_LOG_DEBUG; l++) {
                if (strcmp(name, level_names[l]) == 0) {
                        *ret = (enum ne_log_level)l;
                        return 0;
                }
        }
        return -EINVAL;
}

/* The format attribute makes the compiler check fmt against the arguments at ne_log's and
 * ne_log_ratelimited's call sites (both declared printf-like) instead of warning here that fmt
 * is not a literal. */
static void vlog(enum ne_log_level level, const char *module, const char *suffix,
                 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void vlog(enum ne_log_level level, const char *module, const char *suffix,
                 const char *fmt, va_list ap)
{
        char line[2048];
        int n = snprintf(line, sizeof(line), "<%d>%s: ", (int)level, module);
        if (n < 0)
                return;
        int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        if (m < 0)
                return;
        size_t len = (size_t)n + (size_t)m;
        if (len > sizeof(line) - 64)
                len = sizeof(line) - 64; /* truncated: keep room for the suffix */
        len += (size_t)snprintf(line + len, sizeof(line) - len, "%s\n", suffix);
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w; /* nowhere to report a failed log write */
}

void ne_log(enum ne_log_level level, const char *module, const char *fmt, ...)
{
        if ((int)level > max_level)
                return;
        va_list ap;
        va_start(ap, fmt);
        vlog(level, module, "", fmt, ap);
        va_end(ap);
}

void ne_log_ratelimited(struct ne_log_ratelimit *rl, unsigned int burst, unsigned int interval_s,
                        enum ne_log_level level, const char *module, const char *fmt, ...)
{
        if ((int)level > max_level)
                return;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        unsigned long suppressed = 0;
        pthread_mutex_lock(&rl_lock);
        if (now.tv_sec - rl->window_start >= (long)interval_s) {
                rl->window_start = now.tv_sec;
                rl->in_window = 0;
        }
        int pass = rl->in_window < burst;
        if (pass) {
                rl->in_window++;
                suppressed = rl->suppressed;
                rl->suppressed = 0;
        } else {
                rl->suppressed++;
        }
        pthread_mutex_unlock(&rl_lock);
        if (!pass)
                return;
        char suffix[64] = "";
        if (suppressed)
                snprintf(suffix, sizeof(suffix), " suppressed=%lu", suppressed);
        va_list ap;
        va_start(ap, fmt);
        vlog(level, module, suffix, fmt, ap);
        va_end(ap);
}
