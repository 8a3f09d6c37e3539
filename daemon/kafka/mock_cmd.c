/* Parser for the mock cluster's control commands (grammar in include/ne/mock_cmd.h). Pure: it
 * turns one line into a struct ne_mock_cmd or a diag and does nothing else, so every command
 * and every malformed line can be unit-tested without a cluster. It lives beside mock.c, which
 * applies the commands, but uses no librdkafka type. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ne/mock_cmd.h"

#define MAX_WORDS 8
#define DEFAULT_ERROR "NOT_LEADER_OR_FOLLOWER"

static const struct {
        const char *name;
        int16_t api;
} apis[] = {
    {"produce", 0},         {"fetch", 1},      {"listoffsets", 2}, {"metadata", 3},
    {"offsetcommit", 8},    {"commit", 8},     {"offsetfetch", 9}, {"findcoordinator", 10},
    {"joingroup", 11},      {"heartbeat", 12}, {"leavegroup", 13}, {"syncgroup", 14},
    {"initproducerid", 22},
};

const char *ne_mock_cmd_api_name(int api)
{
        for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
                if (apis[i].api == api)
                        return apis[i].name;
        return NULL;
}

/* A decimal integer in [lo, hi], nothing else. */
static int parse_int(const char *s, long lo, long hi, long *ret)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (!*s || *end || errno || v < lo || v > hi)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_api(const char *s, int16_t *ret, struct ne_diag *diag)
{
        long v;
        for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
                if (strcasecmp(s, apis[i].name) == 0) {
                        *ret = apis[i].api;
                        return 0;
                }
        if (parse_int(s, 0, 100, &v) == 0) {
                *ret = (int16_t)v;
                return 0;
        }
        return ne_diag_set(diag, -EINVAL, "unknown API '%s' (produce, fetch, offsetcommit, ...)",
                           s);
}

static int copy_name(char *dst, const char *src, const char *what, struct ne_diag *diag)
{
        size_t n = strlen(src);
        if (n > NE_MOCK_CMD_MAX_NAME)
                return ne_diag_set(diag, -EINVAL, "%s longer than %d bytes", what,
                                   NE_MOCK_CMD_MAX_NAME);
        memcpy(dst, src, n + 1);
        return 0;
}

static int parse_number(const char *s, long lo, long hi, const char *what, long *ret,
                        struct ne_diag *diag)
{
        if (parse_int(s, lo, hi, ret) < 0)
                return ne_diag_set(diag, -EINVAL, "%s must be %ld..%ld, not '%s'", what, lo, hi, s);
        return 0;
}

/* Each command: its words (after the name) and the shape it expects. */
struct spec {
        const char *name;
        enum ne_mock_cmd_kind kind;
        int16_t api; /* for the request-errors aliases; -1 otherwise */
        int min_args, max_args;
        const char *usage;
};

static const struct spec specs[] = {
    {"ping", NE_MOCK_CMD_PING, -1, 0, 0, "ping"},
    {"request-errors", NE_MOCK_CMD_REQUEST_ERRORS, -1, 2, 3, "request-errors API COUNT [ERROR]"},
    {"produce-errors", NE_MOCK_CMD_REQUEST_ERRORS, 0, 1, 2, "produce-errors COUNT [ERROR]"},
    {"fetch-errors", NE_MOCK_CMD_REQUEST_ERRORS, 1, 1, 2, "fetch-errors COUNT [ERROR]"},
    {"commit-errors", NE_MOCK_CMD_REQUEST_ERRORS, 8, 1, 2, "commit-errors COUNT [ERROR]"},
    {"broker-errors", NE_MOCK_CMD_BROKER_ERRORS, -1, 3, 5,
     "broker-errors BROKER API COUNT [ERROR [RTT_MS]]"},
    {"clear-errors", NE_MOCK_CMD_CLEAR_ERRORS, -1, 1, 1, "clear-errors API"},
    {"broker-down", NE_MOCK_CMD_BROKER_DOWN, -1, 1, 1, "broker-down BROKER"},
    {"broker-up", NE_MOCK_CMD_BROKER_UP, -1, 1, 1, "broker-up BROKER"},
    {"rtt", NE_MOCK_CMD_RTT, -1, 2, 2, "rtt BROKER MS"},
    {"leader", NE_MOCK_CMD_LEADER, -1, 3, 3, "leader TOPIC PARTITION BROKER"},
    {"coordinator", NE_MOCK_CMD_COORDINATOR, -1, 3, 3, "coordinator group|transaction KEY BROKER"},
    {"topic-error", NE_MOCK_CMD_TOPIC_ERROR, -1, 2, 2, "topic-error TOPIC ERROR"},
};

