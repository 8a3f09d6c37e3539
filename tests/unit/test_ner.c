/* Unit tests for the named-entity tagger: the feature extractor (shape, capitalisation,
 * affixes, hash values fixed across platforms), training a tiny model on a hand-written
 * fixture and tagging with it, the model file round trip, deterministic training, bad model
 * files, empty input, and the shipped models/ner.model when it is present. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/enrich/ner_impl.h"
#include "ne/conll.h"
#include "ne/ner.h"

/* ---- helpers ---- */

static const char *fixtures(void)
{
        const char *fx = getenv("NE_FIXTURES");
        return fx ? fx : NE_SOURCE_DIR "/tests/fixtures";
}

static struct ne_conll_corpus *fixture_corpus(const char *name)
{
        char path[1024];
        snprintf(path, sizeof(path), "%s/ner/%s", fixtures(), name);
        struct ne_conll_corpus *c = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_conll_read_file(path, &c, &diag), 0, "%s: %s", path, diag.msg);
        return c;
}

static struct ne_ner_model *train_tiny(bool with_lexicons, struct ne_ner_train_stats *stats)
{
        struct ne_conll_corpus *c = fixture_corpus("tiny_iob2.conll");
        char lexdir[1024];
        snprintf(lexdir, sizeof(lexdir), "%s/ner/lexdir", fixtures());
        struct ne_ner_train_opts opts = {
            .lexicon_dir = with_lexicons ? lexdir : NULL,
            .epochs = 8,
            .seed = 7,
            .stats = stats,
        };
        struct ne_ner_model *m = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_ner_train(c, &opts, &m, &diag), 0, "train: %s", diag.msg);
        ne_conll_free(c);
        return m;
}

/* Splits a sentence on spaces into tokens over text (one sentence). */
static size_t tokenize(const char *text, struct ne_token *toks, size_t max)
{
        size_t n = 0, i = 0, len = strlen(text);
        while (i < len && n < max) {
                while (i < len && text[i] == ' ')
                        i++;
                if (i >= len)
                        break;
                size_t b = i;
                while (i < len && text[i] != ' ')
                        i++;
                toks[n] = (struct ne_token){(uint32_t)b, (uint32_t)i, (uint32_t)b, (uint32_t)i,
                                            n == 0 ? NE_TOK_SENT_START : 0};
                n++;
        }
        return n;
}

static void tmp_path(char *buf, size_t cap, const char *tag)
{
        snprintf(buf, cap, "/tmp/test_ner_%ld_%s.model", (long)getpid(), tag);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(data, 1, len, f), len);
        fclose(f);
}

/* ---- feature extractor ---- */

struct shape_case {
        char word[24];
        char shape[16];
        uint8_t capc;
};

static struct shape_case shape_cases[] = {
    {"Angela", "Xx", CAP_INIT},
    {"BRUSSELS", "X", CAP_ALL},
    {"berlin", "x", CAP_LOWER},
    {"1996-08-22", "d-d-d", CAP_HASDIGIT},
    {"1996", "d", CAP_DIGITS},
    {"McDonald", "XxXx", CAP_MIXED},
    {"iPhone", "xXx", CAP_MIXED},
    {"U.S.", "X.X.", CAP_ALL},
    {"A", "X", CAP_ONE},
    {",", ",", CAP_PUNCT},
    {"Z\xc3\xbcrich", "Xux", CAP_INIT},
    {"\xc3\xa9t\xc3\xa9", "uxu", CAP_OTHER},
};

ParameterizedTestParameters(ner_features, shape_and_caps)
{
        return cr_make_param_array(struct shape_case, shape_cases,
                                   sizeof(shape_cases) / sizeof(shape_cases[0]));
}

ParameterizedTest(struct shape_case *sc, ner_features, shape_and_caps)
{
        char buf[16];
        const unsigned char *w = (const unsigned char *)sc->word;
        size_t n = ner_word_shape(w, strlen(sc->word), buf, sizeof(buf));
        cr_assert_eq(n, strlen(sc->shape), "%s: shape %.*s", sc->word, (int)n, buf);
        cr_assert_eq(memcmp(buf, sc->shape, n), 0, "%s: shape %.*s", sc->word, (int)n, buf);
        cr_assert_eq(ner_cap_class(w, strlen(sc->word)), sc->capc, "%s: class %u", sc->word,
                     ner_cap_class(w, strlen(sc->word)));
}

