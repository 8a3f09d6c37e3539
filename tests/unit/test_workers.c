/* Worker pool tests: every submitted job completes with its own result on the threaded and
 * the inline path, contexts are per thread, RETRY is retried, and freeing with queued work
 * neither hangs nor touches dropped jobs. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/workers.h"

static atomic_int ctx_count;
static atomic_int retries_left;

static int ctx_new(const void *shared, void **ret)
{
        (void)shared;
        int *c = malloc(sizeof(*c));
        if (!c)
                return -ENOMEM;
        *c = atomic_fetch_add(&ctx_count, 1);
        *ret = c;
        return 0;
}

static void ctx_free(void *ctx)
{
        free(ctx);
}

/* Value "n" -> key "n*2"; "retry" -> RETRY while retries_left > 0; "slow" -> sleeps 50 ms. */
static enum ne_outcome process(void *ctx, const struct ne_proc_input *in,
                               struct ne_proc_result *res)
{
        (void)ctx;
        char buf[32];
        snprintf(buf, sizeof(buf), "%.*s", (int)in->value_len, (const char *)in->value);
        if (strcmp(buf, "retry") == 0 && atomic_fetch_sub(&retries_left, 1) > 0)
                return NE_OUTCOME_RETRY;
        if (strcmp(buf, "slow") == 0) {
                struct timespec ts = {0, 50000000L};
                nanosleep(&ts, NULL);
        }
        ne_buf_reset(&res->key);
        ne_buf_appendf(&res->key, "%ld", strtol(buf, NULL, 10) * 2);
        return NE_OUTCOME_OK;
}

static const struct ne_processor_ops ops = {
    .name = "t", .schema_name = "t", .ctx_new = ctx_new, .ctx_free = ctx_free, .process = process};
static const struct ne_processor proc = {.ops = &ops};

static void run_many(unsigned int threads)
{
        enum { N = 500 };
        struct ne_workers *w = NULL;
        cr_assert_eq(ne_workers_new(&proc, threads, &w), 0);
        cr_assert_eq(ne_workers_threads(w), threads);
        struct ne_work *jobs = calloc(N, sizeof(*jobs));
        char(*vals)[16] = calloc(N, 16);
        for (int i = 0; i < N; i++) {
                snprintf(vals[i], 16, "%d", i);
                jobs[i].in = (struct ne_proc_input){.value = vals[i], .value_len = strlen(vals[i])};
                ne_workers_submit(w, &jobs[i]);
        }
        for (int i = 0; i < N; i++) {
                cr_assert(ne_workers_wait(w, &jobs[i], 5000), "job %d never finished", i);
                char want[16];
                snprintf(want, sizeof(want), "%d", i * 2);
                cr_assert_eq(jobs[i].outcome, NE_OUTCOME_OK);
                cr_assert_eq(jobs[i].res.key.len, strlen(want));
                cr_assert_eq(memcmp(jobs[i].res.key.data, want, strlen(want)), 0);
                ne_proc_result_release(&jobs[i].res);
        }
        ne_workers_free(w);
        free(jobs);
        free(vals);
}

Test(workers, threaded_jobs_all_complete_with_their_own_results)
{
        run_many(3);
        cr_assert_eq(atomic_load(&ctx_count), 3, "one context per thread");
}

Test(workers, inline_mode_runs_in_submit)
{
        struct ne_workers *w = NULL;
        cr_assert_eq(ne_workers_new(&proc, 0, &w), 0);
        struct ne_work job = {.in = {.value = "21", .value_len = 2}};
        ne_workers_submit(w, &job);
        cr_assert(ne_workers_is_done(w, &job), "inline job must be done on return");
        cr_assert_eq(job.res.key.len, 2);
        ne_proc_result_release(&job.res);
        ne_workers_free(w);
        run_many(0);
}

Test(workers, retry_outcome_is_retried_then_succeeds, .timeout = 10)
{
        atomic_store(&retries_left, 2);
        struct ne_workers *w = NULL;
        cr_assert_eq(ne_workers_new(&proc, 2, &w), 0);
        struct ne_work job = {.in = {.value = "retry", .value_len = 5}};
        ne_workers_submit(w, &job);
        cr_assert(ne_workers_wait(w, &job, 5000));
        cr_assert_eq(job.outcome, NE_OUTCOME_OK);
        ne_proc_result_release(&job.res);
        ne_workers_free(w);
}

Test(workers, free_with_queued_jobs_returns, .timeout = 10)
{
        struct ne_workers *w = NULL;
        cr_assert_eq(ne_workers_new(&proc, 1 + 1, &w), 0);
        static struct ne_work jobs[20];
        for (int i = 0; i < 20; i++) {
                jobs[i].in = (struct ne_proc_input){.value = "slow", .value_len = 4};
                ne_workers_submit(w, &jobs[i]);
        }
        cr_assert_not(ne_workers_wait(w, &jobs[19], 10), "20 x 50 ms on 2 threads: not yet");
        ne_workers_free(w); /* waits for the 2 running jobs only */
        for (int i = 0; i < 20; i++)
                ne_proc_result_release(&jobs[i].res);
}
