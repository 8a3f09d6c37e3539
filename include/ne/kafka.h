/* The Kafka layer as the rest of the program sees it: a consumer-group consumer, an idempotent
 * producer with per-message delivery callbacks, and a view of one consumed message. Built on
 * librdkafka, whose types never leave daemon/kafka/. The layer decides nothing about messages;
 * it calls back into its owner (the pipeline) through the callback structs passed in, on the
 * thread that polls. Error classification uses librdkafka's own is_fatal/is_retriable. */
#ifndef NE_KAFKA_H
#define NE_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/config.h"
#include "ne/diag.h"
#include "ne/offsets.h"

/* A topic partition, borrowed for the duration of a callback. */
struct ne_kafka_tp {
        const char *topic;
        int32_t partition;
};

/* One consumed message. Every pointer is borrowed from the underlying librdkafka message and
 * valid until ne_kafka_msg_release(). */
struct ne_kafka_msg {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key; /* NULL when the message has no key */
        size_t key_len;
        const void *value; /* NULL for a tombstone */
        size_t value_len;
        int64_t timestamp_ms; /* -1 when unknown */
        void *priv;           /* private to daemon/kafka */
};

/* Releases the message; accepts a zeroed struct. */
void ne_kafka_msg_release(struct ne_kafka_msg *msg);

/* The value of the last header called `name` in *ret_value and *ret_len (borrowed, not
 * NUL-terminated; NULL/0 for a null header). Returns 0 or -ENOENT. */
int ne_kafka_msg_header(const struct ne_kafka_msg *msg, const char *name, const void **ret_value,
                        size_t *ret_len);

/* Number of headers on the message. */
size_t ne_kafka_msg_header_count(const struct ne_kafka_msg *msg);

/* A header to add to a produced message; `value` borrowed, `len` bytes. */
struct ne_kafka_header {
        const char *name;
        const void *value;
        size_t len;
};

/* ---- consumer ---------------------------------------------------------------------------- */

struct ne_consumer;

/* Rebalance notifications, called from inside ne_consumer_poll()/ne_consumer_close() on the
 * polling thread, before librdkafka's assignment changes. on_revoke must finish what it needs
 * to (drain in-flight work, store and commit offsets) before returning: the partitions are
 * given up right after. `lost` means they are already owned elsewhere; committing is futile. */
struct ne_metrics;

struct ne_consumer_cbs {
        void *opaque;
        /* Optional (borrowed, must outlive the consumer): counts client errors and failed
         * offset commits (newsenrichd_kafka_{client,commit}_errors_total). */
        struct ne_metrics *metrics;
        void (*on_assign)(void *opaque, const struct ne_kafka_tp *tps, size_t n);
        void (*on_revoke)(void *opaque, const struct ne_kafka_tp *tps, size_t n, bool lost);
};

/* Creates a consumer from the config's kafka.* and kafka.consumer.* properties and subscribes
 * it to cfg->input_topics. Forces enable.auto.offset.store=false (offsets are stored only
 * through ne_consumer_store); defaults group.id to "newsenrichd" and auto.offset.reset to
 * "earliest" when the config does not set them. `cbs` is copied; may be NULL. Returns 0 or a
 * negative errno with diag. */
int ne_consumer_new(const struct ne_config *cfg, const struct ne_consumer_cbs *cbs,
                    struct ne_consumer **ret, struct ne_diag *diag);

/* Waits up to timeout_ms for a message. Returns 1 and fills *ret_msg (release it), 0 when
 * there was none (or only an event such as a rebalance, or a transient error that was
 * logged), or -ENOTRECOVERABLE after a fatal consumer error (text in diag). */
int ne_consumer_poll(struct ne_consumer *c, int timeout_ms, struct ne_kafka_msg *ret_msg,
                     struct ne_diag *diag);

/* Stores positions for the next (auto or explicit) commit. Positions of partitions no longer
 * assigned are skipped. Returns 0 or -EIO when the store itself failed. */
int ne_consumer_store(struct ne_consumer *c, const struct ne_offset_pos *pos, size_t n);

/* Synchronously commits the stored positions. Returns 0 (also when nothing was stored) or
 * -EIO with diag. */
int ne_consumer_commit(struct ne_consumer *c, struct ne_diag *diag);