Test(ner_features, hashes_are_fixed)
{
        /* Model files store these hashes: they must not change across builds or hosts. */
        struct ner_word_hashes wh;
        ner_hash_word("Berlin", 6, &wh);
        cr_assert_eq(ner_key(1, 2, 3), 0x73dda4d1u);
        cr_assert_eq(wh.exact, 0x3b3fd12cu);
        cr_assert_eq(wh.lower, 0x00f440f2u);
        cr_assert_eq(wh.title, wh.exact);
        struct ner_word_hashes up;
        ner_hash_word("BERLIN", 6, &up);
        cr_assert_eq(up.lower, wh.lower);
        cr_assert_eq(up.title, wh.exact);
        cr_assert_neq(up.exact, wh.exact);
}

/* Feature keys of token `i` of a one-sentence text, no lexicons. */
static size_t keys_of(const char *text, size_t i, uint32_t *keys)
{
        struct ne_token toks[32];
        struct ner_tokinfo ti[32];
        uint32_t ss[33];
        size_t n = tokenize(text, toks, 32);
        struct ner_lex lex = {0};
        struct ner_docmap dm = {0};
        cr_assert_eq(ner_docmap_reset(&dm, n), 0);
        size_t ns = ner_prepare_doc(&lex, text, toks, n, ti, &dm, ss);
        cr_assert_eq(ns, 1);
        ner_hist_fill(&dm, ti, 0, n);
        size_t nk = ner_features(&lex, text, toks, ti, 0, n, i, keys);
        ner_docmap_fini(&dm);
        cr_assert(nk > 10 && nk <= NER_MAX_FEATS);
        return nk;
}

static size_t common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
        size_t c = 0;
        for (size_t i = 0; i < na; i++)
                for (size_t j = 0; j < nb; j++)
                        if (a[i] == b[j]) {
                                c++;
                                break;
                        }
        return c;
}

Test(ner_features, deterministic_and_affixes)
{
        uint32_t a[NER_MAX_FEATS], b[NER_MAX_FEATS], c[NER_MAX_FEATS], d[NER_MAX_FEATS];
        size_t na = keys_of("they were walking home", 2, a);
        size_t nb = keys_of("they were walking home", 2, b);
        cr_assert_eq(na, nb);
        cr_assert_eq(memcmp(a, b, na * sizeof(*a)), 0, "same input, same keys");
        size_t nc = keys_of("they were talking home", 2, c);
        size_t nd = keys_of("they were Berlin home", 2, d);
        size_t ac = common(a, na, c, nc), ad = common(a, na, d, nd);
        /* walking/talking share the context, shape, class and suffixes g, ng, ing, king;
         * walking/Berlin share only the context. */
        cr_assert(ac >= ad + 4, "walking~talking %zu, walking~Berlin %zu", ac, ad);
        cr_assert(ac < na, "different words differ somewhere");
}

Test(ner_features, caps_headline_context)
{
        const char *text = "GERMANY BEAT JAPAN";
        struct ne_token toks[4];
        struct ner_tokinfo ti[4];
        uint32_t ss[5];
        size_t n = tokenize(text, toks, 4);
        struct ner_lex lex = {0};
        struct ner_docmap dm = {0};
        cr_assert_eq(ner_docmap_reset(&dm, n), 0);
        ner_prepare_doc(&lex, text, toks, n, ti, &dm, ss);
        for (size_t i = 0; i < n; i++)
                cr_assert(ti[i].ctx & NER_CTX_CAPS_SENT);
        ner_docmap_fini(&dm);
}

/* ---- training and tagging ---- */

Test(ner, tiny_model_learns_fixture)
{
        struct ne_ner_model *m = train_tiny(false, NULL);
        struct ne_conll_corpus *c = fixture_corpus("tiny_iob2.conll");
        struct ne_ner_eval ev = {0};
        cr_assert_eq(ne_ner_evaluate(m, c, &ev), 0);
        double p, r, f1;
        ne_ner_eval_prf(&ev, -1, &p, &r, &f1);
        cr_assert_eq(ev.tokens, c->n_toks);
        cr_assert(f1 > 0.99, "training-set F1 %.3f (p %.3f r %.3f)", f1, p, r);
        cr_assert_eq(strncmp(ne_ner_model_version(m), "ner-conll03-", 12), 0);
        ne_conll_free(c);
        ne_ner_model_free(m);
}

