/* Internal to the registry client: the HTTP transport (libcurl) with the retry, backoff and
 * failover policy, kept apart from the cache and the JSON so each can be read alone. It knows
 * URLs and status codes, not schemas. */
#ifndef NE_REGISTRY_HTTP_H
#define NE_REGISTRY_HTTP_H

#include <stdbool.h>

#include "ne/buf.h"
#include "ne/diag.h"
#include "ne/registry.h"

struct ne_registry_http;

/* The final answer of one call: the last HTTP response received. */
struct ne_registry_reply {
        long status;            /* HTTP status */
        struct ne_buf body;     /* owned; NUL-terminated; release with ne_buf_release() */
        char content_type[128]; /* "" when absent */
        char url[512];          /* the URL that answered, without user info, for diag */
};

/* Returns 0 and a new transport in *ret, or 0 and *ret = NULL when `o->urls` names no URL.
 * Errors as ne_registry_new(). Applies the defaults of struct ne_registry_opts. */
int ne_registry_http_new(const struct ne_registry_opts *o, struct ne_registry_http **ret,
                         struct ne_diag *diag);

void ne_registry_http_free(struct ne_registry_http *h);

/* Sends `method` (GET or POST) of `path` (starting with '/', already percent-encoded) with
 * `body` (NULL for none; sent as application/vnd.schemaregistry.v1+json). Retries connect
 * errors, timeouts, dropped connections, 5xx and 429 with exponential backoff (the first try
 * of each other URL does not wait), within max_attempts and max_total_ms; never retries other
 * statuses. Returns 0 with the last HTTP response in *ret (any status: the caller interprets
 * it), or a negative errno with detail in diag when no usable response came: -ETIMEDOUT,
 * -ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH, -ECONNRESET, -EMSGSIZE (answer larger than
 * max_response_bytes; not retried), -ENOMEM, -EIO. *ret_attempts (may be NULL) gets the number
 * of HTTP attempts made, on success and failure. Thread-safe. */
int ne_registry_http_call(struct ne_registry_http *h, const char *method, const char *path,
                          const char *body, struct ne_registry_reply *ret,
                          unsigned int *ret_attempts, struct ne_diag *diag);

/* The response size limit in effect (for callers bounding request bodies alike). */
size_t ne_registry_http_max_bytes(const struct ne_registry_http *h);

#endif
