/* The daemon's side of systemd's service notification protocol (sd_notify(3)): READY, STATUS,
 * RELOADING, STOPPING and watchdog keep-alives. A thin wrapper over libsystemd so the pipeline
 * never formats protocol lines itself. Every call is a no-op returning 0 when NOTIFY_SOCKET is
 * unset (run from a terminal, from tests, or under a non-notify unit). The environment is never
 * unset, so every call keeps working for the life of the process.
 *
 * Threads: libsystemd's sd_notify is thread-safe, but by design only the main loop calls these
 * (the unit has NotifyAccess=main, and the watchdog must prove the *main loop* is alive). */
#ifndef NE_NOTIFY_H
#define NE_NOTIFY_H

#include <stdint.h>

/* Each returns 1 when the message was sent, 0 when there is no NOTIFY_SOCKET, or a negative
 * errno when sending failed (log it once; the daemon keeps running). */

/* READY=1: start-up finished (config loaded, models loaded, Kafka clients created). Also sent
 * again after a reload finished, which ends the RELOADING state. */
int ne_notify_ready(void);

/* STATUS=<text>: one line shown by `systemctl status`. Newlines in the formatted text are turned
 * into spaces (a newline would start another protocol assignment); at most 255 bytes are sent. */
int ne_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* RELOADING=1 and MONOTONIC_USEC=<now>: a SIGHUP reload started. Send ne_notify_ready() when it
 * finished, whatever its result. */
int ne_notify_reloading(void);

/* STOPPING=1: shutdown started (send before the producer flush, so systemd applies
 * TimeoutStopSec rather than the watchdog to the rest). */
int ne_notify_stopping(void);

/* WATCHDOG=1: the main loop is alive. Call from the main loop's periodic place, at the interval
 * ne_notify_watchdog_interval_us() gives. */
int ne_notify_watchdog(void);

/* How often to send WATCHDOG=1: half of WATCHDOG_USEC, so one late tick does not kill the
 * service. Returns 1 and *ret = the interval when the watchdog is enabled for this process,
 * 0 and *ret = 0 when it is not, or a negative errno (-EINVAL for a malformed WATCHDOG_USEC or
 * WATCHDOG_PID) leaving *ret untouched. */
int ne_notify_watchdog_interval_us(uint64_t *ret);

#endif
