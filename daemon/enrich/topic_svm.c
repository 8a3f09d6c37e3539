/* Binary linear SVM by dual coordinate descent and Platt calibration: the numerical core of the
 * topic trainer, over a CSR matrix the trainer owns. Single-threaded and deterministic; the
 * trainer runs one label per thread. */
#include <math.h>
#include <string.h>

#include "topic_svm.h"

static uint64_t next_rand(uint64_t *s)
{
        /* splitmix64: tiny, good enough for shuffling, identical on every platform */
        uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
}

double ne_topic_svm_decision(const struct ne_topic_csr *x, const double *w, size_t i)
{
        double s = w[x->n_cols];
        for (size_t k = x->off[i]; k < x->off[i + 1]; k++)
                s += w[x->col[k]] * x->val[k];
        return s;
}

void ne_topic_svm_train(const struct ne_topic_csr *x, const int8_t *y, const uint32_t *idx,
                        size_t n, double c, double eps, int max_iter, uint64_t seed, double *w,
                        double *work)
{
        const double diag = 0.5 / c;
        double *alpha = work, *qd = work + n;
        uint32_t *index = (uint32_t *)(work + 2 * n); /* n uint32 fit in n doubles */
        double pgmax_old = INFINITY, pgmin_old = -INFINITY;
        size_t active = n;
        uint64_t rng = seed;

        memset(w, 0, (x->n_cols + 1) * sizeof(*w));
        for (size_t s = 0; s < n; s++) {
                size_t i = idx[s];
                double sq = 1.0; /* bias feature */
                for (size_t k = x->off[i]; k < x->off[i + 1]; k++)
                        sq += (double)x->val[k] * x->val[k];
                alpha[s] = 0.0;
                qd[s] = diag + sq;
                index[s] = (uint32_t)s;
        }
        for (int iter = 0; iter < max_iter; iter++) {
                double pgmax_new = -INFINITY, pgmin_new = INFINITY;
                for (size_t s = 0; s + 1 < active; s++) {
                        size_t j = s + (size_t)(next_rand(&rng) % (active - s));
                        uint32_t t = index[s];
                        index[s] = index[j];
                        index[j] = t;
                }
                for (size_t s = 0; s < active; s++) {
                        uint32_t a = index[s];
                        size_t i = idx[a];
                        double yi = y[i];
                        double g = yi * ne_topic_svm_decision(x, w, i) - 1.0 + alpha[a] * diag;
                        double pg = 0.0;
                        if (alpha[a] == 0.0) {
                                if (g > pgmax_old) {
                                        /* shrink: this variable is likely to stay at 0 */
                                        active--;
                                        index[s] = index[active];
                                        index[active] = a;
                                        s--;
                                        continue;
                                }
                                if (g < 0.0)
                                        pg = g;
                        } else {
                                pg = g;
                        }
                        if (pg > pgmax_new)
                                pgmax_new = pg;
                        if (pg < pgmin_new)
                                pgmin_new = pg;
                        if (fabs(pg) > 1e-12) {
                                double old = alpha[a];
                                alpha[a] = fmax(old - g / qd[a], 0.0);
                                double d = (alpha[a] - old) * yi;
                                for (size_t k = x->off[i]; k < x->off[i + 1]; k++)
                                        w[x->col[k]] += d * x->val[k];
                                w[x->n_cols] += d;
                        }
                }
                if (pgmax_new - pgmin_new <= eps) {
                        if (active == n)
                                break;
                        active = n;
                        pgmax_old = INFINITY;
                        pgmin_old = -INFINITY;
                        continue;
                }
                pgmax_old = pgmax_new <= 0.0 ? INFINITY : pgmax_new;
                pgmin_old = pgmin_new >= 0.0 ? -INFINITY : pgmin_new;
        }
        (void)pgmin_old;
}

void ne_topic_platt_fit(const double *f, const int8_t *y, size_t n, double *ret_a, double *ret_b)
{
        double prior1 = 0, prior0 = 0;
        for (size_t i = 0; i < n; i++)
                if (y[i] > 0)
                        prior1++;
                else
                        prior0++;
        const double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1.0 / (prior0 + 2.0);
        const double min_step = 1e-10, sigma = 1e-12;
        double a = 0.0, b = log((prior0 + 1.0) / (prior1 + 1.0)), fval = 0.0;

        for (size_t i = 0; i < n; i++) {
                double t = y[i] > 0 ? hi : lo, fa = f[i] * a + b;
                fval += fa >= 0 ? t * fa + log1p(exp(-fa)) : (t - 1) * fa + log1p(exp(fa));
        }
        for (int it = 0; it < 100; it++) {
                double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
                for (size_t i = 0; i < n; i++) {
                        double t = y[i] > 0 ? hi : lo, fa = f[i] * a + b, p, q;
                        if (fa >= 0) {
                                p = exp(-fa) / (1.0 + exp(-fa));
                                q = 1.0 / (1.0 + exp(-fa));
                        } else {
                                p = 1.0 / (1.0 + exp(fa));
                                q = exp(fa) / (1.0 + exp(fa));
                        }
                        double d2 = p * q;
                        h11 += f[i] * f[i] * d2;
                        h22 += d2;
                        h21 += f[i] * d2;
                        double d1 = t - p;
                        g1 += f[i] * d1;
                        g2 += d1;
                }
                if (fabs(g1) < 1e-5 && fabs(g2) < 1e-5)
                        break;
                double det = h11 * h22 - h21 * h21;
                double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
                double gd = g1 * da + g2 * db, step = 1.0;
                while (step >= min_step) {
                        double na = a + step * da, nb = b + step * db, nf = 0.0;
                        for (size_t i = 0; i < n; i++) {
                                double t = y[i] > 0 ? hi : lo, fa = f[i] * na + nb;
                                nf += fa >= 0 ? t * fa + log1p(exp(-fa))
                                              : (t - 1) * fa + log1p(exp(fa));
                        }
                        if (nf < fval + 0.0001 * step * gd) {
                                a = na;
                                b = nb;
                                fval = nf;
                                break;
                        }
                        step /= 2.0;
                }
                if (step < min_step)
                        break;
        }
        *ret_a = a;
        *ret_b = b;
}
