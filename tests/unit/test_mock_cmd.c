/* Tests for the mock cluster's control-command parser (ne_mock_cmd_parse): every command in its
 * accepted shapes, and a table of malformed lines that must be refused with a reason, never
 * crash and never fill the out-parameter. A last test applies parsed commands to a real
 * in-process mock cluster, including refusals (unknown error name, no such broker). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>

#include "ne/mock.h"
#include "ne/mock_cmd.h"

static struct ne_mock_cmd parse_ok(const char *line)
{
        struct ne_mock_cmd cmd;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_mock_cmd_parse(line, &cmd, &diag);
        cr_assert_eq(r, 1, "'%s': r=%d %s", line, r, diag.msg);
        return cmd;
}

Test(mock_cmd, request_errors)
{
        struct ne_mock_cmd c = parse_ok("produce-errors 5 REQUEST_TIMED_OUT");
        cr_assert_eq(c.kind, NE_MOCK_CMD_REQUEST_ERRORS);
        cr_assert_eq(c.api, 0);
        cr_assert_eq(c.count, 5);
        cr_assert_str_eq(c.error, "REQUEST_TIMED_OUT");

        c = parse_ok("  fetch-errors\t3  ");
        cr_assert_eq(c.api, 1);
        cr_assert_eq(c.count, 3);
        cr_assert_str_eq(c.error, "NOT_LEADER_OR_FOLLOWER", "the default error");

        c = parse_ok("COMMIT-ERRORS 2 ERR_REBALANCE_IN_PROGRESS\r\n");
        cr_assert_eq(c.api, 8);
        cr_assert_str_eq(c.error, "ERR_REBALANCE_IN_PROGRESS");

        c = parse_ok("request-errors heartbeat 1 7");
        cr_assert_eq(c.api, 12);
        cr_assert_str_eq(c.error, "7");
        c = parse_ok("request-errors 3 1");
        cr_assert_eq(c.api, 3);
        cr_assert_str_eq(ne_mock_cmd_api_name(c.api), "metadata");
        cr_assert_null(ne_mock_cmd_api_name(99));
}

Test(mock_cmd, broker_commands)
{
        struct ne_mock_cmd c = parse_ok("broker-errors 2 produce 4 NOT_ENOUGH_REPLICAS 250");
        cr_assert_eq(c.kind, NE_MOCK_CMD_BROKER_ERRORS);
        cr_assert_eq(c.broker, 2);
        cr_assert_eq(c.api, 0);
        cr_assert_eq(c.count, 4);
        cr_assert_eq(c.rtt_ms, 250);
        cr_assert_str_eq(c.error, "NOT_ENOUGH_REPLICAS");
        c = parse_ok("broker-errors 1 commit 1");
        cr_assert_eq(c.rtt_ms, 0);
        cr_assert_eq(c.api, 8);

        c = parse_ok("broker-down 3");
        cr_assert_eq(c.kind, NE_MOCK_CMD_BROKER_DOWN);
        cr_assert_eq(c.broker, 3);
        c = parse_ok("broker-up 3");
        cr_assert_eq(c.kind, NE_MOCK_CMD_BROKER_UP);
        c = parse_ok("rtt 1 1500");
        cr_assert_eq(c.kind, NE_MOCK_CMD_RTT);
        cr_assert_eq(c.rtt_ms, 1500);
        c = parse_ok("clear-errors fetch");
        cr_assert_eq(c.kind, NE_MOCK_CMD_CLEAR_ERRORS);
        cr_assert_eq(c.api, 1);
        c = parse_ok("ping");
        cr_assert_eq(c.kind, NE_MOCK_CMD_PING);
}

Test(mock_cmd, leaders_and_coordinators)
{
        struct ne_mock_cmd c = parse_ok("leader out 2 3");
        cr_assert_eq(c.kind, NE_MOCK_CMD_LEADER);
        cr_assert_str_eq(c.name, "out");
        cr_assert_eq(c.partition, 2);
        cr_assert_eq(c.broker, 3);
        c = parse_ok("leader in 0 -1");
        cr_assert_eq(c.broker, -1, "no leader");

        c = parse_ok("coordinator GROUP ne-it-42 2");
        cr_assert_eq(c.kind, NE_MOCK_CMD_COORDINATOR);
        cr_assert_str_eq(c.coord_type, "group");
        cr_assert_str_eq(c.name, "ne-it-42");
        cr_assert_eq(c.broker, 2);
        c = parse_ok("coordinator transaction tx 1");
        cr_assert_str_eq(c.coord_type, "transaction");

        c = parse_ok("topic-error in UNKNOWN_TOPIC_OR_PART");
        cr_assert_eq(c.kind, NE_MOCK_CMD_TOPIC_ERROR);
        cr_assert_str_eq(c.name, "in");
        cr_assert_str_eq(c.error, "UNKNOWN_TOPIC_OR_PART");
}

Test(mock_cmd, blank_and_comment_lines)
{
        struct ne_mock_cmd c = {.kind = NE_MOCK_CMD_RTT, .count = 77};
        cr_assert_eq(ne_mock_cmd_parse("", &c, NULL), 0);
        cr_assert_eq(ne_mock_cmd_parse(" \t\r\n", &c, NULL), 0);
        cr_assert_eq(ne_mock_cmd_parse("# broker-down 1", &c, NULL), 0);
        cr_assert_eq(c.count, 77, "untouched");
}

/* Arrays, not pointers: Criterion copies parameters into a re-executed worker process. */
struct bad {
        char line[64];
        char why[40]; /* a substring of the diag */
};

