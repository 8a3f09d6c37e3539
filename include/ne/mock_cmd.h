/* The control language of `newsenrichd mock-cluster --control`: one command per line that
 * drives the mock cluster's fault injection (request errors, brokers down and up, leader and
 * coordinator moves, added latency). This header is the pure half: it parses a line into a
 * struct ne_mock_cmd and never touches a cluster; ne_mock_cluster_apply() (ne/mock.h) carries a
 * parsed command out. Error names stay strings here because only the Kafka layer knows
 * librdkafka's error table.
 *
 * Grammar (words separated by blanks; '#' starts a comment line; names case-insensitive):
 *   ping
 *   request-errors API COUNT [ERROR]       next COUNT requests of API fail, on any broker
 *   produce-errors COUNT [ERROR]           = request-errors produce ...
 *   fetch-errors COUNT [ERROR]             = request-errors fetch ...
 *   commit-errors COUNT [ERROR]            = request-errors offsetcommit ...
 *   broker-errors BROKER API COUNT [ERROR [RTT_MS]]  the same on one broker, each after RTT_MS
 *   clear-errors API                       forget the errors still queued for API
 *   broker-down BROKER | broker-up BROKER
 *   rtt BROKER MS                          add MS of latency to every response of BROKER
 *   leader TOPIC PARTITION BROKER          move a partition's leader (the mock creates an
 *                                          unknown TOPIC, as auto-create would)
 *   coordinator group|transaction KEY BROKER
 *   topic-error TOPIC ERROR                metadata reports ERROR for TOPIC (NO_ERROR clears)
 * API is a protocol name (produce, fetch, listoffsets, metadata, offsetcommit/commit,
 * offsetfetch, findcoordinator, joingroup, heartbeat, leavegroup, syncgroup, initproducerid)
 * or its number; ERROR is a librdkafka error name with or without "ERR_" (e.g.
 * NOT_LEADER_OR_FOLLOWER) or a number; the default is NOT_LEADER_OR_FOLLOWER. */
#ifndef NE_MOCK_CMD_H
#define NE_MOCK_CMD_H

#include <stdint.h>

#include "ne/diag.h"

#define NE_MOCK_CMD_MAX_LINE 1024 /* bytes in one command line, newline excluded */
#define NE_MOCK_CMD_MAX_COUNT 100000
#define NE_MOCK_CMD_MAX_RTT_MS 600000
#define NE_MOCK_CMD_MAX_NAME 250 /* topic, coordinator key or error name */

enum ne_mock_cmd_kind {
        NE_MOCK_CMD_PING = 0,
        NE_MOCK_CMD_REQUEST_ERRORS, /* api, count, error */
        NE_MOCK_CMD_BROKER_ERRORS,  /* broker, api, count, error, rtt_ms */
        NE_MOCK_CMD_CLEAR_ERRORS,   /* api */
        NE_MOCK_CMD_BROKER_DOWN,    /* broker */
        NE_MOCK_CMD_BROKER_UP,      /* broker */
        NE_MOCK_CMD_RTT,            /* broker, rtt_ms */
        NE_MOCK_CMD_LEADER,         /* name (topic), partition, broker */
        NE_MOCK_CMD_COORDINATOR,    /* coord_type, name (key), broker */
        NE_MOCK_CMD_TOPIC_ERROR,    /* name (topic), error */
};

struct ne_mock_cmd {
        enum ne_mock_cmd_kind kind;
        int16_t api; /* Kafka protocol ApiKey */
        int count;
        int32_t broker;
        int32_t partition;
        int rtt_ms;
        char coord_type[16]; /* "group" or "transaction" */
        char name[NE_MOCK_CMD_MAX_NAME + 1];
        char error[NE_MOCK_CMD_MAX_NAME + 1]; /* as written; resolved when applied */
};

/* Parses one line (no newline needed; a trailing "\r\n" is ignored). Returns 1 with *ret filled,
 * 0 for a blank or comment line (*ret untouched), or -EINVAL with diag for anything else.
 * Pure: no I/O, no allocation. */
int ne_mock_cmd_parse(const char *line, struct ne_mock_cmd *ret, struct ne_diag *diag);

/* The protocol name of an ApiKey this parser knows ("produce"), or NULL. */
const char *ne_mock_cmd_api_name(int api);

#endif
