/* The model file: writing it from trained parts, reading and validating it (magic, version,
 * sizes, checksum) into the lookup tables tagging uses, and emission scoring over those
 * tables. Everything a file says is checked before it sizes an allocation. All integers are
 * little-endian on disk whatever the host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ner_impl.h"

static const char MAGIC[8] = {'N', 'E', 'N', 'E', 'R', 'M', 'D', 1};
#define FORMAT_VERSION 1
#define HEADER_BYTES (8 + 4 * 7 + 4)
#define TRANS_N ((NER_N_TAGS + 1) * NER_N_TAGS)
#define MAX_FEATS 50000000u
#define MAX_FILE (512u << 20)

/* ---- little-endian writer/reader ---- */
struct wbuf {
        uint8_t *p;
        size_t len;
};

static void put_u32(struct wbuf *w, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                w->p[w->len++] = (uint8_t)(v >> (8 * i));
}

static void put_u16(struct wbuf *w, uint16_t v)
{
        w->p[w->len++] = (uint8_t)v;
        w->p[w->len++] = (uint8_t)(v >> 8);
}

static void put_f32(struct wbuf *w, float f)
{
        uint32_t v;
        memcpy(&v, &f, 4);
        put_u32(w, v);
}

static uint32_t get_u32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_u16(const uint8_t *p)
{
        return (uint16_t)(p[0] | p[1] << 8);
}

static float get_f32(const uint8_t *p)
{
        uint32_t v = get_u32(p);
        float f;
        memcpy(&f, &v, 4);
        return f;
}

size_t ner_model_lex_bytes(const struct ner_lex *lex)
{
        return lex->clusters.n * 6 + lex->n_paths * 5 + lex->gaz.n * 6;
}

static size_t file_bytes(size_t n_feats, size_t n_clu, size_t n_paths, size_t n_gaz)
{
        return HEADER_BYTES + TRANS_N * 4 + n_feats * NER_FEAT_BYTES + n_clu * 6 + n_paths * 5 +
               n_gaz * 6 + 4;
}

/* Map entries in slot order (deterministic for the same insertions): all keys, then all
 * values as u16 (cluster path indexes and gazetteer list bits both fit). */
static void put_map(struct wbuf *w, const struct ner_map *map)
{
        if (!map->slots)
                return;
        for (size_t i = 0; i <= map->mask; i++)
                if (map->slots[i].key)
                        put_u32(w, map->slots[i].key);
        for (size_t i = 0; i <= map->mask; i++) {
                if (!map->slots[i].key)
                        continue;
                put_u16(w, (uint16_t)map->slots[i].val);
        }
}

int ner_model_serialize(const struct ner_model_parts *parts, uint8_t **ret_buf, size_t *ret_len)
{
        const struct ner_lex *lex = parts->lex;
        size_t len = file_bytes(parts->n_feats, lex->clusters.n, lex->n_paths, lex->gaz.n);
        struct wbuf w = {malloc(len), 0};
        if (!w.p)
                return -ENOMEM;
        memcpy(w.p, MAGIC, 8);
        w.len = 8;
        put_u32(&w, FORMAT_VERSION);
        put_u32(&w, NER_FEATURE_SET);
        put_u32(&w, NER_N_TAGS);
        put_u32(&w, (uint32_t)parts->n_feats);
        put_u32(&w, (uint32_t)lex->clusters.n);
        put_u32(&w, (uint32_t)lex->n_paths);
        put_u32(&w, (uint32_t)lex->gaz.n);
        put_f32(&w, parts->conf_scale);
        for (size_t i = 0; i < TRANS_N; i++)
                put_f32(&w, parts->trans[i]);
        for (size_t i = 0; i < parts->n_feats; i++)
                put_u32(&w, parts->keys[i]);
        for (size_t i = 0; i < parts->n_feats; i++)
                put_f32(&w, parts->scales[i]);
        if (parts->n_feats)
                memcpy(w.p + w.len, parts->q, parts->n_feats * NER_N_TAGS);
        w.len += parts->n_feats * NER_N_TAGS;
        put_map(&w, &lex->clusters);
        for (size_t i = 0; i < lex->n_paths; i++)
                put_u32(&w, lex->path_bits[i]);
        if (lex->n_paths)
                memcpy(w.p + w.len, lex->path_len, lex->n_paths);
        w.len += lex->n_paths;
        put_map(&w, &lex->gaz);
        put_u32(&w, (uint32_t)crc32(0L, w.p, (uInt)w.len));
        *ret_buf = w.p;
        *ret_len = w.len;
        return 0;
}