/* Pauses (true) or resumes (false) fetching on every assigned partition; a partition whose
 * fetch has not started yet (nothing delivered since its assignment) is paused when its first
 * message arrives, so up to one fetch per such partition still comes in while paused.
 * Rebalance events are still served while paused. 0, -ENOMEM or -EIO. */
int ne_consumer_pause(struct ne_consumer *c, bool pause);

/* Calls cb once per assigned partition with its lag: messages between the consumer's position
 * and the high watermark last seen in a fetch response (no broker round trip), or -1 when
 * either is not known yet. Returns the number of partitions, or -EIO. */
int ne_consumer_lag(struct ne_consumer *c,
                    void (*cb)(void *opaque, const char *topic, int32_t partition, int64_t lag),
                    void *opaque);

/* Leaves the group: the final revoke goes through cbs->on_revoke, then the final commit.
 * Returns 0 or -EIO. Idempotent. */
int ne_consumer_close(struct ne_consumer *c);

/* Destroys the consumer (closing it first if needed); accepts NULL. */
void ne_consumer_free(struct ne_consumer *c);

/* ---- producer ---------------------------------------------------------------------------- */

struct ne_producer;

/* A delivery report: err is 0 when the broker acknowledged the message (acks=all), else a
 * negative errno after librdkafka gave up retrying; `errstr` describes it. Called from
 * ne_producer_poll()/ne_producer_flush() on the polling thread. */
struct ne_producer_cbs {
        void *opaque;
        /* Optional (borrowed, must outlive the producer): counts client errors and produce
         * retries (newsenrichd_kafka_{client_errors,produce_retries}_total); with it the
         * producer emits librdkafka statistics every second unless statistics.interval.ms is
         * configured. */
        struct ne_metrics *metrics;
        void (*on_delivery)(void *opaque, void *msg_opaque, int err, const char *errstr);
};

/* Creates an idempotent producer (enable.idempotence=true, acks=all, forced by
 * ne_kafka_conf_build) from the config's kafka.* and kafka.producer.* properties. */
int ne_producer_new(const struct ne_config *cfg, const struct ne_producer_cbs *cbs,
                    struct ne_producer **ret, struct ne_diag *diag);

struct ne_produce_req {
        const char *topic;
        const void *key;
        size_t key_len;
        const void *value;
        size_t value_len;
        const struct ne_kafka_msg *carry;      /* copy this input's headers (NULL: none); ne.*
                                                * headers of the input are not carried */
        const char *carry_skip;                /* nor this one (NULL: none), e.g. a header
                                                * replaced by one in `headers` */
        const struct ne_kafka_header *headers; /* then add these */
        size_t n_headers;
        void *msg_opaque; /* handed to on_delivery */
};

/* Enqueues one message (key, value and headers are copied). When the local queue is full it
 * serves delivery reports and retries for up to `block_ms`. Returns 0 (on_delivery will be
 * called exactly once), -ENOBUFS (still full), -EMSGSIZE, -ENOENT (unknown topic), or
 * -ENOTRECOVERABLE (fatal producer error) / -EIO, with diag. On error on_delivery is not
 * called. */
int ne_producer_produce(struct ne_producer *p, const struct ne_produce_req *req, int block_ms,
                        struct ne_diag *diag);

/* Serves delivery reports and errors for up to timeout_ms. Returns the number of events. */
int ne_producer_poll(struct ne_producer *p, int timeout_ms);

/* Waits up to timeout_ms for every queued message to be delivered or fail. Returns 0 or
 * -ETIMEDOUT. */
int ne_producer_flush(struct ne_producer *p, int timeout_ms);

/* Fails every message not yet delivered (their delivery reports carry an error) and serves
 * the reports. For shutdown after a flush timed out. */
void ne_producer_purge(struct ne_producer *p);

/* Messages queued or in flight, not yet reported. */
size_t ne_producer_outq_len(struct ne_producer *p);

/* True after a fatal producer error (e.g. the idempotent producer lost its guarantees); the
 * reason goes to diag. */
bool ne_producer_is_fatal(struct ne_producer *p, struct ne_diag *diag);

/* Destroys the producer without flushing; accepts NULL. */
void ne_producer_free(struct ne_producer *p);

#endif
