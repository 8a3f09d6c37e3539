/* Growable arrays: one helper for the many places that append to a caller-owned array and
 * want amortised doubling without allocating once the array has grown. */
#ifndef NE_ARRAY_H
#define NE_ARRAY_H

#include <stddef.h>

/* Makes *arr (of *cap elements of elem bytes) hold at least `need` elements, doubling from 64,
 * keeping its contents. Returns 0, or -ENOMEM (also on size overflow) with *arr and *cap
 * unchanged. */
int ne_array_grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif
