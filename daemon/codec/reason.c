/* The stable dead-letter reason codes carried in the `ne.reason` header, and the one helper
 * every decoder uses to report a bad payload. Codes are a published contract: never rename. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"

static const char *const reason_codes[NE_DLQ__COUNT] = {
    [NE_DLQ_NONE] = "none",
    [NE_DLQ_EMPTY] = "empty",
    [NE_DLQ_TOO_LARGE] = "too_large",
    [NE_DLQ_UNKNOWN_FORMAT] = "unknown_format",
    [NE_DLQ_BAD_JSON] = "bad_json",
    [NE_DLQ_BAD_AVRO] = "bad_avro",
    [NE_DLQ_UNKNOWN_SCHEMA] = "unknown_schema",
    [NE_DLQ_MISSING_FIELD] = "missing_field",
    [NE_DLQ_BAD_TYPE] = "bad_type",
    [NE_DLQ_INVALID_UTF8] = "invalid_utf8",
    [NE_DLQ_ENRICH_FAILED] = "enrich_failed",
};

const char *ne_dlq_reason_code(enum ne_dlq_reason reason)
{
        if ((unsigned)reason >= NE_DLQ__COUNT)
                return NULL;
        return reason_codes[reason];
}

int ne_codec_fail(enum ne_dlq_reason *ret_reason, enum ne_dlq_reason reason, struct ne_diag *diag,
                  const char *key, long offset, const char *fmt, ...)
{
        *ret_reason = reason;
        if (!diag)
                return -EBADMSG;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
        va_end(ap);
        snprintf(diag->key, sizeof(diag->key), "%s", key ? key : "");
        diag->offset = offset;
        return -EBADMSG;
}
