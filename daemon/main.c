/* Entry point of the one `newsenrichd` binary: dispatches git-style to a subcommand in
 * daemon/cmd/. Wiring only; no logic lives here. */
#include <stdio.h>
#include <string.h>

#include "ne/cmd.h"

struct subcommand {
        const char *name;
        int (*fn)(int argc, char **argv);
        const char *help;
};

static const struct subcommand subcommands[] = {
        {"run", ne_cmd_run, "run the daemon: consume, enrich, produce (--config FILE)"},
        {"enrich", ne_cmd_enrich, "enrich article JSON lines from files or stdin to stdout"},
        {"demo", ne_cmd_demo, "run the pipeline on bundled sample articles in-process"},
        {"mock-cluster", ne_cmd_mock_cluster, "run a standalone Kafka mock cluster"},
        {"check-config", ne_cmd_check_config, "validate a config file and exit"},
        {"train-ner", ne_cmd_train_ner, "train the named-entity model"},
        {"eval-ner", ne_cmd_eval_ner, "evaluate a named-entity model on CoNLL data"},
        {"train-topics", ne_cmd_train_topics, "train the topic model"},
        {"eval-topics", ne_cmd_eval_topics, "evaluate a topic model"},
        {"schema-check", ne_cmd_schema_check, "check two Avro schemas for compatibility"},
};

static void usage(FILE *out)
{
        fprintf(out, "usage: newsenrichd <command> [options]\n"
                     "       newsenrichd --version | --help\n\ncommands:\n");
        for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
                fprintf(out, "  %-14s %s\n", subcommands[i].name, subcommands[i].help);
        fprintf(out, "\n'newsenrichd <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
                printf("newsenrichd %s\n", NE_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
                usage(stdout);
                return 0;
        }
        for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
                if (strcmp(argv[1], subcommands[i].name) == 0)
                        return subcommands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "newsenrichd: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
}
