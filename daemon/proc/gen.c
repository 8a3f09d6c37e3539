/* Generations of the article processor's models and alert rules: load one from the paths in the
 * config, hand references to threads, free it when the last thread has moved on. A reload builds
 * a whole new generation before touching the current one, so a bad file changes nothing. A
 * mutex (not lock-free atomics) guards the pointer and the counts: it is taken twice per message
 * for a few instructions, which costs nothing next to enrichment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static void gen_free(struct ne_proc_gen *g)
{
        if (!g)
                return;
        ne_enricher_free(g->enr);
        ne_alert_rules_free(g->rules);
        free(g);
}

int ne_proc_gen_load(const struct ne_proc_shared *sh, const struct ne_config *cfg,
                     struct ne_proc_gen **ret, struct ne_diag *diag)
{
        struct ne_proc_gen *g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->refs = 1;
        struct ne_enricher_opts eo = sh->enr_opts;
        /* Empty model paths mean "engine off" in the config; NULL in the enricher. */
        eo.ner_model_path = cfg->ner_model && *cfg->ner_model ? cfg->ner_model : NULL;
        eo.topic_model_path = cfg->topic_model && *cfg->topic_model ? cfg->topic_model : NULL;
        int r = ne_enricher_new(&eo, &g->enr, diag);
        if (r < 0)
                goto err;
        if (sh->alert_topic) {
                r = ne_alert_rules_load(cfg->alerts_rules_file, &g->rules, diag);
                if (r < 0)
                        goto err;
        }
        *ret = g;
        return 0;
err:
        gen_free(g);
        return r;
}

struct ne_proc_gen *ne_proc_gen_acquire_if_new(struct ne_proc_shared *sh,
                                               const struct ne_proc_gen *have)
{
        struct ne_proc_gen *g = NULL;
        pthread_mutex_lock(&sh->lock);
        if (sh->cur != have) {
                g = sh->cur;
                g->refs++;
        }
        pthread_mutex_unlock(&sh->lock);
        return g;
}

void ne_proc_gen_release(struct ne_proc_shared *sh, struct ne_proc_gen *g)
{
        if (!g)
                return;
        pthread_mutex_lock(&sh->lock);
        bool last = --g->refs == 0;
        pthread_mutex_unlock(&sh->lock);
        if (last)
                gen_free(g);
}

int ne_article_processor_reload(struct ne_processor *proc, const struct ne_config *cfg,
                                struct ne_diag *diag)
{
        struct ne_proc_shared *sh = (struct ne_proc_shared *)proc; /* proc is the first member */
        struct ne_proc_gen *g;
        int r = ne_proc_gen_load(sh, cfg, &g, diag);
        if (r < 0)
                return r;
        pthread_mutex_lock(&sh->lock);
        struct ne_proc_gen *old = sh->cur;
        sh->cur = g;
        pthread_mutex_unlock(&sh->lock);
        ne_proc_gen_release(sh, old);
        return 0;
}

void ne_article_processor_versions(struct ne_processor *proc, char *ner, size_t ner_size,
                                   char *topic, size_t topic_size)
{
        struct ne_proc_shared *sh = (struct ne_proc_shared *)proc;
        struct ne_proc_gen *g = ne_proc_gen_acquire_if_new(sh, NULL);
        snprintf(ner, ner_size, "%s", ne_enricher_ner_version(g->enr));
        snprintf(topic, topic_size, "%s", ne_enricher_topic_version(g->enr));
        ne_proc_gen_release(sh, g);
}
