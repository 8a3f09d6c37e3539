/* Unit tests for the labelled-data side of the topic classifier: COPY-escape parsing, the TSV
 * reader (plain and gzip, header, malformed lines with their line numbers), label maps, fold
 * selection and Usenet stripping. Fixtures: tests/fixtures/topic/. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ne/topic_corpus.h"
#include "ne/topic_train.h"

static const char *fixture(const char *name)
{
        static char path[1024];
        const char *dir = getenv("NE_FIXTURES");
        if (dir)
                snprintf(path, sizeof(path), "%s/topic/%s", dir, name);
        else
                snprintf(path, sizeof(path), "%s/tests/fixtures/topic/%s", NE_SOURCE_DIR, name);
        return path;
}

struct esc_case {
        char in[48];
        char want[48];
        int ret;
};

static struct esc_case esc_cases[] = {
    {"plain", "plain", 0},
    {"a\\tb", "a\tb", 0},
    {"line\\nnext", "line\nnext", 0},
    {"back\\\\slash", "back\\slash", 0},
    {"\\\\n is not newline", "\\n is not newline", 0},
    {"cr\\r ff\\f", "cr\r ff\f", 0},
    {"other \\x stays", "other x stays", 0},
    {"trailing\\", "", -EBADMSG},
};

ParameterizedTestParameters(topic_data, unescape)
{
        return cr_make_param_array(struct esc_case, esc_cases,
                                   sizeof(esc_cases) / sizeof(esc_cases[0]));
}

ParameterizedTest(struct esc_case *c, topic_data, unescape)
{
        char buf[48];
        size_t len = 0;
        strcpy(buf, c->in);
        int r = ne_topic_unescape(buf, strlen(buf), &len);
        cr_assert_eq(r, c->ret);
        if (r == 0) {
                cr_assert_eq(len, strlen(c->want));
                cr_assert_eq(memcmp(buf, c->want, len), 0);
        }
}

Test(topic_data, malformed_lines_have_line_numbers)
{
        struct ne_topic_reader *r;
        struct ne_topic_record rec;
        struct ne_diag d;
        cr_assert_eq(ne_topic_reader_open(fixture("malformed.tsv"), &r, NULL), 0);
        /* line 2 good; 3 no TAB; 4 empty labels; 5 three fields; 6 trailing backslash;
         * 7 good; 8 invalid UTF-8; 9, 10 good */
        static const int want[] = {1, -EBADMSG, -EBADMSG, -EBADMSG, -EBADMSG, 1, -EBADMSG, 1, 1};
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                ne_diag_clear(&d);
                int ret = ne_topic_reader_next(r, &rec, &d);
                cr_assert_eq(ret, want[i], "line %zu: got %d", i + 2, ret);
                if (ret < 0)
                        cr_assert_eq(d.line, (int)i + 2, "reported line %d", d.line);
                else
                        cr_assert_eq(rec.line, i + 2);
                if (i == 0) {
                        cr_assert_str_eq(rec.labels, "sport");
                        cr_assert_str_eq(rec.text,
                                         "Good line with \\ backslash and \t tab and \n newline");
                        cr_assert_eq(rec.index, 0);
                }
                if (i == 5) {
                        cr_assert_str_eq(rec.labels, "economy|sport");
                        cr_assert_eq(rec.index, 5, "index counts malformed lines too");
                }
        }
        cr_assert_eq(ne_topic_reader_next(r, &rec, &d), 0);
        ne_topic_reader_free(r);
}

Test(topic_data, reads_gzip)
{
        char path[] = "/tmp/ne-topic-gz-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        close(fd);
        gzFile gz = gzopen(path, "wb");
        cr_assert(gz);
        gzputs(gz, "#labels\ttext\nsport\tgoal\\nscored\neconomy|sport\tshares\n");
        gzclose(gz);
        struct ne_topic_reader *r;
        struct ne_topic_record rec;
        cr_assert_eq(ne_topic_reader_open(path, &r, NULL), 0);
        cr_assert_eq(ne_topic_reader_next(r, &rec, NULL), 1);
        cr_assert_str_eq(rec.text, "goal\nscored");
        cr_assert_eq(rec.text_len, 11);
        cr_assert_eq(ne_topic_reader_next(r, &rec, NULL), 1);
        cr_assert_str_eq(rec.labels, "economy|sport");
        cr_assert_eq(rec.line, 3);
        cr_assert_eq(ne_topic_reader_next(r, &rec, NULL), 0);
        ne_topic_reader_free(r);
        unlink(path);
}

Test(topic_data, missing_file_is_an_error)
{
        struct ne_topic_reader *r = NULL;
        struct ne_diag d;
        ne_diag_clear(&d);
        cr_assert_eq(ne_topic_reader_open("/nonexistent/x.tsv", &r, &d), -ENOENT);
        cr_assert_null(r);
        cr_assert(strstr(d.msg, "/nonexistent/x.tsv"));
}

