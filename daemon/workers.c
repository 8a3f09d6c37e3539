/* The enrichment thread pool behind the pipeline: a FIFO of submitted jobs under one mutex,
 * N threads that take jobs and run the processor on their own context, and one condition the
 * owner waits on for completions. Processing a news article takes milliseconds, so one lock
 * per job is noise. It must not log or touch Kafka: outcomes go back in the job. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "ne/workers.h"

/* Attempts for a processor outcome of RETRY before the job reports RETRY. */
#define PROCESS_ATTEMPTS 4

struct worker {
        struct ne_workers *pool;
        void *ctx;
        pthread_t thread;
        bool started;
};

struct ne_workers {
        const struct ne_processor *proc;
        pthread_mutex_t lock;
        pthread_cond_t work;     /* a job was queued, or stop */
        pthread_cond_t finished; /* a job completed */
        struct ne_work *head, *tail;
        bool stop;
        unsigned int n;
        void *inline_ctx; /* n == 0 */
        struct worker *threads;
};

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Runs the processor with the pipeline's retry policy: RETRY (say, ENOMEM) backs off and
 * tries again a few times before it is reported. */
static void run(const struct ne_processor *proc, void *ctx, struct ne_work *job)
{
        struct ne_proc_result *res = &job->res;
        enum ne_outcome out = NE_OUTCOME_FATAL;
        for (int attempt = 0; attempt < PROCESS_ATTEMPTS; attempt++) {
                if (attempt > 0)
                        sleep_ms(100L << attempt);
                ne_diag_clear(&res->diag);
                res->reason = NE_DLQ_NONE;
                res->decode_ns = res->enrich_ns = res->encode_ns = 0;
                res->traceparent[0] = '\0';
                res->n_extra = 0;
                out = proc->ops->process(ctx, &job->in, res);
                if (out != NE_OUTCOME_RETRY)
                        break;
        }
        job->outcome = out;
}

static void *worker_main(void *arg)
{
        struct worker *wk = arg;
        struct ne_workers *w = wk->pool;
        pthread_mutex_lock(&w->lock);
        for (;;) {
                while (!w->stop && !w->head)
                        pthread_cond_wait(&w->work, &w->lock);
                if (w->stop)
                        break;
                struct ne_work *job = w->head;
                w->head = job->next;
                if (!w->head)
                        w->tail = NULL;
                pthread_mutex_unlock(&w->lock);
                run(w->proc, wk->ctx, job);
                pthread_mutex_lock(&w->lock);
                job->done = true;
                pthread_cond_broadcast(&w->finished);
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

int ne_workers_new(const struct ne_processor *proc, unsigned int threads, struct ne_workers **ret)
{
        int r;
        struct ne_workers *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->proc = proc;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->work, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->finished, &ca);
        pthread_condattr_destroy(&ca);
        if (threads == 0) {
                r = proc->ops->ctx_new(proc->shared, &w->inline_ctx);
                if (r < 0)
                        goto err_free;
                *ret = w;
                return 0;
        }
        w->threads = calloc(threads, sizeof(*w->threads));
        if (!w->threads) {
                r = -ENOMEM;
                goto err_free;
        }
        for (unsigned int i = 0; i < threads; i++) {
                struct worker *wk = &w->threads[i];
                wk->pool = w;
                w->n = i + 1;
                r = proc->ops->ctx_new(proc->shared, &wk->ctx);
                if (r < 0)
                        goto err_free;
                r = -pthread_create(&wk->thread, NULL, worker_main, wk);
                if (r < 0)
                        goto err_free;
                wk->started = true;
        }
        *ret = w;
        return 0;
err_free:
        ne_workers_free(w);
        return r;
}

void ne_workers_submit(struct ne_workers *w, struct ne_work *job)
{
        job->done = false;
        job->next = NULL;
        if (w->n == 0) {
                run(w->proc, w->inline_ctx, job);
                job->done = true;
                return;
        }
        pthread_mutex_lock(&w->lock);
        if (w->tail)
                w->tail->next = job;
        else
                w->head = job;
        w->tail = job;
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->lock);
}

bool ne_workers_is_done(struct ne_workers *w, const struct ne_work *job)
{
        if (w->n == 0)
                return job->done;
        pthread_mutex_lock(&w->lock);
        bool done = job->done;
        pthread_mutex_unlock(&w->lock);
        return done;
}

bool ne_workers_wait(struct ne_workers *w, const struct ne_work *job, int timeout_ms)
{
        if (w->n == 0)
                return job->done;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&w->lock);
        while (!job->done)
                if (pthread_cond_timedwait(&w->finished, &w->lock, &until) == ETIMEDOUT)
                        break;
        bool done = job->done;
        pthread_mutex_unlock(&w->lock);
        return done;
}

unsigned int ne_workers_threads(const struct ne_workers *w)
{
        return w->n;
}

void ne_workers_free(struct ne_workers *w)
{
        if (!w)
                return;
        pthread_mutex_lock(&w->lock);
        w->stop = true;
        w->head = w->tail = NULL;
        pthread_cond_broadcast(&w->work);
        pthread_mutex_unlock(&w->lock);
        for (unsigned int i = 0; i < w->n; i++) {
                if (w->threads[i].started)
                        pthread_join(w->threads[i].thread, NULL);
                if (w->threads[i].ctx)
                        w->proc->ops->ctx_free(w->threads[i].ctx);
        }
        if (w->inline_ctx)
                w->proc->ops->ctx_free(w->inline_ctx);
        free(w->threads);
        pthread_cond_destroy(&w->finished);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->lock);
        free(w);
}
