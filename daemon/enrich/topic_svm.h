/* Private to the topic trainer: the binary linear SVM solver and Platt calibration over a
 * sparse document matrix (topic_svm.c). */
#ifndef NE_TOPIC_SVM_H
#define NE_TOPIC_SVM_H

#include <stddef.h>
#include <stdint.h>

/* Rows are documents in CSR form; values L2-normalised. */
struct ne_topic_csr {
        size_t n_rows;
        uint32_t n_cols;
        const size_t *off; /* n_rows + 1 */
        const uint32_t *col;
        const float *val;
};

/* Trains an L2-regularised L2-loss linear SVM (with a regularised bias feature of value 1) on
 * the documents idx[0..n) with labels y (+1/-1, indexed by document) by dual coordinate
 * descent (Hsieh et al. 2008, as liblinear's solver 1). w has n_cols + 1 entries (the last is
 * the bias) and is overwritten. work must hold 3 * n entries. Deterministic for a given seed. */
void ne_topic_svm_train(const struct ne_topic_csr *x, const int8_t *y, const uint32_t *idx,
                        size_t n, double c, double eps, int max_iter, uint64_t seed, double *w,
                        double *work);

/* w . x_i + bias */
double ne_topic_svm_decision(const struct ne_topic_csr *x, const double *w, size_t i);

/* Fits p = 1 / (1 + exp(a f + b)) to decision values f and labels y (n entries) by Platt's
 * method with Lin, Lin and Weng's Newton iteration. */
void ne_topic_platt_fit(const double *f, const int8_t *y, size_t n, double *ret_a, double *ret_b);

#endif
