/* struct ne_diag helpers: the channel through which modules that must not log explain a
 * failure to the caller that does. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ne/diag.h"

void ne_diag_clear(struct ne_diag *diag)
{
        if (!diag)
                return;
        memset(diag, 0, sizeof(*diag));
        diag->offset = -1;
}

int ne_diag_set(struct ne_diag *diag, int err, const char *fmt, ...)
{
        if (!diag)
                return err;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
        va_end(ap);
        return err;
}
