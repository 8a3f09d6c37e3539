/* Reader for labelled topic data (`labels<TAB>text` lines, PostgreSQL COPY escapes, gzip or
 * plain, optional `#` header) and the small TSV dictionaries used as label maps and label-name
 * lists. Malformed lines are returned as errors carrying their line number so the command can
 * report them and go on; nothing here logs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ne/topic_train.h"
#include "ne/utf8.h"

struct ne_topic_reader {
        gzFile gz;
        char *buf;
        size_t cap;
        size_t line;  /* lines read so far */
        size_t index; /* data lines read so far */
};

int ne_topic_reader_open(const char *path, struct ne_topic_reader **ret, struct ne_diag *diag)
{
        struct ne_topic_reader *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->gz = gzopen(path, "rb");
        if (!r->gz) {
                int err = errno ? -errno : -EIO;
                free(r);
                return ne_diag_set(diag, err, "%s: cannot open: %s", path, strerror(-err));
        }
        gzbuffer(r->gz, 1u << 17);
        r->cap = 1u << 16;
        r->buf = malloc(r->cap);
        if (!r->buf) {
                ne_topic_reader_free(r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}

void ne_topic_reader_free(struct ne_topic_reader *r)
{
        if (!r)
                return;
        if (r->gz)
                gzclose(r->gz);
        free(r->buf);
        free(r);
}

/* Reads one line without its newline into r->buf. Returns 1, 0 at EOF, -errno. A line over the
 * bound is consumed and reported as -EFBIG. */
static int read_line(struct ne_topic_reader *r, size_t *ret_len)
{
        size_t len = 0;
        bool too_long = false;
        for (;;) {
                if (r->cap - len < 2) {
                        if (r->cap >= NE_TOPIC_MAX_LINE) {
                                too_long = true;
                                len = 0;
                        } else {
                                size_t ncap = r->cap * 2;
                                char *nb = realloc(r->buf, ncap);
                                if (!nb)
                                        return -ENOMEM;
                                r->buf = nb;
                                r->cap = ncap;
                        }
                }
                if (!gzgets(r->gz, r->buf + len, (int)(r->cap - len))) {
                        int zerr;
                        gzerror(r->gz, &zerr);
                        if (zerr != Z_OK && zerr != Z_BUF_ERROR)
                                return -EIO;
                        if (len == 0 && !too_long)
                                return 0;
                        break;
                }
                len += strlen(r->buf + len);
                if (len && r->buf[len - 1] == '\n')
                        break;
        }
        if (len && r->buf[len - 1] == '\n')
                len--;
        if (len && r->buf[len - 1] == '\r')
                len--;
        r->buf[len] = '\0';
        r->line++;
        *ret_len = len;
        return too_long ? -EFBIG : 1;
}

int ne_topic_unescape(char *s, size_t len, size_t *ret_len)
{
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] != '\\') {
                        s[o++] = s[i];
                        continue;
                }
                if (++i == len)
                        return -EBADMSG;
                switch (s[i]) {
                case 'n':
                        s[o++] = '\n';
                        break;
                case 't':
                        s[o++] = '\t';
                        break;
                case 'r':
                        s[o++] = '\r';
                        break;
                case 'b':
                        s[o++] = '\b';
                        break;
                case 'f':
                        s[o++] = '\f';
                        break;
                case 'v':
                        s[o++] = '\v';
                        break;
                default:
                        s[o++] = s[i];
                        break;
                }
        }
        s[o] = '\0';
        *ret_len = o;
        return 0;
}

static int bad(struct ne_diag *diag, size_t line, const char *why)
{
        ne_diag_set(diag, -EBADMSG, "%s", why);
        if (diag)
                diag->line = (int)line;
        return -EBADMSG;
}

int ne_topic_reader_next(struct ne_topic_reader *r, struct ne_topic_record *rec,
                         struct ne_diag *diag)
{
        size_t len;
        int ret;
        for (;;) {
                ret = read_line(r, &len);
                if (ret == -EFBIG)
                        return bad(diag, r->line, "line too long");
                if (ret <= 0)
                        return ret;
                if (r->line == 1 && r->buf[0] == '#')
                        continue; /* header */
                break;
        }
        size_t index = r->index++;
        size_t bad_at;
        if (!ne_utf8_is_valid(r->buf, len, &bad_at))
                return bad(diag, r->line, "invalid UTF-8 (or NUL byte)");
        char *tab = memchr(r->buf, '\t', len);
        if (!tab)
                return bad(diag, r->line, "no TAB between labels and text");
        *tab = '\0';
        if (tab == r->buf)
                return bad(diag, r->line, "empty labels");
        char *text = tab + 1;
        size_t tlen = len - (size_t)(text - r->buf);
        if (memchr(text, '\t', tlen))
                return bad(diag, r->line, "more than two fields (unescaped TAB in text)");
        if (ne_topic_unescape(text, tlen, &tlen) < 0)
                return bad(diag, r->line, "trailing backslash in text");
        rec->labels = r->buf;
        rec->text = text;
        rec->text_len = tlen;
        rec->line = r->line;
        rec->index = index;
        return 1;
}

