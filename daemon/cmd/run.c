/* `newsenrichd run --config FILE`: the long-running daemon. Wiring only: load the config, build
 * the article processor and the pipeline, serve signals, tell systemd where we are, and turn
 * the outcome into an exit status (0 after SIGTERM/SIGINT and a clean shutdown, 1 on a fatal
 * error). Refuses to run as root unless --allow-root. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "ne/cmd.h"
#include "ne/config.h"
#include "ne/log.h"
#include "ne/pipeline.h"
#include "ne/processor.h"

static volatile sig_atomic_t stop;

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
        (void)st;
        sd_notify(0, "WATCHDOG=1");
}

static int serve(const struct ne_config *cfg)
{
        struct ne_processor *proc = NULL;
        struct ne_pipeline *pl = NULL;
        struct ne_diag diag;
        int status = 1;
        ne_diag_clear(&diag);
        /* Models come from cfg->ner_model / cfg->topic_model inside the processor. */
        if (ne_article_processor_new(cfg, &proc, &diag) < 0) {
                ne_log(NE_LOG_ERR, "run", "processor: %s", diag.msg);
                goto out;
        }
        struct ne_pipeline_hooks hooks = {.on_tick = on_tick};
        if (ne_pipeline_new(cfg, proc, &hooks, &pl, &diag) < 0) {
                ne_log(NE_LOG_ERR, "run", "pipeline: %s", diag.msg);
                goto out;
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        ne_log(NE_LOG_INFO, "run", "started: input=%s output=%s dead_letter=%s",
               cfg->input_topics[0], cfg->output_topic, cfg->dead_letter_topic);
        sd_notify(0, "READY=1");
        int r = ne_pipeline_run(pl, &stop);
        sd_notify(0, "STOPPING=1");
        int rc = ne_pipeline_close(pl);
        if (r == 0 && rc == 0)
                status = 0;
        ne_log(status ? NE_LOG_ERR : NE_LOG_INFO, "run", "exiting: status=%d%s%s", status,
               r || rc ? " error=" : "", r || rc ? strerror(-(r ? r : rc)) : "");
out:
        ne_pipeline_free(pl);
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
                ne_log(NE_LOG_ERR, "run", "refusing to run as root (use --allow-root to insist, "
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
        int status = serve(cfg);
        ne_config_free(cfg);
        return status;
}
