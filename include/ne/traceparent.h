/* W3C Trace Context `traceparent` values (https://www.w3.org/TR/trace-context/): parse and
 * validate the value an input event carries, start a new trace when it carries none, and derive
 * the child value the enriched event carries (same trace, new parent id). Pure: no I/O beyond
 * getrandom(2), no logging, no allocation; every function may be called from any thread.
 *
 * Only `traceparent` is handled; `tracestate` is opaque and the caller copies it through. */
#ifndef NE_TRACEPARENT_H
#define NE_TRACEPARENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "00-" 32 hex "-" 16 hex "-" 2 hex: the length of a version-00 value, and of every value
 * ne_traceparent_format() writes. */
#define NE_TRACEPARENT_LEN 55

/* The sampled bit of trace-flags ("the caller may have recorded trace data"). */
#define NE_TRACEPARENT_FLAG_SAMPLED 0x01u

struct ne_traceparent {
        uint8_t version;      /* as received; ne_traceparent_format() always writes 00 */
        uint8_t trace_id[16]; /* never all zero once parsed or generated */
        uint8_t parent_id[8]; /* never all zero once parsed or generated */
        uint8_t flags;        /* trace-flags; unknown bits are kept as received */
};

/* Parses `len` bytes at `s` (need not be NUL-terminated; no surrounding whitespace allowed).
 * Version 00 must be exactly 55 bytes. A higher version (01..fe) is parsed by its first four
 * fields when the value is 55 bytes or longer and byte 55, if present, is '-'; what follows is
 * ignored, and only the sampled bit of its flags is kept (the other bits may mean something else
 * in that version). Hex must be lower case. Returns 0 and fills *ret, or -EINVAL (version ff, wrong
 * length or separator, upper-case or non-hex digit, all-zero trace-id or parent-id); *ret is
 * untouched on failure. */
int ne_traceparent_parse(const char *s, size_t len, struct ne_traceparent *ret);

/* Starts a new trace: random trace-id and parent-id (getrandom(2), never all zero), version 0,
 * flags 0 — newsenrichd records no trace data itself, so it does not claim "sampled"; a caller
 * that does may set NE_TRACEPARENT_FLAG_SAMPLED. */
void ne_traceparent_new(struct ne_traceparent *ret);

/* The value to send downstream of `parent`: same trace-id and flags, a new random parent-id
 * (the id of this hop), version 00 (the version this implementation speaks, as the spec asks of
 * a vendor that received a higher one). `ret` may alias `parent`. */
void ne_traceparent_child(const struct ne_traceparent *parent, struct ne_traceparent *ret);

/* Writes the 55-character version-00 form and a NUL into `out`. */
void ne_traceparent_format(const struct ne_traceparent *tp, char out[NE_TRACEPARENT_LEN + 1]);

/* True when the sampled flag is set. */
bool ne_traceparent_is_sampled(const struct ne_traceparent *tp);

#endif