/* ---- TSV dictionaries ---- */

struct dict_entry {
        char *key;
        char *value;
        char *name;
};

struct ne_topic_dict {
        struct dict_entry *e;
        size_t n;
};

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const struct dict_entry *)a)->key, ((const struct dict_entry *)b)->key);
}

void ne_topic_dict_free(struct ne_topic_dict *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                free(d->e[i].key);
                free(d->e[i].value);
                free(d->e[i].name);
        }
        free(d->e);
        free(d);
}

/* Splits line at TABs into at most max fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
        int n = 0;
        f[n++] = line;
        for (char *p = line; *p && n < max; p++) {
                if (*p == '\t') {
                        *p = '\0';
                        f[n++] = p + 1;
                }
        }
        return n;
}

int ne_topic_dict_load(const char *path, int key_col, int value_col, int name_col,
                       struct ne_topic_dict **ret, struct ne_diag *diag)
{
        struct ne_topic_reader *r = NULL;
        struct ne_topic_dict *d = calloc(1, sizeof(*d));
        size_t cap = 0, len;
        int need = key_col > value_col ? key_col : value_col;
        int ret_err;
        if (name_col > need)
                need = name_col;
        if (!d)
                return -ENOMEM;
        ret_err = ne_topic_reader_open(path, &r, diag);
        if (ret_err < 0)
                goto err_free;
        while ((ret_err = read_line(r, &len)) != 0) {
                char *f[8];
                if (ret_err < 0) {
                        ret_err = ne_diag_set(diag, ret_err == -EFBIG ? -EBADMSG : ret_err,
                                              "%s:%zu: cannot read line", path, r->line);
                        goto err_free;
                }
                if (len == 0 || r->buf[0] == '#')
                        continue;
                if (split_tabs(r->buf, f, 8) <= need) {
                        ret_err = ne_diag_set(diag, -EBADMSG, "%s:%zu: expected %d columns", path,
                                              r->line, need + 1);
                        if (diag)
                                diag->line = (int)r->line;
                        goto err_free;
                }
                if (d->n == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        struct dict_entry *ne = realloc(d->e, ncap * sizeof(*ne));
                        if (!ne) {
                                ret_err = -ENOMEM;
                                goto err_free;
                        }
                        d->e = ne;
                        cap = ncap;
                }
                struct dict_entry *e = &d->e[d->n];
                e->key = strdup(f[key_col]);
                e->value = strdup(f[value_col]);
                e->name = strdup(f[name_col]);
                d->n++;
                if (!e->key || !e->value || !e->name) {
                        ret_err = -ENOMEM;
                        goto err_free;
                }
        }
        qsort(d->e, d->n, sizeof(*d->e), cmp_entry);
        for (size_t i = 1; i < d->n; i++) {
                if (strcmp(d->e[i - 1].key, d->e[i].key) == 0 &&
                    strcmp(d->e[i - 1].value, d->e[i].value) != 0) {
                        ret_err = ne_diag_set(diag, -EBADMSG, "%s: key '%s' maps to both %s and %s",
                                              path, d->e[i].key, d->e[i - 1].value, d->e[i].value);
                        goto err_free;
                }
        }
        ne_topic_reader_free(r);
        *ret = d;
        return 0;
err_free:
        ne_topic_reader_free(r);
        ne_topic_dict_free(d);
        return ret_err;
}

const char *ne_topic_dict_get(const struct ne_topic_dict *d, const char *key, const char **ret_name)
{
        struct dict_entry k = {.key = (char *)key};
        const struct dict_entry *e = bsearch(&k, d->e, d->n, sizeof(*d->e), cmp_entry);
        if (!e)
                return NULL;
        if (ret_name)
                *ret_name = e->name;
        return e->value;
}

void ne_topic_dict_entry(const struct ne_topic_dict *d, size_t i, const char **ret_key,
                         const char **ret_value, const char **ret_name)
{
        if (i >= d->n)
                return;
        if (ret_key)
                *ret_key = d->e[i].key;
        if (ret_value)
                *ret_value = d->e[i].value;
        if (ret_name)
                *ret_name = d->e[i].name;
}

size_t ne_topic_dict_size(const struct ne_topic_dict *d)
{
        return d ? d->n : 0;
}

size_t ne_topic_map_labels(const struct ne_topic_dict *map, char *labels, const char **out,
                           size_t max)
{
        size_t n = 0;
        char *p = labels;
        while (p) {
                char *bar = strchr(p, '|');
                if (bar)
                        *bar = '\0';
                const char *l = p;
                p = bar ? bar + 1 : NULL;
                if (!*l)
                        continue;
                if (map && !(l = ne_topic_dict_get(map, l, NULL)))
                        continue;
                bool dup = false;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = strcmp(out[i], l) == 0;
                if (!dup && n < max)
                        out[n++] = l;
        }
        return n;
}
