/* Growable arrays (see include/ne/array.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "ne/array.h"

int ne_array_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
        if (need <= *cap)
                return 0;
        if (elem == 0 || need > SIZE_MAX / elem)
                return -ENOMEM;
        size_t ncap = *cap ? *cap : 64;
        while (ncap < need)
                ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
        if (ncap > SIZE_MAX / elem)
                ncap = need;
        void *p = realloc(*arr, ncap * elem);
        if (!p)
                return -ENOMEM;
        *arr = p;
        *cap = ncap;
        return 0;
}
