/* Logging for the daemon's deciding layers (main, pipeline, ops). Writes one line per event to
 * stderr with the sd-daemon <N> priority prefix so journald keeps the level; no timestamps,
 * journald adds them. Library-like modules (codec, enrich, config parsing) must not call this:
 * they report through struct ne_diag and their caller logs once. */
#ifndef NE_LOG_H
#define NE_LOG_H

#include <stdarg.h>

enum ne_log_level {
        NE_LOG_ERR = 3,
        NE_LOG_WARNING = 4,
        NE_LOG_NOTICE = 5,
        NE_LOG_INFO = 6,
        NE_LOG_DEBUG = 7,
};

/* Lines above this level are dropped. Default NE_LOG_INFO. Call before threads start. */
void ne_log_set_level(enum ne_log_level level);

/* Parses "err|warning|notice|info|debug". Returns 0 or -EINVAL; *ret written on success. */
int ne_log_level_parse(const char *name, enum ne_log_level *ret);

/* Writes "<N>module: message\n" atomically (one write(2)); thread-safe. */
void ne_log(enum ne_log_level level, const char *module, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Like ne_log, but at most `burst` lines per `interval_s` seconds for one *state; suppressed
 * lines are counted and reported on the next line that passes. The state is a caller-owned
 * static; thread-safe. */
struct ne_log_ratelimit {
        long window_start;
        unsigned int in_window;
        unsigned long suppressed;
};
void ne_log_ratelimited(struct ne_log_ratelimit *rl, unsigned int burst, unsigned int interval_s,
                        enum ne_log_level level, const char *module, const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));

#endif