Test(ner, tags_new_sentence_end_to_end)
{
        struct ne_ner_model *m = train_tiny(true, NULL);
        struct ne_ner_scratch *s = NULL;
        cr_assert_eq(ne_ner_scratch_new(m, &s), 0);
        const char *text = "Tomas Ferreira told reporters in Osloria that Brantex will expand .";
        struct ne_token toks[32];
        size_t n = tokenize(text, toks, 32);
        struct ne_ner_span sp[8];
        int k = ne_ner_tag(m, s, text, toks, n, sp, 8);
        cr_assert_eq(k, 3, "spans: %d", k);
        cr_assert_eq(sp[0].type, NE_ENT_PER);
        cr_assert_eq(sp[0].tok_begin, 0);
        cr_assert_eq(sp[0].tok_end, 2);
        cr_assert_eq(sp[1].type, NE_ENT_LOC);
        cr_assert_eq(sp[1].tok_begin, 5);
        cr_assert_eq(sp[2].type, NE_ENT_ORG);
        cr_assert_eq(sp[2].tok_begin, 7);
        for (int i = 0; i < k; i++)
                cr_assert(sp[i].confidence > 0 && sp[i].confidence <= 1);
        ne_ner_scratch_free(s);
        ne_ner_model_free(m);
}

Test(ner, lexicons_compile_from_fixture)
{
        struct ne_ner_train_stats st = {0};
        struct ne_ner_model *m = train_tiny(true, &st);
        cr_assert_eq(st.cluster_words, 11);
        cr_assert_eq(st.lexicon_files, 5);
        /* 4 locations + 3 organisations + 2 surnames + 2 first names (one below the count
         * threshold is skipped) */
        cr_assert_eq(st.gazetteer_entries, 11, "entries %zu", st.gazetteer_entries);
        cr_assert_eq(m->lex.n_paths, 5);
        uint32_t v;
        struct ner_word_hashes wh;
        ner_hash_word("Osloria", 7, &wh);
        cr_assert(ner_map_get(&m->lex.clusters, wh.exact, &v));
        cr_assert(ner_map_get(&m->lex.gaz,
                              ner_phrase_key(ner_phrase_step(NER_PHRASE_SEED, wh.lower), 1), &v));
        cr_assert(v & 1u, "Osloria is in the location list");
        ne_ner_model_free(m);
}

Test(ner, missing_lexicon_dir_is_an_error)
{
        struct ne_conll_corpus *c = fixture_corpus("tiny_iob2.conll");
        struct ne_ner_train_opts opts = {.lexicon_dir = "/nonexistent/lexicons", .epochs = 1};
        struct ne_ner_model *m = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_ner_train(c, &opts, &m, &diag), -ENOENT);
        cr_assert_null(m);
        cr_assert(strstr(diag.msg, "no lexicon files"));
        ne_conll_free(c);
}

static int tag_all(const struct ne_ner_model *m, const struct ne_conll_corpus *c,
                   struct ne_ner_span *out, size_t max)
{
        struct ne_ner_scratch *s = NULL;
        cr_assert_eq(ne_ner_scratch_new(m, &s), 0);
        size_t total = 0;
        for (size_t d = 0; d < c->n_docs; d++) {
                size_t b = c->doc_start[d], e = c->doc_start[d + 1];
                int k = ne_ner_tag(m, s, c->text, c->toks + b, e - b, out + total, max - total);
                cr_assert(k >= 0);
                total += (size_t)k;
        }
        ne_ner_scratch_free(s);
        return (int)total;
}

Test(ner, model_file_round_trip)
{
        struct ne_ner_model *m = train_tiny(true, NULL);
        char path[256];
        tmp_path(path, sizeof(path), "rt");
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_ner_model_save(m, path, &diag), 0, "%s", diag.msg);
        struct ne_ner_model *m2 = NULL;
        cr_assert_eq(ne_ner_model_load(path, &m2, &diag), 0, "%s", diag.msg);
        cr_assert_str_eq(ne_ner_model_version(m), ne_ner_model_version(m2));
        cr_assert_eq(ne_ner_model_file_size(m), ne_ner_model_file_size(m2));
        struct ne_conll_corpus *c = fixture_corpus("tiny_iob1.conll");
        struct ne_ner_span a[256], b[256];
        int na = tag_all(m, c, a, 256), nb = tag_all(m2, c, b, 256);
        cr_assert(na > 20);
        cr_assert_eq(na, nb);
        cr_assert_eq(memcmp(a, b, (size_t)na * sizeof(a[0])), 0, "identical predictions");
        ne_conll_free(c);
        ne_ner_model_free(m);
        ne_ner_model_free(m2);
        unlink(path);
}

