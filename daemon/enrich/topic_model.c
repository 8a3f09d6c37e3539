/* Topic model file: load, validate and index a model image, and write one. Every length and
 * count read from the file is checked against the file size before use, and a CRC guards
 * against truncation and bit rot, so a bad file is an error, never a crash. After load the
 * model is read-only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ne/topic.h"
#include "ne/topic_train.h"
#include "topic_model.h"

static float get_f32(const uint8_t *p)
{
        uint32_t u = ne_topic_get_u32(p);
        float f;
        memcpy(&f, &u, sizeof(f));
        return f;
}

void ne_topic_model_free(struct ne_topic_model *m)
{
        if (!m)
                return;
        free(m->image);
        free(m->lp);
        free(m->dq);
        free(m->codes);
        free(m->names);
        free(m->slots);
        free(m);
}

static int corrupt(struct ne_diag *diag, const char *why)
{
        return ne_diag_set(diag, -EBADMSG, "not a valid topic model: %s", why);
}

/* Reads one NUL-terminated string at *off; fails if it runs past end. */
static const char *take_string(const uint8_t *img, size_t *off, size_t end)
{
        const uint8_t *nul = memchr(img + *off, '\0', end - *off);
        if (!nul)
                return NULL;
        const char *s = (const char *)img + *off;
        *off = (size_t)(nul - img) + 1;
        return s;
}

static bool finite_f(float f)
{
        return f == f && f < 3e38f && f > -3e38f;
}

static int parse_labels(struct ne_topic_model *m, size_t *off, struct ne_diag *diag)
{
        const uint8_t *img = m->image;
        uint32_t strings_len = ne_topic_get_u32(img + 32);
        m->lp = calloc(m->n_labels, sizeof(*m->lp));
        m->codes = calloc(m->n_labels, sizeof(*m->codes));
        m->names = calloc(m->n_labels, sizeof(*m->names));
        if (!m->lp || !m->codes || !m->names)
                return -ENOMEM;
        for (uint32_t l = 0; l < m->n_labels; l++) {
                const uint8_t *p = img + *off + 16 * (size_t)l;
                m->lp[l] = (struct ne_topic_label_params){get_f32(p), get_f32(p + 4),
                                                          get_f32(p + 8), get_f32(p + 12)};
                if (!finite_f(m->lp[l].bias) || !finite_f(m->lp[l].scale) ||
                    !finite_f(m->lp[l].platt_a) || !finite_f(m->lp[l].platt_b))
                        return corrupt(diag, "non-finite label parameters");
        }
        *off += 16 * (size_t)m->n_labels;
        m->dq = malloc((size_t)m->n_labels * 256 * sizeof(*m->dq));
        if (!m->dq)
                return -ENOMEM;
        for (uint32_t l = 0; l < m->n_labels; l++)
                for (int q = -128; q < 128; q++) {
                        float u = (float)q / 127.0f;
                        m->dq[l * 256 + (uint32_t)(q + 128)] =
                            (q < 0 ? -u * u : u * u) * m->lp[l].scale;
                }
        size_t end = *off + strings_len;
        const char *tag = take_string(img, off, end);
        if (!tag)
                return corrupt(diag, "bad string table");
        for (uint32_t l = 0; l < m->n_labels; l++) {
                m->codes[l] = take_string(img, off, end);
                m->names[l] = m->codes[l] ? take_string(img, off, end) : NULL;
                if (!m->names[l])
                        return corrupt(diag, "bad string table");
        }
        if (*off != end)
                return corrupt(diag, "bad string table length");
        snprintf(m->version, sizeof(m->version), "%.120s+%08x", tag,
                 ne_topic_get_u32(img + m->size - 4));
        return 0;
}

static int build_index(struct ne_topic_model *m, const uint8_t *keys, struct ne_diag *diag)
{
        uint32_t cap = 16;
        while (cap < 2u * m->n_features)
                cap <<= 1;
        m->mask = cap - 1;
        m->slots = calloc(cap, sizeof(*m->slots));
        if (!m->slots)
                return -ENOMEM;
        uint32_t prev = 0;
        for (uint32_t f = 0; f < m->n_features; f++) {
                uint32_t key = ne_topic_get_u32(keys + 4 * (size_t)f);
                if (f && key <= prev)
                        return corrupt(diag, "feature keys not strictly ascending");
                prev = key;
                uint32_t i = ne_topic_slot_of(m, key);
                while (m->slots[i].row)
                        i = (i + 1) & m->mask;
                m->slots[i] = (struct ne_topic_slot){key, f + 1};
        }
        return 0;
}

