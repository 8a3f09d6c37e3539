/* A pool of enrichment threads for the pipeline. Each thread owns one processor context made
 * from the processor's read-only shared state and runs jobs in the order they were submitted
 * (first come, first taken; completions may come in any order). The pool knows nothing of
 * Kafka: a job is a borrowed input and a result to fill. With zero threads the pool runs each
 * job inline, on the submitting thread, inside ne_workers_submit (the single-threaded mode).
 *
 * Threads: one owner thread submits, waits and frees; jobs are touched by a worker only
 * between submit and the moment ne_workers_is_done() says it finished. */
#ifndef NE_WORKERS_H
#define NE_WORKERS_H

#include <stdbool.h>

#include "ne/processor.h"

/* One unit of work, owned by the submitter, which must not touch `in` or `res` between submit
 * and completion. */
struct ne_work {
        struct ne_proc_input in; /* borrowed bytes; must stay valid until completion */
        struct ne_proc_result res;
        enum ne_outcome outcome; /* valid after completion */
        bool done;               /* pool-private: read it through ne_workers_is_done */
        struct ne_work *next;    /* pool-private queue link */
};

struct ne_workers;

/* Starts `threads` threads (0 = run jobs inline in submit), each with its own processor ctx.
 * Borrows proc, which must outlive the pool. Returns 0 or a negative errno. */
int ne_workers_new(const struct ne_processor *proc, unsigned int threads, struct ne_workers **ret);

/* Queues a job (the result's per-call fields are reset before processing). Never blocks on
 * the job in threaded mode. */
void ne_workers_submit(struct ne_workers *w, struct ne_work *job);

/* True once the job's outcome and result are final and the pool no longer touches it. */
bool ne_workers_is_done(struct ne_workers *w, const struct ne_work *job);

/* Waits up to timeout_ms for the job to complete; returns ne_workers_is_done(). */
bool ne_workers_wait(struct ne_workers *w, const struct ne_work *job, int timeout_ms);

/* Number of threads (0 in inline mode). */
unsigned int ne_workers_threads(const struct ne_workers *w);

/* Stops the threads after the jobs they are running (queued jobs are dropped, never done),
 * joins them and frees the contexts; accepts NULL. */
void ne_workers_free(struct ne_workers *w);

#endif
