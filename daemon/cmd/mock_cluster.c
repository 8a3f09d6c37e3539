/* `newsenrichd mock-cluster`: a standalone librdkafka mock cluster for tests and local
 * experiments. Prints the bootstrap servers on stdout (and writes them atomically to
 * --bootstrap-file), then runs until SIGTERM/SIGINT. Brokers listen on 127.0.0.1, random ports.
 * Not a Kafka broker: see include/ne/mock.h for what the mock keeps and drops. With --control it
 * also reads fault-injection commands (include/ne/mock_cmd.h) from a FIFO or stdin and answers
 * each on stdout with one "ok LINE" or "error LINE: WHY" line; a bad command never stops it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ne/cmd.h"
#include "ne/mock.h"
#include "ne/mock_cmd.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
        (void)sig;
        stop = 1;
}

static void usage(FILE *out)
{
        fprintf(out,
                "usage: newsenrichd mock-cluster [--brokers N] --topic NAME[:PARTITIONS]...\n"
                "                                [--bootstrap-file FILE] [--control FIFO|-]\n\n"
                "Runs a librdkafka mock cluster on 127.0.0.1 until SIGTERM/SIGINT.\n"
                "  -b, --brokers N          brokers (1..16, default 1)\n"
                "  -t, --topic NAME[:P]     create a topic with P partitions (default 1); "
                "repeatable\n"
                "  -f, --bootstrap-file F   also write the bootstrap servers to F (atomically)\n"
                "  -c, --control FIFO|-     read fault-injection commands, one per line, from\n"
                "                           FIFO (created if missing) or stdin; each is answered\n"
                "                           on stdout with \"ok LINE\" or \"error LINE: WHY\"\n"
                "Group joins take ~3 s; after a member leaves the next join waits\n"
                "session.timeout.ms - 1 s. Retention: 5 MiB or 100,000 message sets per "
                "partition.\n\n"
                "Control commands (names case-insensitive; brokers are 1..N):\n"
                "  ping\n"
                "  produce-errors|fetch-errors|commit-errors COUNT [ERROR]\n"
                "  request-errors API COUNT [ERROR]      next COUNT API requests fail\n"
                "  broker-errors BROKER API COUNT [ERROR [RTT_MS]]\n"
                "  clear-errors API\n"
                "  broker-down BROKER | broker-up BROKER  (down does not move leaders)\n"
                "  rtt BROKER MS                          added response latency\n"
                "  leader TOPIC PARTITION BROKER\n"
                "  coordinator group|transaction KEY BROKER\n"
                "  topic-error TOPIC ERROR                (NO_ERROR clears)\n"
                "API: produce fetch listoffsets metadata offsetcommit offsetfetch findcoordinator\n"
                "joingroup heartbeat leavegroup syncgroup initproducerid, or a number. ERROR: a\n"
                "librdkafka error name (default NOT_LEADER_OR_FOLLOWER) or number.\n");
}

/* The control channel: a FIFO (or stdin) read without blocking from the main loop. */
struct control {
        int fd;      /* -1: none, or closed after EOF on stdin */
        int keep_fd; /* our own writer on the FIFO, so it never reports EOF between writers */
        char buf[NE_MOCK_CMD_MAX_LINE + 1];
        size_t len;
        bool overlong; /* discarding the rest of a line that did not fit */
};

static int control_open(struct control *ctl, const char *path)
{
        struct stat st;
        ctl->fd = ctl->keep_fd = -1;
        if (strcmp(path, "-") == 0) {
                ctl->fd = STDIN_FILENO;
                return 0;
        }
        if (mkfifo(path, 0600) < 0 && errno != EEXIST)
                return -errno;
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISFIFO(st.st_mode))
                return -ENOTSUP;
        ctl->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (ctl->fd < 0)
                return -errno;
        ctl->keep_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (ctl->keep_fd < 0) {
                int r = -errno;
                close(ctl->fd);
                ctl->fd = -1;
                return r;
        }
        return 0;
}

static void control_close(struct control *ctl)
{
        if (ctl->fd > STDIN_FILENO)
                close(ctl->fd);
        if (ctl->keep_fd >= 0)
                close(ctl->keep_fd);
        ctl->fd = ctl->keep_fd = -1;
}

/* Parses and applies one line and answers it; blank and comment lines get no answer. */
static void control_line(struct ne_mock_cluster *mc, const char *line)
{
        struct ne_mock_cmd cmd;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_mock_cmd_parse(line, &cmd, &diag);
        if (r == 0)
                return;
        if (r > 0)
                r = ne_mock_cluster_apply(mc, &cmd, &diag);
        if (r < 0) {
                printf("error %s: %s\n", line, diag.msg);
                fprintf(stderr, "mock-cluster: control: refused: %s: %s\n", line, diag.msg);
        } else {
                printf("ok %s\n", line);
                fprintf(stderr, "mock-cluster: control: applied: %s\n", line);
        }
        fflush(stdout);
}

