/* Unit tests for the sd_notify wrapper: a real AF_UNIX datagram socket stands in for systemd's
 * notification socket, so the exact protocol lines the daemon sends are checked in order. */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ne/notify.h"

static char dir[64];
static char path[100];
static int sock = -1;

static void listen_setup(void)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct timeval tv = {.tv_sec = 2};

        snprintf(dir, sizeof(dir), "/tmp/ne-notify-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/notify", dir);
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(sock, 0);
        cr_assert_lt(strlen(path), sizeof(sa.sun_path));
        memcpy(sa.sun_path, path, strlen(path) + 1);
        cr_assert_eq(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind: %s",
                     strerror(errno));
        cr_assert_eq(setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        cr_assert_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
}

static void listen_teardown(void)
{
        if (sock >= 0)
                close(sock);
        unlink(path);
        rmdir(dir);
        unsetenv("NOTIFY_SOCKET");
}

/* Receives one datagram as a C string; fails the test on timeout. */
static void recv_msg(char *out, size_t size)
{
        ssize_t n = recv(sock, out, size - 1, 0);
        cr_assert_gt(n, 0, "no datagram: %s", strerror(errno));
        out[n] = '\0';
}

TestSuite(notify, .init = listen_setup, .fini = listen_teardown);

Test(notify, sends_protocol_lines_in_order)
{
        char msg[512];

        cr_assert_eq(ne_notify_ready(), 1);
        cr_assert_eq(ne_notify_status("consuming %d partitions", 3), 1);
        cr_assert_eq(ne_notify_watchdog(), 1);
        cr_assert_eq(ne_notify_stopping(), 1);

        recv_msg(msg, sizeof(msg));
        cr_assert_str_eq(msg, "READY=1");
        recv_msg(msg, sizeof(msg));
        cr_assert_str_eq(msg, "STATUS=consuming 3 partitions");
        recv_msg(msg, sizeof(msg));
        cr_assert_str_eq(msg, "WATCHDOG=1");
        recv_msg(msg, sizeof(msg));
        cr_assert_str_eq(msg, "STOPPING=1");
}

Test(notify, reloading_carries_monotonic_timestamp)
{
        char msg[512];
        struct timespec ts;
        uint64_t usec = 0;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t before = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        cr_assert_eq(ne_notify_reloading(), 1);
        recv_msg(msg, sizeof(msg));
        cr_assert_eq(strncmp(msg, "RELOADING=1\nMONOTONIC_USEC=", 27), 0, "got '%s'", msg);
        cr_assert_eq(sscanf(msg + 27, "%" SCNu64, &usec), 1);
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t after = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        cr_assert(usec >= before && usec <= after, "%" PRIu64 " not in [%" PRIu64 ", %" PRIu64 "]",
                  usec, before, after);
}

Test(notify, status_cannot_inject_assignments)
{
        char msg[512];

        cr_assert_eq(ne_notify_status("bad\nREADY=1\rx"), 1);
        recv_msg(msg, sizeof(msg));
        cr_assert_str_eq(msg, "STATUS=bad READY=1 x");
}

Test(notify, long_status_is_truncated)
{
        char msg[1024];
        char text[600];

        memset(text, 'a', sizeof(text) - 1);
        text[sizeof(text) - 1] = '\0';
        cr_assert_eq(ne_notify_status("%s", text), 1);
        recv_msg(msg, sizeof(msg));
        cr_assert_eq(strncmp(msg, "STATUS=aaa", 10), 0);
        cr_assert_eq(strlen(msg), 7 + 255);
}

Test(notify, environment_survives_calls)
{
        char msg[64];

        cr_assert_eq(ne_notify_ready(), 1);
        cr_assert_str_eq(getenv("NOTIFY_SOCKET"), path);
        cr_assert_eq(ne_notify_watchdog(), 1);
        recv_msg(msg, sizeof(msg));
        recv_msg(msg, sizeof(msg));
        cr_assert_str_eq(msg, "WATCHDOG=1");
}

Test(notify_off, noop_without_socket)
{
        unsetenv("NOTIFY_SOCKET");
        cr_assert_eq(ne_notify_ready(), 0);
        cr_assert_eq(ne_notify_status("x"), 0);
        cr_assert_eq(ne_notify_reloading(), 0);
        cr_assert_eq(ne_notify_watchdog(), 0);
        cr_assert_eq(ne_notify_stopping(), 0);
}

Test(notify_off, send_failure_is_negative_errno)
{
        /* A socket path nobody listens on: the daemon gets an error to log, not a crash. */
        setenv("NOTIFY_SOCKET", "/nonexistent-ne-dir/notify", 1);
        cr_assert_lt(ne_notify_ready(), 0);
        unsetenv("NOTIFY_SOCKET");
}

struct wd_case {
        const char *usec; /* WATCHDOG_USEC, NULL = unset */
        int pid_mode;     /* 0 = unset, 1 = our pid, 2 = another pid */
        int want_r;       /* 1, 0, or -1 for "any negative" */
        uint64_t want;
};

static const struct wd_case wd_cases[] = {
    {"2000000", 1, 1, 1000000}, /* enabled: half the timeout */
    {"2000000", 0, 1, 1000000}, /* no WATCHDOG_PID: applies to us */
    {"3", 1, 1, 1},             /* rounds down, never to 0 */
    {"2000000", 2, 0, 0},       /* meant for another process */
    {NULL, 0, 0, 0},            /* disabled */
    {"abc", 1, -1, 0},          /* malformed */
    {"0", 1, -1, 0},            /* zero timeout is invalid */
};

Test(notify_off, watchdog_interval_table)
{
        for (size_t i = 0; i < sizeof(wd_cases) / sizeof(wd_cases[0]); i++) {
                const struct wd_case *c = &wd_cases[i];
                char pid[32];
                uint64_t got = 777;

                if (c->usec)
                        setenv("WATCHDOG_USEC", c->usec, 1);
                else
                        unsetenv("WATCHDOG_USEC");
                snprintf(pid, sizeof(pid), "%ld", c->pid_mode == 1 ? (long)getpid() : 1L);
                if (c->pid_mode)
                        setenv("WATCHDOG_PID", pid, 1);
                else
                        unsetenv("WATCHDOG_PID");

                int r = ne_notify_watchdog_interval_us(&got);
                if (c->want_r < 0) {
                        cr_assert_lt(r, 0, "case %zu: r=%d", i, r);
                        cr_assert_eq(got, 777, "case %zu: *ret written on error", i);
                } else {
                        cr_assert_eq(r, c->want_r, "case %zu: r=%d", i, r);
                        cr_assert_eq(got, c->want, "case %zu: got %" PRIu64, i, got);
                }
        }
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
}