Test(ner, training_is_deterministic)
{
        struct ne_ner_model *a = train_tiny(true, NULL), *b = train_tiny(true, NULL);
        cr_assert_eq(a->image_len, b->image_len);
        cr_assert_eq(memcmp(a->image, b->image, a->image_len), 0);
        ne_ner_model_free(a);
        ne_ner_model_free(b);
}

Test(ner, empty_and_bounded_input)
{
        struct ne_ner_model *m = train_tiny(false, NULL);
        struct ne_ner_scratch *s = NULL;
        cr_assert_eq(ne_ner_scratch_new(m, &s), 0);
        struct ne_ner_span sp[4];
        cr_assert_eq(ne_ner_tag(m, s, "", NULL, 0, sp, 4), 0);
        const char *text = "Karin Lundqvist met Tomas Ferreira in Harwick .";
        struct ne_token toks[16];
        size_t n = tokenize(text, toks, 16);
        cr_assert_eq(ne_ner_tag(m, s, text, toks, n, sp, 0), 0, "max_spans 0");
        cr_assert_eq(ne_ner_tag(m, s, text, toks, n, sp, 1), 1, "bounded by max_spans");
        int all = ne_ner_tag(m, s, text, toks, n, sp, 4);
        cr_assert_eq(all, 3);
        struct ne_token bad = {5, 2, 5, 2, NE_TOK_SENT_START};
        cr_assert_eq(ne_ner_tag(m, s, text, &bad, 1, sp, 4), -EINVAL);
        /* Scratch grows for a document larger than any before, then still agrees. */
        static char big[20000];
        static struct ne_token btoks[3000];
        size_t len = 0, nb = 0;
        while (nb + 8 < 3000) {
                size_t b0 = nb;
                len += (size_t)snprintf(big + len, sizeof(big) - len, "%s ", text);
                nb += tokenize(text, btoks + nb, 16);
                for (size_t i = b0; i < nb; i++) {
                        btoks[i].start += (uint32_t)(len - strlen(text) - 1);
                        btoks[i].end += (uint32_t)(len - strlen(text) - 1);
                }
        }
        static struct ne_ner_span bsp[3000];
        int k = ne_ner_tag(m, s, big, btoks, nb, bsp, 3000);
        cr_assert(k >= 3 * (int)(nb / 8) - 3, "%d spans over %zu tokens", k, nb);
        cr_assert_eq(ne_ner_tag(m, s, text, toks, n, sp, 4), all);
        ne_ner_scratch_free(s);
        ne_ner_model_free(m);
}

/* ---- bad model files ---- */

Test(ner_model, bad_files_are_errors)
{
        struct ne_ner_model *m = train_tiny(true, NULL), *out = NULL;
        char path[256];
        tmp_path(path, sizeof(path), "bad");
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_ner_model_load("/nonexistent/ner.model", &out, &diag), -ENOENT);
        write_bytes(path, "", 0);
        cr_assert_eq(ne_ner_model_load(path, &out, &diag), -EINVAL);
        write_bytes(path, "not a model at all, just some text\n", 35);
        cr_assert_eq(ne_ner_model_load(path, &out, &diag), -EINVAL);
        cr_assert(strstr(diag.msg, "magic"), "%s", diag.msg);

        uint8_t *img = malloc(m->image_len);
        memcpy(img, m->image, m->image_len);
        size_t cuts[] = {8, 40, m->image_len / 2, m->image_len - 1};
        for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
                write_bytes(path, img, cuts[i]);
                cr_assert_eq(ne_ner_model_load(path, &out, &diag), -EINVAL, "cut at %zu", cuts[i]);
        }
        img[m->image_len / 2] ^= 0x40;
        write_bytes(path, img, m->image_len);
        cr_assert_eq(ne_ner_model_load(path, &out, &diag), -EINVAL);
        cr_assert(strstr(diag.msg, "checksum"), "%s", diag.msg);
        memcpy(img, m->image, m->image_len);
        img[0] = 'X';
        write_bytes(path, img, m->image_len);
        cr_assert_eq(ne_ner_model_load(path, &out, &diag), -EINVAL);
        /* Sizes claiming more than the file holds. */
        memcpy(img, m->image, m->image_len);
        img[8 + 12] = 0xff;
        img[8 + 15] = 0x7f;
        write_bytes(path, img, m->image_len);
        cr_assert_eq(ne_ner_model_load(path, &out, &diag), -EINVAL);
        cr_assert_null(out);
        free(img);
        unlink(path);
        ne_ner_model_free(m);
        ne_ner_model_free(NULL);
        ne_ner_scratch_free(NULL);
}

