/* `newsenrichd mock-cluster`: a standalone librdkafka mock cluster for tests and local
 * experiments. Prints the bootstrap servers on stdout (and writes them atomically to
 * --bootstrap-file), then runs until SIGTERM/SIGINT. Brokers listen on 127.0.0.1, random ports.
 * Not a Kafka broker: see include/ne/mock.h for what the mock keeps and drops. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/cmd.h"
#include "ne/mock.h"

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
                "                                [--bootstrap-file FILE]\n\n"
                "Runs a librdkafka mock cluster on 127.0.0.1 until SIGTERM/SIGINT.\n"
                "  -b, --brokers N          brokers (1..16, default 1)\n"
                "  -t, --topic NAME[:P]     create a topic with P partitions (default 1); "
                "repeatable\n"
                "  -f, --bootstrap-file F   also write the bootstrap servers to F (atomically)\n"
                "Group joins take ~3 s; after a member leaves the next join waits\n"
                "session.timeout.ms - 1 s. Retention: 5 MiB or 100,000 message sets per "
                "partition.\n");
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
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        long brokers = 1;
        const char *file = NULL;
        char **topics = calloc((size_t)argc, sizeof(char *));
        size_t n_topics = 0;
        int c, status = 1;
        struct ne_mock_cluster *mc = NULL;
        struct ne_diag diag;
        if (!topics)
                return 1;
        while ((c = getopt_long(argc, argv, "b:t:f:h", opts, NULL)) != -1) {
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
                struct timespec ts = {0, 100 * 1000000L};
                nanosleep(&ts, NULL);
        }
        status = 0;
out:
        ne_mock_cluster_free(mc);
        free(topics);
        return status;
}
