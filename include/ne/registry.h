/* Confluent Schema Registry client: the two calls newsenrichd needs from the registry's REST API
 * (content type application/vnd.schemaregistry.v1+json), over libcurl.
 *
 *  - POST /subjects/{subject}/versions {"schema": "..."} -> {"id": N}: register an output schema
 *    at start-up under the topic-name strategy ("<topic>-value"); N goes in the Confluent frame.
 *  - GET /schemas/ids/{id} -> {"schema": "..."}: resolve an input schema id that the local
 *    schema table does not know. Ids are immutable, so answers are cached for the life of the
 *    client; "not found" is remembered for a short time so a flood of bad ids costs one request
 *    per id per negative_ttl_ms, not one per message.
 *
 * A registry is optional everywhere: with no URL configured ne_registry_new() returns a NULL
 * client, and every function accepts NULL (get_schema then finds nothing, register refuses), so
 * the local schema directory stays the only source without special cases in the caller.
 *
 * Library-like: never logs; what went wrong (URL without credentials, HTTP status, the
 * registry's error_code and message) goes into struct ne_diag.
 *
 * Threads: one client is shared by all worker threads. The cache is guarded by a mutex that is
 * never held across an HTTP request, so a slow fetch of one id does not delay lookups of cached
 * ids; concurrent lookups of the same uncached id wait for a single request ("single flight")
 * instead of each sending one. Each HTTP exchange uses its own libcurl handle with signals
 * disabled (CURLOPT_NOSIGNAL), so calls are safe from any thread. */
#ifndef NE_REGISTRY_H
#define NE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "ne/diag.h"

struct ne_registry;

/* Zero or NULL in any field means its default. All strings are borrowed for the duration of
 * ne_registry_new() only (the client copies what it keeps). */
struct ne_registry_opts {
        /* Comma-separated http:// or https:// base URLs, tried in order with failover (the
         * one that last answered is tried first). May carry user:password@. NULL or "" (or only
         * blanks): no registry. At most 16. */
        const char *urls;
        long timeout_ms;           /* one HTTP attempt, connect included; default 5000 */
        unsigned int max_attempts; /* attempts per call across all URLs; default 3 */
        long backoff_initial_ms;   /* first pause between attempts; default 100 */
        long backoff_max_ms;       /* pauses double up to this; default 2000 */
        long max_total_ms;         /* one call, pauses included, never exceeds this; 15000 */
        /* "user:password" for HTTP basic auth (Confluent's basic.auth.user.info). NULL: none,
         * unless a URL carries its own user info. Never copied into diag. */
        const char *basic_auth_user_info;
        const char *ca_file;       /* PEM bundle for https; NULL: the system default */
        long negative_ttl_ms;      /* how long a 404 for an id is remembered; default 10000;
                                    * negative: never remembered */
        size_t max_response_bytes; /* bigger answers fail with -EMSGSIZE; default 1 MiB */
        size_t cache_max_bytes;    /* schema text kept in the cache; beyond it answers are
                                    * still returned but not kept; default 64 MiB */
};

/* Counters since ne_registry_new(), for metrics. */
struct ne_registry_stats {
        uint64_t lookups;       /* ne_registry_get_schema() calls */
        uint64_t cache_hits;    /* answered from the positive cache */
        uint64_t negative_hits; /* answered -ENOENT from the negative cache */
        uint64_t shared_waits;  /* waited for another thread's request for the same id */
        uint64_t requests;      /* HTTP attempts sent (retries and failover included) */
        uint64_t failures;      /* calls that returned an error other than -ENOENT */
        size_t cached_schemas;
        size_t cached_bytes;
};

/* Builds a client from `o` (NULL: all defaults, hence no URL). Returns 0 and a new client in
 * *ret, or 0 and *ret = NULL when no URL is configured. Errors: -EINVAL (a URL that is not
 * http(s), has a query or fragment, or an option out of range; detail in diag), -ENOTSUP (URLs
 * given but built without libcurl), -ENOMEM. Sends nothing: the first request is made by the
 * first call. Call before starting threads (it initialises libcurl once per process). */
int ne_registry_new(const struct ne_registry_opts *o, struct ne_registry **ret,
                    struct ne_diag *diag);

/* Registers `schema_json` (an Avro schema as JSON text, borrowed) under `subject` and writes its
 * registry id to *ret_id. Registering a schema the subject already has returns the existing
 * id. The schema is also cached under that id, so get_schema() of it needs no request.
 * Returns 0, or:
 *   -ENOTSUP  r is NULL (no registry configured);
 *   -EPROTO   409: incompatible with the subject's earlier versions (registry's message in diag);
 *   -EINVAL   422/400: the registry calls the schema invalid; or bad arguments;
 *   -ENOENT   404 (e.g. a base URL that points elsewhere);
 *   -EACCES   401/403;  -EBUSY 429 after retries;  -EIO other 5xx after retries;
 *   -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH, -ECONNRESET: transport, after
 *             retries on every URL;
 *   -EBADMSG  the answer is not JSON of the documented shape;  -EMSGSIZE  answer too big;
 *   -ENOMEM. */
int ne_registry_register(struct ne_registry *r, const char *subject, const char *schema_json,
                         int32_t *ret_id, struct ne_diag *diag);

/* Looks up the schema with registry id `id` (>= 0): from the cache, else by one request (shared
 * with concurrent callers of the same id). Returns 0 and a new NUL-terminated string in
 * *ret_schema_json (caller frees with free()), or:
 *   -ENOENT   404 (error_code 40403), now or within negative_ttl_ms; also when r is NULL;
 *   -ENOTSUP  the registry says the schema is not Avro, or it has references;
 *   -EINVAL   id < 0; the other errors as for ne_registry_register(). */
int ne_registry_get_schema(struct ne_registry *r, int32_t id, char **ret_schema_json,
                           struct ne_diag *diag);

/* Writes the topic-name-strategy subject of a topic's values, "<topic>-value", into `out`.
 * Returns 0, -EINVAL (empty or NULL topic), -ENAMETOOLONG (does not fit in `size`). */
int ne_registry_subject_value(const char *topic, char *out, size_t size);

/* Fills *ret with the counters (all zero for a NULL client). Any thread. */
void ne_registry_get_stats(struct ne_registry *r, struct ne_registry_stats *ret);

/* Frees the client and its cache; accepts NULL. No other thread may still be using it. */
void ne_registry_free(struct ne_registry *r);

#endif