/* ---- the shipped model ---- */

Test(ner_shipped, loads_and_tags_a_sentence)
{
        const char *src = getenv("NE_SOURCE_DIR");
        char path[1024];
        snprintf(path, sizeof(path), "%s/models/ner.model", src ? src : NE_SOURCE_DIR);
        if (access(path, R_OK) != 0)
                cr_skip_test("%s absent", path);
        struct ne_ner_model *m = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_ner_model_load(path, &m, &diag), 0, "%s", diag.msg);
        cr_assert(ne_ner_model_file_size(m) <= 16u << 20);
        struct ne_ner_scratch *s = NULL;
        cr_assert_eq(ne_ner_scratch_new(m, &s), 0);
        const char *text = "Angela Merkel met Microsoft executives in Berlin .";
        struct ne_token toks[16];
        size_t n = tokenize(text, toks, 16);
        struct ne_ner_span sp[8];
        int k = ne_ner_tag(m, s, text, toks, n, sp, 8);
        cr_assert_eq(k, 3);
        cr_assert_eq(sp[0].type, NE_ENT_PER);
        cr_assert_eq(sp[0].tok_begin, 0);
        cr_assert_eq(sp[0].tok_end, 2);
        cr_assert_eq(sp[1].type, NE_ENT_ORG);
        cr_assert_eq(sp[1].tok_begin, 3);
        cr_assert_eq(sp[1].tok_end, 4);
        cr_assert_eq(sp[2].type, NE_ENT_LOC);
        cr_assert_eq(sp[2].tok_begin, 6);
        cr_assert_eq(sp[2].tok_end, 7);
        const char *head = "BRUSSELS 1996-08-22";
        n = tokenize(head, toks, 16);
        k = ne_ner_tag(m, s, head, toks, n, sp, 8);
        cr_assert_eq(k, 1);
        cr_assert_eq(sp[0].type, NE_ENT_LOC);
        ne_ner_scratch_free(s);
        ne_ner_model_free(m);
}

/* ---- size budget and threads ---- */

Test(ner, prunes_to_the_size_budget)
{
        struct ne_ner_train_stats full = {0}, small = {0};
        struct ne_ner_model *m = train_tiny(true, &full);
        size_t fixed = m->image_len - full.features_kept * NER_FEAT_BYTES;
        ne_ner_model_free(m);
        struct ne_conll_corpus *c = fixture_corpus("tiny_iob2.conll");
        char lexdir[1024];
        snprintf(lexdir, sizeof(lexdir), "%s/ner/lexdir", fixtures());
        size_t budget = fixed + 4096 + 40 * NER_FEAT_BYTES;
        struct ne_ner_train_opts opts = {
            .lexicon_dir = lexdir,
            .epochs = 8,
            .seed = 7,
            .max_model_bytes = budget,
            .stats = &small,
        };
        cr_assert_eq(ne_ner_train(c, &opts, &m, NULL), 0);
        cr_assert(full.features_kept > 200, "%zu", full.features_kept);
        cr_assert(small.features_kept <= 40 + 4096 / NER_FEAT_BYTES, "%zu", small.features_kept);
        cr_assert(small.features_kept > 0);
        cr_assert(m->image_len <= budget, "%zu > %zu", m->image_len, budget);
        ne_conll_free(c);
        ne_ner_model_free(m);
}

#include <pthread.h>

struct thread_job {
        const struct ne_ner_model *m;
        const struct ne_conll_corpus *c;
        struct ne_ner_span spans[256];
        int n;
};