static int build_map(struct ner_map *map, const uint8_t *keys, const uint8_t *vals, size_t n,
                     uint32_t max_val)
{
        if (ner_map_init(map, n) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uint32_t k = get_u32(keys + 4 * i), v = get_u16(vals + 2 * i);
                if (k == 0 || v > max_val)
                        return -EINVAL;
                bool found;
                uint32_t *slot = ner_map_slot(map, k, &found);
                if (!slot)
                        return -ENOMEM;
                if (found)
                        return -EINVAL;
                *slot = v;
        }
        return 0;
}

static int build_weights(struct ne_ner_model *m, const uint8_t *keys, const uint8_t *scales,
                         const uint8_t *q, size_t n)
{
        size_t cap = 16;
        while (cap < n + n / 2 + 1)
                cap *= 2;
        m->slots = calloc(cap, sizeof(*m->slots));
        m->rows = calloc(n ? n : 1, sizeof(*m->rows));
        if (!m->slots || !m->rows)
                return -ENOMEM;
        m->slot_mask = cap - 1;
        for (size_t i = 0; i < n; i++) {
                uint32_t k = get_u32(keys + 4 * i);
                if (k == 0)
                        return -EINVAL;
                size_t j = k & m->slot_mask;
                while (m->slots[j].key && m->slots[j].key != k)
                        j = (j + 1) & m->slot_mask;
                if (m->slots[j].key == k)
                        return -EINVAL;
                m->slots[j].key = k;
                m->slots[j].val = (uint32_t)i;
                float sc = get_f32(scales + 4 * i);
                if (!(sc >= 0 && sc < 1e30f))
                        return -EINVAL;
                for (int t = 0; t < NER_N_TAGS; t++)
                        m->rows[i].w[t] = sc * (float)(int8_t)q[i * NER_N_TAGS + (size_t)t];
        }
        m->n_feats = n;
        return 0;
}

int ner_model_parse(uint8_t *buf, size_t len, bool take_image, struct ne_ner_model **ret,
                    struct ne_diag *diag)
{
        if (len < HEADER_BYTES + TRANS_N * 4 + 4 || memcmp(buf, MAGIC, 8) != 0)
                return ne_diag_set(diag, -EINVAL, "not a NER model (bad magic or too short)");
        const uint8_t *h = buf + 8;
        uint32_t fmt = get_u32(h), fset = get_u32(h + 4), ntags = get_u32(h + 8);
        uint32_t n_feats = get_u32(h + 12), n_clu = get_u32(h + 16), n_paths = get_u32(h + 20);
        uint32_t n_gaz = get_u32(h + 24);
        if (fmt != FORMAT_VERSION || fset != NER_FEATURE_SET || ntags != NER_N_TAGS)
                return ne_diag_set(diag, -EINVAL,
                                   "NER model format %u/feature set %u/tags %u not supported", fmt,
                                   fset, ntags);
        if (n_feats > MAX_FEATS || n_clu > MAX_FEATS || n_paths > 65535 || n_gaz > MAX_FEATS ||
            file_bytes(n_feats, n_clu, n_paths, n_gaz) != len)
                return ne_diag_set(diag, -EINVAL, "NER model truncated or sizes inconsistent");
        uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
        if (crc != get_u32(buf + len - 4))
                return ne_diag_set(diag, -EINVAL, "NER model checksum mismatch");

        struct ne_ner_model *m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        int r = -EINVAL;
        const uint8_t *p = h + 28;
        m->conf_scale = get_f32(p);
        p += 4;
        for (size_t i = 0; i < TRANS_N; i++, p += 4) {
                int prev = (int)(i / NER_N_TAGS), cur = (int)(i % NER_N_TAGS);
                m->trans[i] = ner_transition_ok(prev, cur) ? get_f32(p) : -1e30f;
        }
        const uint8_t *keys = p, *scales = keys + 4 * (size_t)n_feats;
        const uint8_t *q = scales + 4 * (size_t)n_feats;
        p = q + (size_t)n_feats * NER_N_TAGS;
        r = build_weights(m, keys, scales, q, n_feats);
        if (r < 0)
                goto err_bad;
        r = build_map(&m->lex.clusters, p, p + 4 * (size_t)n_clu, n_clu, n_paths ? n_paths - 1 : 0);
        if (r < 0 || (n_clu && !n_paths))
                goto err_bad;
        p += 6 * (size_t)n_clu;
        m->lex.n_paths = n_paths;
        m->lex.path_bits = malloc((n_paths ? n_paths : 1) * sizeof(uint32_t));
        m->lex.path_len = malloc(n_paths ? n_paths : 1);
        if (!m->lex.path_bits || !m->lex.path_len) {
                r = -ENOMEM;
                goto err_free;
        }
        for (size_t i = 0; i < n_paths; i++)
                m->lex.path_bits[i] = get_u32(p + 4 * i);
        p += 4 * (size_t)n_paths;
        memcpy(m->lex.path_len, p, n_paths);
        for (size_t i = 0; i < n_paths; i++)
                if (m->lex.path_len[i] == 0 || m->lex.path_len[i] > 32 ||
                    (m->lex.path_len[i] < 32 && m->lex.path_bits[i] >> m->lex.path_len[i]))
                        goto err_bad;
        p += n_paths;
        r = build_map(&m->lex.gaz, p, p + 4 * (size_t)n_gaz, n_gaz, 0xffff);
        if (r < 0)
                goto err_bad;
        m->crc = crc;
        m->file_size = len;
        snprintf(m->version, sizeof(m->version), "ner-conll03-%08x", crc);
        if (take_image) {
                m->image = buf;
                m->image_len = len;
        }
        *ret = m;
        return 0;
err_bad:
        if (r != -ENOMEM)
                r = ne_diag_set(diag, -EINVAL, "NER model has inconsistent tables");
err_free:
        ne_ner_model_free(m);
        return r;
}