static struct bad bad_lines[] = {
    {"explode", "unknown command"},
    {"ping now", "usage: ping"},
    {"produce-errors", "usage: produce-errors"},
    {"produce-errors 0", "COUNT must be"},
    {"produce-errors -3", "COUNT must be"},
    {"produce-errors 100001", "COUNT must be"},
    {"produce-errors 3x", "COUNT must be"},
    {"produce-errors 99999999999999999999", "COUNT must be"},
    {"produce-errors 1 A B", "usage: produce-errors"},
    {"request-errors teleport 1", "unknown API"},
    {"request-errors 101 1", "unknown API"},
    {"request-errors -1 1", "unknown API"},
    {"broker-errors 0 produce 1", "BROKER must be"},
    {"broker-errors 1 produce 1 ERR -5", "RTT_MS must be"},
    {"broker-errors 1 produce 1 ERR 600001", "RTT_MS must be"},
    {"broker-down", "usage: broker-down"},
    {"broker-down one", "BROKER must be"},
    {"broker-up 1 2", "usage: broker-up"},
    {"rtt 1", "usage: rtt"},
    {"rtt 1 -1", "MS must be"},
    {"leader out 0", "usage: leader"},
    {"leader out -1 1", "PARTITION must be"},
    {"leader out 0 -2", "BROKER must be"},
    {"coordinator cluster g 1", "group or transaction"},
    {"coordinator group g 0", "BROKER must be"},
    {"topic-error in", "usage: topic-error"},
    {"a b c d e f g h i", "too many words"},
    {"clear-errors", "usage: clear-errors"},
};

ParameterizedTestParameters(mock_cmd, refused)
{
        return cr_make_param_array(struct bad, bad_lines, sizeof(bad_lines) / sizeof(bad_lines[0]));
}

ParameterizedTest(struct bad *b, mock_cmd, refused)
{
        struct ne_mock_cmd c = {.kind = NE_MOCK_CMD_RTT, .count = 77};
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_mock_cmd_parse(b->line, &c, &diag), -EINVAL, "'%s'", b->line);
        cr_assert(strstr(diag.msg, b->why), "'%s': diag '%s' lacks '%s'", b->line, diag.msg,
                  b->why);
        cr_assert_eq(c.count, 77, "out-parameter written on failure");
}

Test(mock_cmd, bounded_lengths)
{
        static char line[NE_MOCK_CMD_MAX_LINE + 100];
        struct ne_mock_cmd c;
        struct ne_diag diag;
        memset(line, 'x', sizeof(line) - 1);
        cr_assert_eq(ne_mock_cmd_parse(line, &c, &diag), -EINVAL);
        cr_assert(strstr(diag.msg, "longer than"), "%s", diag.msg);

        /* A topic name one byte over the limit, in a line that fits. */
        memcpy(line, "leader ", 7);
        memset(line + 7, 't', NE_MOCK_CMD_MAX_NAME + 1);
        strcpy(line + 7 + NE_MOCK_CMD_MAX_NAME + 1, " 0 1");
        cr_assert_eq(ne_mock_cmd_parse(line, &c, &diag), -EINVAL);
        cr_assert(strstr(diag.msg, "TOPIC longer"), "%s", diag.msg);
        line[7 + NE_MOCK_CMD_MAX_NAME] = ' '; /* exactly at the limit: accepted */
        line[7 + NE_MOCK_CMD_MAX_NAME + 1] = '0';
        strcpy(line + 7 + NE_MOCK_CMD_MAX_NAME + 2, " 1 ");
        cr_assert_eq(ne_mock_cmd_parse(line, &c, &diag), 1, "%s", diag.msg);
        cr_assert_eq(strlen(c.name), NE_MOCK_CMD_MAX_NAME);
}

/* Parsed commands against a real mock cluster: valid ones apply, refusals say why. */
Test(mock_cmd, apply)
{
        struct ne_mock_cluster *mc = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_mock_cluster_new(3, &mc, &diag), 0, "%s", diag.msg);
        cr_assert_eq(ne_mock_cluster_create_topic(mc, "t", 2, &diag), 0, "%s", diag.msg);
        static const char *const good[] = {
            "ping",
            "produce-errors 2 REQUEST_TIMED_OUT",
            "fetch-errors 1 ERR_NOT_LEADER_OR_FOLLOWER",
            "commit-errors 1 27",
            "broker-errors 2 produce 2 NOT_ENOUGH_REPLICAS 10",
            "clear-errors produce",
            "broker-down 2",
            "broker-up 2",
            "rtt 3 50",
            "rtt 3 0",
            "leader t 1 3",
            "coordinator group g 2",
            "topic-error t NO_ERROR",
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                struct ne_mock_cmd c;
                cr_assert_eq(ne_mock_cmd_parse(good[i], &c, &diag), 1, "%s", diag.msg);
                cr_assert_eq(ne_mock_cluster_apply(mc, &c, &diag), 0, "'%s': %s", good[i],
                             diag.msg);
        }
        static const struct bad refused[] = {
            {"produce-errors 1 NO_SUCH_ERROR", "unknown broker error"},
            {"produce-errors 1 -1", "not a broker error"},
            {"produce-errors 1 _MSG_TIMED_OUT", "unknown broker error"},
            {"broker-down 4", "no broker 4"},
            {"rtt 9 10", "no broker 9"},
            {"leader t 5 1", ""},
            {"coordinator group g 7", "no broker 7"},
        };
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                struct ne_mock_cmd c;
                cr_assert_eq(ne_mock_cmd_parse(refused[i].line, &c, &diag), 1, "%s", diag.msg);
                ne_diag_clear(&diag);
                cr_assert_lt(ne_mock_cluster_apply(mc, &c, &diag), 0, "'%s' applied",
                             refused[i].line);
                cr_assert(strstr(diag.msg, refused[i].why) && diag.msg[0], "'%s': '%s'",
                          refused[i].line, diag.msg);
        }
        ne_mock_cluster_free(mc);
}