static void *tag_thread(void *arg)
{
        struct thread_job *j = arg;
        for (int rep = 0; rep < 20; rep++)
                j->n = tag_all(j->m, j->c, j->spans, 256);
        return NULL;
}

Test(ner, threads_share_one_model)
{
        struct ne_ner_model *m = train_tiny(true, NULL);
        struct ne_conll_corpus *c = fixture_corpus("tiny_iob2.conll");
        static struct thread_job jobs[4];
        pthread_t th[4];
        for (int i = 0; i < 4; i++) {
                jobs[i].m = m;
                jobs[i].c = c;
                cr_assert_eq(pthread_create(&th[i], NULL, tag_thread, &jobs[i]), 0);
        }
        for (int i = 0; i < 4; i++)
                pthread_join(th[i], NULL);
        for (int i = 1; i < 4; i++) {
                cr_assert_eq(jobs[i].n, jobs[0].n);
                cr_assert_eq(memcmp(jobs[i].spans, jobs[0].spans,
                                    (size_t)jobs[0].n * sizeof(jobs[0].spans[0])),
                             0);
        }
        ne_conll_free(c);
        ne_ner_model_free(m);
}

Test(ner, empty_training_set_gives_a_model_that_finds_nothing)
{
        struct ne_conll_corpus *c = NULL;
        cr_assert_eq(ne_conll_parse("", 0, &c, NULL), 0);
        struct ne_ner_train_opts opts = {.epochs = 2};
        struct ne_ner_model *m = NULL;
        cr_assert_eq(ne_ner_train(c, &opts, &m, NULL), 0);
        struct ne_ner_scratch *s = NULL;
        cr_assert_eq(ne_ner_scratch_new(m, &s), 0);
        const char *text = "Angela Merkel met Microsoft executives in Berlin .";
        struct ne_token toks[16];
        size_t n = tokenize(text, toks, 16);
        struct ne_ner_span sp[8];
        cr_assert_eq(ne_ner_tag(m, s, text, toks, n, sp, 8), 0);
        ne_ner_scratch_free(s);
        ne_ner_model_free(m);
        ne_conll_free(c);
}

Test(ner, title_case_augmentation)
{
        struct ne_conll_corpus *c = NULL, *aug = NULL;
        const char *data = "-DOCSTART- O\n\nGERMANY B-LOC\nBEAT O\nEU B-ORG\nIN O\n1996 O\n\n"
                           "Germany B-LOC\nwon O\n\n-DOCSTART- O\n\nno O\ncaps O\n";
        cr_assert_eq(ne_conll_parse(data, strlen(data), &c, NULL), 0);
        struct ner_lex lex = {0};
        size_t added = 0;
        cr_assert_eq(ner_augment_title_case(c, &lex, &aug, &added), 0);
        cr_assert_eq(added, 1);
        cr_assert_eq(aug->n_docs, 3);
        cr_assert_eq(aug->n_toks, c->n_toks + 7);
        /* Without clusters, words of 4+ letters are title-cased; EU, IN and 1996 stay. */
        cr_assert_str_eq(aug->text, "GERMANY BEAT EU IN 1996\nGermany won\nno caps\n"
                                    "Germany Beat EU IN 1996\nGermany won");
        cr_assert_eq(memcmp(aug->tags + c->n_toks, c->tags, 7), 0, "labels unchanged");
        ne_conll_free(aug);
        ne_conll_free(c);
}

Test(ner_features, title_case_line_context)
{
        const char *text = "Germany Beats Japan In World Cup Opener";
        struct ne_token toks[8];
        struct ner_tokinfo ti[8];
        uint32_t ss[9];
        size_t n = tokenize(text, toks, 8);
        struct ner_lex lex = {0};
        struct ner_docmap dm = {0};
        cr_assert_eq(ner_docmap_reset(&dm, n), 0);
        ner_prepare_doc(&lex, text, toks, n, ti, &dm, ss);
        cr_assert(ti[0].ctx & NER_CTX_TITLE_SENT);
        const char *body = "Germany beat Japan in the opener";
        n = tokenize(body, toks, 8);
        cr_assert_eq(ner_docmap_reset(&dm, n), 0);
        ner_prepare_doc(&lex, body, toks, n, ti, &dm, ss);
        cr_assert(!(ti[0].ctx & (NER_CTX_TITLE_SENT | NER_CTX_CAPS_SENT)));
        ner_docmap_fini(&dm);
}