/* Waits up to `ms` for input and handles every complete line. */
static void control_poll(struct control *ctl, struct ne_mock_cluster *mc, int ms)
{
        struct pollfd pfd = {.fd = ctl->fd, .events = POLLIN};
        if (poll(&pfd, 1, ms) <= 0)
                return;
        char chunk[512];
        ssize_t n = read(ctl->fd, chunk, sizeof(chunk));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                ctl->fd = -1; /* stdin closed: keep running without a control channel */
                return;
        }
        for (ssize_t i = 0; i < n; i++) {
                char ch = chunk[i];
                if (ch == '\n') {
                        ctl->buf[ctl->len] = '\0';
                        if (ctl->overlong) {
                                printf("error %.40s...: longer than %d bytes\n", ctl->buf,
                                       NE_MOCK_CMD_MAX_LINE);
                                fflush(stdout);
                        } else {
                                control_line(mc, ctl->buf);
                        }
                        ctl->len = 0;
                        ctl->overlong = false;
                } else if (ctl->len < NE_MOCK_CMD_MAX_LINE) {
                        ctl->buf[ctl->len++] = ch == '\0' ? ' ' : ch;
                } else {
                        ctl->overlong = true;
                }
        }
}

/* Writes `text` and a newline to `path` through a temporary file and rename(2), so a reader
 * polling for the file never sees it half-written. */
static int write_atomically(const char *path, const char *text)
{
        char tmp[4096];
        if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
                return -ENAMETOOLONG;
        FILE *f = fopen(tmp, "w");
        if (!f)
                return -errno;
        int ok = fprintf(f, "%s\n", text) >= 0;
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp, path) < 0) {
                int r = -errno;
                unlink(tmp);
                return r ? r : -EIO;
        }
        return 0;
}

static int parse_topic(char *arg, char **ret_name, int *ret_parts)
{
        char *colon = strrchr(arg, ':');
        int parts = 1;
        if (colon) {
                char *end;
                long v = strtol(colon + 1, &end, 10);
                if (*end || v < 1 || v > 1000)
                        return -EINVAL;
                parts = (int)v;
                *colon = '\0';
        }
        if (!*arg)
                return -EINVAL;
        *ret_name = arg;
        *ret_parts = parts;
        return 0;
}

int ne_cmd_mock_cluster(int argc, char **argv)
{
        static const struct option opts[] = {
            {"brokers", required_argument, NULL, 'b'},
            {"topic", required_argument, NULL, 't'},
            {"bootstrap-file", required_argument, NULL, 'f'},
            {"control", required_argument, NULL, 'c'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        long brokers = 1;
        const char *file = NULL, *control = NULL;
        struct control ctl = {.fd = -1, .keep_fd = -1};
        char **topics = calloc((size_t)argc, sizeof(char *));
        size_t n_topics = 0;
        int c, status = 1;
        struct ne_mock_cluster *mc = NULL;
        struct ne_diag diag;
        if (!topics)
                return 1;
        while ((c = getopt_long(argc, argv, "b:t:f:c:h", opts, NULL)) != -1) {
                switch (c) {
                case 'b': {
                        char *end;
                        brokers = strtol(optarg, &end, 10);
                        if (*end || brokers < 1 || brokers > 16) {
                                fprintf(stderr, "mock-cluster: --brokers must be 1..16\n");
                                status = 2;
                                goto out;
                        }
                        break;
                }
                case 't':
                        topics[n_topics++] = optarg;
                        break;
                case 'f':
                        file = optarg;
                        break;
                case 'c':
                        control = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        status = 0;
                        goto out;
                default:
                        usage(stderr);
                        status = 2;
                        goto out;
                }
        }
        if (optind < argc) {
                usage(stderr);
                status = 2;
                goto out;
        }
        ne_diag_clear(&diag);
        if (ne_mock_cluster_new((int)brokers, &mc, &diag) < 0) {
                fprintf(stderr, "mock-cluster: %s\n", diag.msg);
                goto out;
        }
        for (size_t i = 0; i < n_topics; i++) {
                char *name;
                int parts;
                if (parse_topic(topics[i], &name, &parts) < 0) {
                        fprintf(stderr, "mock-cluster: bad --topic '%s' (NAME[:1..1000])\n",
                                topics[i]);
                        status = 2;
                        goto out;
                }
                if (ne_mock_cluster_create_topic(mc, name, parts, &diag) < 0) {
                        fprintf(stderr, "mock-cluster: %s\n", diag.msg);
                        goto out;
                }
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        if (control) {
                int r = control_open(&ctl, control);
                if (r < 0) {
                        fprintf(stderr, "mock-cluster: --control %s: %s\n", control,
                                r == -ENOTSUP ? "exists and is not a FIFO" : strerror(-r));
                        goto out;
                }
        }
        const char *bs = ne_mock_cluster_bootstraps(mc);
        printf("%s\n", bs);
        fflush(stdout);
        if (file) {
                int r = write_atomically(file, bs);
                if (r < 0) {
                        fprintf(stderr, "mock-cluster: %s: %s\n", file, strerror(-r));
                        goto out;
                }
        }
        while (!stop) {
                if (ctl.fd >= 0) {
                        control_poll(&ctl, mc, 100);
                        continue;
                }
                struct timespec ts = {0, 100 * 1000000L};
                nanosleep(&ts, NULL);
        }
        status = 0;
out:
        control_close(&ctl);
        ne_mock_cluster_free(mc);
        free(topics);
        return status;
}