int ne_ner_model_load(const char *path, struct ne_ner_model **ret, struct ne_diag *diag)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return ne_diag_set(diag, -errno, "%s: %s", path, strerror(errno));
        int r;
        uint8_t *buf = NULL;
        if (fseek(f, 0, SEEK_END) != 0) {
                r = ne_diag_set(diag, -errno, "%s: %s", path, strerror(errno));
                goto out;
        }
        long size = ftell(f);
        if (size < 0 || (unsigned long)size > MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
                r = ne_diag_set(diag, -EINVAL, "%s: not a NER model (size)", path);
                goto out;
        }
        buf = malloc(size ? (size_t)size : 1);
        if (!buf) {
                r = -ENOMEM;
                goto out;
        }
        if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
                goto out;
        }
        r = ner_model_parse(buf, (size_t)size, false, ret, diag);
        if (r < 0 && diag && diag->msg[0]) {
                char msg[sizeof(diag->msg)];
                snprintf(msg, sizeof(msg), "%s", diag->msg);
                ne_diag_set(diag, r, "%s: %s", path, msg);
        }
out:
        free(buf);
        fclose(f);
        return r;
}

int ne_ner_model_save(const struct ne_ner_model *m, const char *path, struct ne_diag *diag)
{
        if (!m->image)
                return ne_diag_set(diag, -EINVAL, "model has no file image to save");
        char tmp[4096];
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
                return ne_diag_set(diag, -ENAMETOOLONG, "%s: path too long", path);
        FILE *f = fopen(tmp, "wb");
        if (!f)
                return ne_diag_set(diag, -errno, "%s: %s", tmp, strerror(errno));
        size_t n = fwrite(m->image, 1, m->image_len, f);
        int err = fclose(f);
        if (n != m->image_len || err != 0) {
                unlink(tmp);
                return ne_diag_set(diag, -EIO, "%s: write error", tmp);
        }
        if (rename(tmp, path) != 0) {
                int e = errno;
                unlink(tmp);
                return ne_diag_set(diag, -e, "%s: %s", path, strerror(e));
        }
        return 0;
}

void ner_lex_fini(struct ner_lex *lex)
{
        ner_map_fini(&lex->clusters);
        ner_map_fini(&lex->gaz);
        free(lex->path_bits);
        free(lex->path_len);
        memset(lex, 0, sizeof(*lex));
}

void ne_ner_model_free(struct ne_ner_model *m)
{
        if (!m)
                return;
        ner_lex_fini(&m->lex);
        free(m->slots);
        free(m->rows);
        free(m->image);
        free(m);
}

const char *ne_ner_model_version(const struct ne_ner_model *m)
{
        return m->version;
}

size_t ne_ner_model_file_size(const struct ne_ner_model *m)
{
        return m->file_size;
}

void ner_model_emit(const struct ne_ner_model *m, const uint32_t *keys, size_t n, float *ret)
{
        const struct ner_map_slot *slots = m->slots;
        size_t mask = m->slot_mask;
        uint32_t hit[NER_MAX_FEATS];
        size_t n_hit = 0;
        /* Issue the loads first so that the misses overlap, then add up the rows found. */
        for (size_t k = 0; k < n; k++)
                __builtin_prefetch(&slots[keys[k] & mask]);
        for (size_t k = 0; k < n; k++) {
                size_t j = keys[k] & mask;
                while (slots[j].key != keys[k]) {
                        if (!slots[j].key)
                                goto next;
                        j = (j + 1) & mask;
                }
                hit[n_hit++] = slots[j].val;
                __builtin_prefetch(&m->rows[slots[j].val]);
        next:;
        }
        float acc[NER_ROW_LANES] = {0};
        for (size_t k = 0; k < n_hit; k++) {
                const float *w = m->rows[hit[k]].w;
                for (int t = 0; t < NER_ROW_LANES; t++)
                        acc[t] += w[t];
        }
        for (int t = 0; t < NER_N_TAGS; t++)
                ret[t] = acc[t];
}
