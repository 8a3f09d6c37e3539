/* `newsenrichd schema-check OLD.avsc NEW.avsc`: tells whether a schema revision keeps old
 * and new readers and writers compatible (Avro resolution rules, daemon/codec/schema_compat*.c).
 * Prints one line per direction and exits 0 when the required direction holds, 1 when it does
 * not, 2 on a usage error or an unreadable or invalid schema. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ne/cmd.h"
#include "ne/schema_compat.h"

static void usage(FILE *out)
{
        fprintf(out,
                "usage: newsenrichd schema-check [--direction backward|forward|full] OLD.avsc "
                "NEW.avsc\n\n"
                "Checks NEW against OLD by the Avro schema resolution rules:\n"
                "  backward  NEW as reader can read data written with OLD\n"
                "  forward   OLD as reader can read data written with NEW\n"
                "  full      both\n"
                "Exit status: 0 when the required direction (default full) holds, 1 when not,\n"
                "2 on a usage error or an unreadable or invalid schema.\n");
}

/* Prints "<name>: yes" or "<name>: no (<reason>)"; returns the check's result. */
static int report(const char *name, const struct ne_compat_schema *old_schema,
                  const struct ne_compat_schema *new_schema, enum ne_compat_direction dir)
{
        struct ne_diag why;
        ne_diag_clear(&why);
        int r = ne_schema_compat_check(old_schema, new_schema, dir, &why);
        if (r == 1)
                printf("%s: yes\n", name);
        else if (r == 0)
                printf("%s: no (%s)\n", name, why.msg);
        else
                fprintf(stderr, "schema-check: %s: %s\n", name, why.msg);
        return r;
}

int ne_cmd_schema_check(int argc, char **argv)
{
        static const struct option options[] = {
            {"direction", required_argument, NULL, 'd'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        enum ne_compat_direction want = NE_COMPAT_FULL;
        struct ne_compat_schema *old_schema = NULL, *new_schema = NULL;
        struct ne_diag diag;
        int opt, status = 2;

        optind = 1;
        while ((opt = getopt_long(argc, argv, "d:h", options, NULL)) != -1) {
                switch (opt) {
                case 'd':
                        if (ne_compat_direction_parse(optarg, &want) < 0) {
                                fprintf(stderr, "schema-check: unknown direction '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (argc - optind != 2) {
                usage(stderr);
                return 2;
        }
        ne_diag_clear(&diag);
        if (ne_schema_compat_load(argv[optind], &old_schema, &diag) < 0 ||
            ne_schema_compat_load(argv[optind + 1], &new_schema, &diag) < 0) {
                if (diag.line > 0)
                        fprintf(stderr, "schema-check: %s (line %d)\n", diag.msg, diag.line);
                else
                        fprintf(stderr, "schema-check: %s\n", diag.msg);
                goto out;
        }
        int back = report("backward", old_schema, new_schema, NE_COMPAT_BACKWARD);
        int fwd = report("forward", old_schema, new_schema, NE_COMPAT_FORWARD);
        if (back < 0 || fwd < 0)
                goto out;
        printf("full: %s\n", back == 1 && fwd == 1 ? "yes" : "no");
        switch (want) {
        case NE_COMPAT_BACKWARD:
                status = back == 1 ? 0 : 1;
                break;
        case NE_COMPAT_FORWARD:
                status = fwd == 1 ? 0 : 1;
                break;
        case NE_COMPAT_FULL:
                status = back == 1 && fwd == 1 ? 0 : 1;
                break;
        }
out:
        ne_schema_compat_free(old_schema);
        ne_schema_compat_free(new_schema);
        return status;
}
