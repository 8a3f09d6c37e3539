/* Corpus walking shared by train-topics and eval-topics: reads a labelled-data file, applies
 * the label map, the cross-validation fold selection and optional Usenet clean-up, and hands
 * each kept document to a callback. Malformed lines go to a second callback with their line
 * number; the caller decides whether to report, skip or stop. Nothing here logs. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ne/topic_corpus.h"

static bool is_header_line(const char *s, const char *end)
{
        const char *p = s;
        while (p < end && (*p == '-' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                           (*p >= '0' && *p <= '9')))
                p++;
        return p > s && p < end && *p == ':';
}

static bool starts_with(const char *s, const char *end, const char *prefix)
{
        size_t n = strlen(prefix);
        return (size_t)(end - s) >= n && memcmp(s, prefix, n) == 0;
}

static bool ends_with(const char *s, const char *end, const char *suffix)
{
        size_t n = strlen(suffix);
        while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
                end--;
        return (size_t)(end - s) >= n && memcmp(end - n, suffix, n) == 0;
}

size_t ne_topic_strip_usenet(char *text, size_t len)
{
        const char *p = text, *end = text + len;
        size_t o = 0;
        /* two header lines in a row: one could be a news title such as "Profile: X" */
        const char *nl1 = memchr(p, '\n', len);
        bool in_header = nl1 && is_header_line(p, nl1) && is_header_line(nl1 + 1, end);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                const char *keep_from = p;
                bool keep;
                if (in_header) {
                        if (le == p) {
                                in_header = false; /* blank line ends the header block */
                                keep = false;
                        } else {
                                keep = starts_with(p, le, "Subject:");
                                keep_from = p + (keep ? 8 : 0);
                        }
                } else if (starts_with(p, le, "-- ") && le - p == 3) {
                        break; /* signature */
                } else {
                        keep = !(starts_with(p, le, ">") || starts_with(p, le, "|>") ||
                                 starts_with(p, le, "In article") || ends_with(p, le, "writes:") ||
                                 ends_with(p, le, "wrote:"));
                }
                if (keep) {
                        size_t n = (size_t)(le - keep_from);
                        memmove(text + o, keep_from, n);
                        o += n;
                        if (nl) /* keeps o <= bytes consumed, so writes never pass reads */
                                text[o++] = '\n';
                }
                p = nl ? nl + 1 : end;
        }
        text[o] = '\0';
        return o;
}

int ne_topic_corpus_read(const char *path, const struct ne_topic_corpus_opts *o,
                         ne_topic_doc_fn doc_fn, ne_topic_bad_fn bad_fn, void *ud,
                         struct ne_diag *diag)
{
        struct ne_topic_reader *r = NULL;
        struct ne_topic_record rec;
        struct ne_diag d;
        const char *labels[NE_TOPIC_CORPUS_MAX_LABELS];
        int ret = ne_topic_reader_open(path, &r, diag);
        if (ret < 0)
                return ret;
        for (;;) {
                ne_diag_clear(&d);
                ret = ne_topic_reader_next(r, &rec, &d);
                if (ret == 0)
                        break;
                if (ret == -EBADMSG) {
                        if (bad_fn && (ret = bad_fn(path, (size_t)d.line, d.msg, ud)) != 0)
                                break;
                        continue;
                }
                if (ret < 0) {
                        ne_diag_set(diag, ret, "%s: read error after line %zu", path, rec.line);
                        break;
                }
                if (o->folds > 1) {
                        bool in_test = rec.index % (size_t)o->folds == (size_t)o->fold;
                        if (in_test != o->test_part)
                                continue;
                }
                size_t n =
                    ne_topic_map_labels(o->map, rec.labels, labels, NE_TOPIC_CORPUS_MAX_LABELS);
                if (n == 0)
                        continue;
                size_t len = rec.text_len;
                if (o->strip_usenet)
                        len = ne_topic_strip_usenet(rec.text, len);
                ret = doc_fn(labels, n, rec.text, len, rec.line, ud);
                if (ret != 0)
                        break;
        }
        ne_topic_reader_free(r);
        return ret < 0 ? ret : 0;
}
