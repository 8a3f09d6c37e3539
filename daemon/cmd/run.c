/* `newsenrichd run --config FILE`: the long-running daemon. Wiring only: load the config, build
 * the article processor, the metrics (and the HTTP endpoint when http.port is set) and the
 * pipeline, serve signals, tell systemd where we are, and turn the outcome into an exit status
 * (0 after SIGTERM/SIGINT and a clean shutdown, 1 on a fatal error). Refuses to run as root
 * unless --allow-root. SIGHUP is acknowledged but does not reload yet. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ne/cmd.h"
#include "ne/config.h"
#include "ne/http.h"
#include "ne/kafka_conf.h"
#include "ne/log.h"
#include "ne/metrics.h"
#include "ne/notify.h"
#include "ne/pipeline.h"
#include "ne/processor.h"

static volatile sig_atomic_t stop;
static volatile sig_atomic_t hup;

static void on_hup(int sig)
{
        (void)sig;
        hup = 1;
}

static void on_signal(int sig)
{
        if (stop) {
                /* Second signal while draining: give up the graceful path. */
                signal(sig, SIG_DFL);
                raise(sig);
                return;
        }
        stop = 1;
}

static void usage(FILE *out)
{
        fprintf(out, "usage: newsenrichd run --config FILE [--allow-root]\n"
                     "       newsenrichd run --help-config\n\n"
                     "Consumes articles, enriches them and produces enriched events until\n"
                     "SIGTERM/SIGINT.\n"
                     "  -c, --config FILE   configuration file (see --help-config)\n"
                     "      --allow-root    run even as root (not recommended)\n"
                     "      --help-config   list the configuration keys\n");
}

static void on_tick(void *opaque, const struct ne_pipeline_stats *st)
{
        (void)opaque;
        /* Every second: more often than any sane WatchdogSec/2, and cheap. */
        ne_notify_watchdog();
        ne_notify_status("consumed=%llu enriched=%llu dead_lettered=%llu in_flight=%zu%s",
                         (unsigned long long)st->consumed, (unsigned long long)st->enriched,
                         (unsigned long long)st->dead_lettered, st->in_flight,
                         st->paused ? " paused" : "");
        if (hup) {
                hup = 0;
                ne_notify_reloading();
                ne_log(NE_LOG_WARNING, "run",
                       "SIGHUP: reload is not supported yet; restart the "
                       "service to apply a new config");
                ne_notify_ready();
        }
}

static int metrics_new(struct ne_metrics **ret)
{
        const char *reasons[NE_DLQ__COUNT];
        size_t n = 0;
        for (int r = NE_DLQ_NONE + 1; r < NE_DLQ__COUNT; r++)
                reasons[n++] = ne_dlq_reason_code((enum ne_dlq_reason)r);
        struct ne_metrics_info info = {.dead_letter_reasons = reasons, .n_dead_letter_reasons = n};
        return ne_metrics_new(&info, ret);
}

static int serve(const struct ne_config *cfg)
{
        struct ne_processor *proc = NULL;
        struct ne_pipeline *pl = NULL;
        struct ne_metrics *metrics = NULL;
        struct ne_http *http = NULL;
        struct ne_diag diag;
        int status = 1;
        ne_diag_clear(&diag);
        int r = metrics_new(&metrics);
        if (r < 0) {
                ne_log(NE_LOG_ERR, "run", "metrics: %s", strerror(-r));
                goto out;
        }
        if (cfg->http_port) {
                struct ne_http_handlers h;
                ne_http_handlers_from_metrics(&h, metrics);
                if (ne_http_start(cfg->http_listen, cfg->http_port, &h, &http, &diag) < 0) {
                        ne_log(NE_LOG_ERR, "run", "http: %s", diag.msg);
                        goto out;
                }
        }
        /* Models come from cfg->ner_model / cfg->topic_model inside the processor. */
        if (ne_article_processor_new(cfg, &proc, &diag) < 0) {
                ne_log(NE_LOG_ERR, "run", "processor: %s", diag.msg);
                goto out;
        }
        struct ne_pipeline_hooks hooks = {.on_tick = on_tick, .metrics = metrics};
        if (ne_pipeline_new(cfg, proc, &hooks, &pl, &diag) < 0) {
                ne_log(NE_LOG_ERR, "run", "pipeline: %s", diag.msg);
                goto out;
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        struct sigaction sh = {.sa_handler = on_hup};
        sigemptyset(&sh.sa_mask);
        sigaction(SIGHUP, &sh, NULL);
        ne_log(NE_LOG_INFO, "run", "started: input=%s output=%s dead_letter=%s http_port=%u",
               cfg->input_topics[0], cfg->output_topic, cfg->dead_letter_topic,
               http ? ne_http_port(http) : 0);
        ne_metrics_set_ready(metrics, true);
        ne_notify_ready();
        r = ne_pipeline_run(pl, &stop);
        ne_metrics_set_ready(metrics, false);
        ne_notify_stopping();
        int rc = ne_pipeline_close(pl);
        if (r == 0 && rc == 0)
                status = 0;
        ne_log(status ? NE_LOG_ERR : NE_LOG_INFO, "run", "exiting: status=%d%s%s", status,
               r || rc ? " error=" : "", r || rc ? strerror(-(r ? r : rc)) : "");
out:
        ne_pipeline_free(pl);
        ne_http_stop(http); /* before the metrics it reads */
        ne_metrics_free(metrics);
        ne_article_processor_free(proc);
        return status;
}

int ne_cmd_run(int argc, char **argv)
{
        enum { OPT_ALLOW_ROOT = 256, OPT_HELP_CONFIG };
        static const struct option opts[] = {
            {"config", required_argument, NULL, 'c'},
            {"allow-root", no_argument, NULL, OPT_ALLOW_ROOT},
            {"help-config", no_argument, NULL, OPT_HELP_CONFIG},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        const char *path = NULL;
        int allow_root = 0, c;
        while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        path = optarg;
                        break;
                case OPT_ALLOW_ROOT:
                        allow_root = 1;
                        break;
                case OPT_HELP_CONFIG:
                        ne_config_print_help(stdout);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (!path || optind < argc) {
                usage(stderr);
                return 2;
        }
        if (geteuid() == 0 && !allow_root) {
                ne_log(NE_LOG_ERR, "run",
                       "refusing to run as root (use --allow-root to insist, "
                       "or a service user)");
                return 1;
        }
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_config_load(path, &cfg, &diag);
        if (r < 0) {
                if (diag.msg[0])
                        ne_log(NE_LOG_ERR, "run", "%s:%d: %s%s%s", path, diag.line, diag.key,
                               diag.key[0] ? ": " : "", diag.msg);
                else
                        ne_log(NE_LOG_ERR, "run", "%s: %s", path, strerror(-r));
                return 1;
        }
        ne_log_set_level(cfg->log_level);
        /* librdkafka's own checks across properties, reported against the key and line. */
        r = ne_kafka_conf_check(cfg, &diag);
        if (r < 0) {
                ne_log(NE_LOG_ERR, "run", "%s:%d: %s: %s", path, diag.line, diag.key, diag.msg);
                ne_config_free(cfg);
                return 1;
        }
        int status = serve(cfg);
        ne_config_free(cfg);
        return status;
}