/* Fills `cmd` from the words after the command name; the count was checked by the caller. */
static int parse_args(const struct spec *sp, char **w, int n, struct ne_mock_cmd *cmd,
                      struct ne_diag *diag)
{
        long v;
        int r = 0, i = 0;
        switch (sp->kind) {
        case NE_MOCK_CMD_PING:
                return 0;
        case NE_MOCK_CMD_BROKER_ERRORS:
                if ((r = parse_number(w[i++], 1, INT32_MAX, "BROKER", &v, diag)) < 0)
                        return r;
                cmd->broker = (int32_t)v;
                /* then API COUNT [ERROR [RTT]] as for request-errors */
                /* fall through */
        case NE_MOCK_CMD_REQUEST_ERRORS:
                if (sp->api >= 0)
                        cmd->api = sp->api;
                else if ((r = parse_api(w[i++], &cmd->api, diag)) < 0)
                        return r;
                if ((r = parse_number(w[i++], 1, NE_MOCK_CMD_MAX_COUNT, "COUNT", &v, diag)) < 0)
                        return r;
                cmd->count = (int)v;
                r = copy_name(cmd->error, i < n ? w[i++] : DEFAULT_ERROR, "ERROR", diag);
                if (r == 0 && i < n) {
                        r = parse_number(w[i++], 0, NE_MOCK_CMD_MAX_RTT_MS, "RTT_MS", &v, diag);
                        cmd->rtt_ms = (int)v;
                }
                return r;
        case NE_MOCK_CMD_CLEAR_ERRORS:
                return parse_api(w[0], &cmd->api, diag);
        case NE_MOCK_CMD_BROKER_DOWN:
        case NE_MOCK_CMD_BROKER_UP:
        case NE_MOCK_CMD_RTT:
                if ((r = parse_number(w[0], 1, INT32_MAX, "BROKER", &v, diag)) < 0)
                        return r;
                cmd->broker = (int32_t)v;
                if (sp->kind == NE_MOCK_CMD_RTT) {
                        r = parse_number(w[1], 0, NE_MOCK_CMD_MAX_RTT_MS, "MS", &v, diag);
                        cmd->rtt_ms = (int)v;
                }
                return r;
        case NE_MOCK_CMD_LEADER:
                if ((r = copy_name(cmd->name, w[0], "TOPIC", diag)) < 0 ||
                    (r = parse_number(w[1], 0, INT32_MAX, "PARTITION", &v, diag)) < 0)
                        return r;
                cmd->partition = (int32_t)v;
                /* -1 leaves the partition without a leader, as librdkafka's mock allows. */
                if ((r = parse_number(w[2], -1, INT32_MAX, "BROKER", &v, diag)) < 0)
                        return r;
                cmd->broker = (int32_t)v;
                return 0;
        case NE_MOCK_CMD_COORDINATOR:
                if (strcasecmp(w[0], "group") && strcasecmp(w[0], "transaction"))
                        return ne_diag_set(diag, -EINVAL,
                                           "coordinator type must be group or transaction, "
                                           "not '%s'",
                                           w[0]);
                strcpy(cmd->coord_type, strcasecmp(w[0], "group") ? "transaction" : "group");
                if ((r = copy_name(cmd->name, w[1], "KEY", diag)) < 0 ||
                    (r = parse_number(w[2], 1, INT32_MAX, "BROKER", &v, diag)) < 0)
                        return r;
                cmd->broker = (int32_t)v;
                return 0;
        case NE_MOCK_CMD_TOPIC_ERROR:
                if ((r = copy_name(cmd->name, w[0], "TOPIC", diag)) < 0)
                        return r;
                return copy_name(cmd->error, w[1], "ERROR", diag);
        }
        return ne_diag_set(diag, -EINVAL, "internal: unhandled command");
}

int ne_mock_cmd_parse(const char *line, struct ne_mock_cmd *ret, struct ne_diag *diag)
{
        char buf[NE_MOCK_CMD_MAX_LINE + 1];
        char *w[MAX_WORDS + 1], *save = NULL;
        int n = 0;
        size_t len = strlen(line);
        if (len > NE_MOCK_CMD_MAX_LINE)
                return ne_diag_set(diag, -EINVAL, "command longer than %d bytes",
                                   NE_MOCK_CMD_MAX_LINE);
        memcpy(buf, line, len + 1);
        for (char *t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
                if (n == MAX_WORDS)
                        return ne_diag_set(diag, -EINVAL, "too many words");
                w[n++] = t;
        }
        if (n == 0 || w[0][0] == '#')
                return 0;
        for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
                const struct spec *sp = &specs[i];
                if (strcasecmp(w[0], sp->name) != 0)
                        continue;
                if (n - 1 < sp->min_args || n - 1 > sp->max_args)
                        return ne_diag_set(diag, -EINVAL, "usage: %s", sp->usage);
                struct ne_mock_cmd cmd = {.kind = sp->kind, .api = -1, .partition = -1};
                int r = parse_args(sp, w + 1, n - 1, &cmd, diag);
                if (r < 0)
                        return r;
                *ret = cmd;
                return 1;
        }
        return ne_diag_set(diag, -EINVAL, "unknown command '%.64s'", w[0]);
}