/* Takes ownership of image (malloc'd) in all cases. */
static int parse_image(uint8_t *image, size_t size, struct ne_topic_model **ret,
                       struct ne_diag *diag)
{
        struct ne_topic_model *m = calloc(1, sizeof(*m));
        int r;
        if (!m) {
                free(image);
                return -ENOMEM;
        }
        m->image = image;
        m->size = size;
        if (size < NE_TOPIC_HEADER_SIZE + 4 || memcmp(image, NE_TOPIC_MAGIC, 8) != 0) {
                r = corrupt(diag, "bad magic or too short");
                goto err_free;
        }
        if (crc32(0L, image, (uInt)(size - 4)) != ne_topic_get_u32(image + size - 4)) {
                r = corrupt(diag, "checksum mismatch (truncated or damaged file)");
                goto err_free;
        }
        m->flags = ne_topic_get_u32(image + 8);
        m->seed = ne_topic_get_u32(image + 12);
        m->n_labels = ne_topic_get_u32(image + 16);
        m->n_features = ne_topic_get_u32(image + 20);
        float idf_min = get_f32(image + 24), idf_step = get_f32(image + 28);
        uint64_t strings_len = ne_topic_get_u32(image + 32);
        if (m->n_labels == 0 || m->n_labels > NE_TOPIC_MAX_LABELS ||
            m->n_features > NE_TOPIC_MAX_FEATURES || !finite_f(idf_min) || !finite_f(idf_step) ||
            (m->flags &
             ~(uint32_t)(NE_TOPIC_F_BIGRAMS | NE_TOPIC_F_DIGITS | NE_TOPIC_F_COMPOUND))) {
                r = corrupt(diag, "bad header");
                goto err_free;
        }
        uint64_t need = NE_TOPIC_HEADER_SIZE + 16ull * m->n_labels + strings_len +
                        (uint64_t)m->n_features * (5ull + m->n_labels) + 4;
        if (need != size) {
                r = corrupt(diag, "sizes in header do not match the file size");
                goto err_free;
        }
        size_t off = NE_TOPIC_HEADER_SIZE;
        r = parse_labels(m, &off, diag);
        if (r < 0)
                goto err_free;
        const uint8_t *keys = image + off;
        off += 4 * (size_t)m->n_features;
        m->rows = image + off;
        for (int q = 0; q < 256; q++)
                m->idf[q] = idf_min + (float)q * idf_step;
        r = build_index(m, keys, diag);
        if (r < 0)
                goto err_free;
        *ret = m;
        return 0;
err_free:
        ne_topic_model_free(m);
        return r;
}

int ne_topic_model_from_buf(const void *buf, size_t size, struct ne_topic_model **ret,
                            struct ne_diag *diag)
{
        if (!buf || size > NE_TOPIC_MAX_FILE)
                return ne_diag_set(diag, -EINVAL, "model image missing or too large");
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, buf, size);
        return parse_image(copy, size, ret, diag);
}

int ne_topic_model_load(const char *path, struct ne_topic_model **ret, struct ne_diag *diag)
{
        struct stat st;
        uint8_t *image = NULL;
        int r, fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                return ne_diag_set(diag, r, "%s: cannot open: %s", path, strerror(-r));
        }
        if (fstat(fd, &st) < 0) {
                r = ne_diag_set(diag, -errno, "%s: cannot stat", path);
                goto err_close;
        }
        if (!S_ISREG(st.st_mode) || st.st_size > (off_t)NE_TOPIC_MAX_FILE) {
                r = ne_diag_set(diag, -EBADMSG, "%s: not a regular file or too large", path);
                goto err_close;
        }
        size_t size = (size_t)st.st_size, got = 0;
        image = malloc(size ? size : 1);
        if (!image) {
                r = -ENOMEM;
                goto err_close;
        }
        while (got < size) {
                ssize_t n = read(fd, image + got, size - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = ne_diag_set(diag, n < 0 ? -errno : -EIO, "%s: read failed", path);
                        goto err_close;
                }
                got += (size_t)n;
        }
        close(fd);
        r = parse_image(image, size, ret, diag);
        if (r < 0 && diag) {
                char msg[sizeof(diag->msg)];
                snprintf(msg, sizeof(msg), "%s", diag->msg);
                ne_diag_set(diag, r, "%.200s: %s", path, msg);
        }
        return r;
err_close:
        free(image);
        close(fd);
        return r;
}

int ne_topic_image_save(const void *image, size_t size, const char *path, struct ne_diag *diag)
{
        char tmp[4096];
        int r = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        if (r < 0 || (size_t)r >= sizeof(tmp))
                return ne_diag_set(diag, -ENAMETOOLONG, "%s: path too long", path);
        FILE *f = fopen(tmp, "wb");
        if (!f)
                return ne_diag_set(diag, -errno, "%s: cannot create: %s", tmp, strerror(errno));
        bool ok = fwrite(image, 1, size, f) == size;
        ok = (fflush(f) == 0) && ok;
        ok = (fsync(fileno(f)) == 0) && ok;
        ok = (fclose(f) == 0) && ok;
        if (!ok || rename(tmp, path) < 0) {
                r = -errno;
                unlink(tmp);
                return ne_diag_set(diag, r ? r : -EIO, "%s: cannot write", path);
        }
        return 0;
}

const char *ne_topic_model_version(const struct ne_topic_model *m)
{
        return m->version;
}

size_t ne_topic_model_n_labels(const struct ne_topic_model *m)
{
        return m->n_labels;
}

void ne_topic_model_label(const struct ne_topic_model *m, size_t i, const char **ret_code,
                          const char **ret_label)
{
        if (i >= m->n_labels)
                return;
        if (ret_code)
                *ret_code = m->codes[i];
        if (ret_label)
                *ret_label = m->names[i];
}

uint32_t ne_topic_model_flags(const struct ne_topic_model *m)
{
        return m->flags;
}

size_t ne_topic_model_n_features(const struct ne_topic_model *m)
{
        return m->n_features;
}