Test(topic_data, label_map)
{
        struct ne_topic_dict *map;
        cr_assert_eq(ne_topic_dict_load(fixture("tiny_map.tsv"), 1, 2, 3, &map, NULL), 0);
        cr_assert_eq(ne_topic_dict_size(map), 4);
        const char *name = NULL;
        cr_assert_str_eq(ne_topic_dict_get(map, "economy", &name), "medtop:04000000");
        cr_assert_str_eq(name, "economy, business and finance");
        cr_assert_null(ne_topic_dict_get(map, "unmapped", NULL));

        const char *out[8];
        char l1[] = "economy|markets|sport";
        size_t n = ne_topic_map_labels(map, l1, out, 8);
        cr_assert_eq(n, 2, "economy and markets collapse to one code");
        cr_assert_str_eq(out[0], "medtop:04000000");
        cr_assert_str_eq(out[1], "medtop:15000000");
        char l2[] = "unmapped|other";
        cr_assert_eq(ne_topic_map_labels(map, l2, out, 8), 0, "document left out");
        char l3[] = "a||b|a";
        cr_assert_eq(ne_topic_map_labels(NULL, l3, out, 8), 2, "split, dedupe, no map");
        ne_topic_dict_free(map);
}

Test(topic_data, label_map_conflict_is_an_error)
{
        char path[] = "/tmp/ne-topic-map-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        const char *txt = "a\tx\tcode1\tone\nb\tx\tcode2\ttwo\n";
        cr_assert_eq(write(fd, txt, strlen(txt)), (ssize_t)strlen(txt));
        close(fd);
        struct ne_topic_dict *map = NULL;
        struct ne_diag d;
        ne_diag_clear(&d);
        cr_assert_eq(ne_topic_dict_load(path, 1, 2, 3, &map, &d), -EBADMSG);
        cr_assert(strstr(d.msg, "maps to both"));
        /* too few columns, with the line number */
        fd = open(path, O_WRONLY | O_TRUNC);
        cr_assert_eq(write(fd, "# c\nok\tx\ty\tz\nshort\tline\n", 24), 24);
        close(fd);
        ne_diag_clear(&d);
        cr_assert_eq(ne_topic_dict_load(path, 1, 2, 3, &map, &d), -EBADMSG);
        cr_assert_eq(d.line, 3);
        unlink(path);
}

struct corpus_seen {
        size_t docs, bad, bad_lines[8];
        char labels[8][64];
};

static int seen_doc(const char *const *labels, size_t n, const char *text, size_t len, size_t line,
                    void *ud)
{
        struct corpus_seen *s = ud;
        (void)text;
        (void)len;
        (void)line;
        if (s->docs < 8) {
                s->labels[s->docs][0] = '\0';
                for (size_t i = 0; i < n; i++) {
                        strcat(s->labels[s->docs], i ? "," : "");
                        strncat(s->labels[s->docs], labels[i], 20);
                }
        }
        s->docs++;
        return 0;
}

static int seen_bad(const char *path, size_t line, const char *why, void *ud)
{
        struct corpus_seen *s = ud;
        (void)path;
        (void)why;
        if (s->bad < 8)
                s->bad_lines[s->bad] = line;
        s->bad++;
        return 0;
}

Test(topic_data, corpus_with_map_and_folds)
{
        struct ne_topic_dict *map;
        cr_assert_eq(ne_topic_dict_load(fixture("tiny_map.tsv"), 1, 2, 3, &map, NULL), 0);
        struct ne_topic_corpus_opts o = {.map = map};
        struct corpus_seen s = {0};
        cr_assert_eq(
            ne_topic_corpus_read(fixture("malformed.tsv"), &o, seen_doc, seen_bad, &s, NULL), 0);
        cr_assert_eq(s.bad, 5);
        cr_assert_eq(s.bad_lines[0], 3);
        cr_assert_eq(s.bad_lines[4], 8);
        cr_assert_eq(s.docs, 3, "the unmapped-only document is left out");
        cr_assert_str_eq(s.labels[1], "medtop:04000000,medtop:15000000");
        cr_assert_str_eq(s.labels[2], "medtop:04000000");

        /* folds over tiny.tsv: test parts partition the file */
        size_t total = 0;
        for (int k = 0; k < 5; k++) {
                struct ne_topic_corpus_opts f = {.folds = 5, .fold = k, .test_part = true};
                struct corpus_seen t = {0}, u = {0};
                ne_topic_corpus_read(fixture("tiny.tsv"), &f, seen_doc, seen_bad, &t, NULL);
                f.test_part = false;
                ne_topic_corpus_read(fixture("tiny.tsv"), &f, seen_doc, seen_bad, &u, NULL);
                cr_assert_eq(t.docs + u.docs, 33);
                total += t.docs;
        }
        cr_assert_eq(total, 33);
        ne_topic_dict_free(map);
}

Test(topic_data, strip_usenet)
{
        char text[] = "From: a@b.c\nSubject: Re: engine oil\nOrganization: X\n\n"
                      "In article <1@x>, a@b.c writes:\n> quoted\nMy own words.\n-- \nsig\n";
        size_t len = ne_topic_strip_usenet(text, strlen(text));
        cr_assert_str_eq(text, " Re: engine oil\nMy own words.\n");
        cr_assert_eq(len, strlen(text));
        char plain[] = "Title\n\nBody: not a header block";
        ne_topic_strip_usenet(plain, strlen(plain));
        cr_assert_str_eq(plain, "Title\n\nBody: not a header block");
        char title[] = "Profile: Gordon Brown\n\nBody";
        ne_topic_strip_usenet(title, strlen(title));
        cr_assert_str_eq(title, "Profile: Gordon Brown\n\nBody", "a one-line title is no header");
}
