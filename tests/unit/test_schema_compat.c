/* Unit tests for Avro schema compatibility (daemon/codec/schema_compat*.c): a table of schema
 * pairs with the expected verdict in each direction, golden Avro datums of the
 * article_published revisions decoded with avro-c, and the `schema-check` command's output and
 * exit status. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "ne/schema_compat.h"

/* Schemas are written with ' for " to stay readable; strings are inline arrays because
 * Criterion may run a parameter in a re-executed process. */
struct compat_case {
        char name[48];
        char old_schema[640];
        char new_schema[640];
        int backward; /* expected: 1 yes, 0 no */
        int forward;
        char reason[96]; /* substring of the first failing direction's reason */
};

#define REC(fields) "{'type':'record','name':'R','namespace':'t','fields':[" fields "]}"
#define F(n, t) "{'name':'" n "','type':" t "}"
#define FD(n, t, d) "{'name':'" n "','type':" t ",'default':" d "}"

static struct compat_case cases[] = {
    {"identical", REC(F("a", "'int'")), REC(F("a", "'int'")), 1, 1, ""},
    {"added field with default", REC(F("a", "'int'")),
     REC(F("a", "'int'") "," FD("b", "'string'", "''")), 1, 1, ""},
    {"added field without default", REC(F("a", "'int'")),
     REC(F("a", "'int'") "," F("b", "'string'")), 0, 1,
     "R.b: reader field has no default and writer lacks it"},
    {"removed field with default", REC(F("a", "'int'") "," FD("b", "'long'", "0")),
     REC(F("a", "'int'")), 1, 1, ""},
    {"removed field without default", REC(F("a", "'int'") "," F("b", "'long'")),
     REC(F("a", "'int'")), 1, 0, "R.b: reader field has no default"},
    {"promoted int to long", REC(F("a", "'int'")), REC(F("a", "'long'")), 1, 0,
     "R.a: writer type long cannot be read as int"},
    {"narrowed long to int", REC(F("a", "'long'")), REC(F("a", "'int'")), 0, 1,
     "R.a: writer type long cannot be read as int"},
    {"promoted long to double", REC(F("a", "'long'")), REC(F("a", "'double'")), 1, 0, ""},
    {"promoted float to double", REC(F("a", "'float'")), REC(F("a", "'double'")), 1, 0, ""},
    {"string and bytes", REC(F("a", "'string'")), REC(F("a", "'bytes'")), 1, 1, ""},
    {"boolean to int", REC(F("a", "'boolean'")), REC(F("a", "'int'")), 0, 0,
     "writer type boolean cannot be read as int"},
    {"enum symbol added", REC(F("e", "{'type':'enum','name':'E','symbols':['A','B']}")),
     REC(F("e", "{'type':'enum','name':'E','symbols':['A','B','C']}")), 1, 0,
     "R.e: writer enum symbol C is not in the reader enum"},
    {"enum symbol added, reader default",
     REC(F("e", "{'type':'enum','name':'E','symbols':['A','B'],'default':'A'}")),
     REC(F("e", "{'type':'enum','name':'E','symbols':['A','B','C'],'default':'A'}")), 1, 1, ""},
    {"enum renamed", REC(F("e", "{'type':'enum','name':'E','symbols':['A']}")),
     REC(F("e", "{'type':'enum','name':'F','symbols':['A']}")), 0, 0, "differ in name"},
    {"union widened", REC(F("u", "['null','string']")), REC(F("u", "['null','string','int']")), 1,
     0, "R.u: writer type int matches no branch of the reader union"},
    {"union narrowed", REC(F("u", "['null','string','int']")), REC(F("u", "['null','string']")), 0,
     1, "writer type int matches no branch"},
    {"plain to nullable", REC(F("u", "'string'")), REC(F("u", "['null','string']")), 1, 0,
     "R.u: writer type null cannot be read as string"},
    {"reader union by promotion", REC(F("u", "'int'")), REC(F("u", "['null','long']")), 1, 0,
     "writer type null cannot be read as int"},
    {"nested field added, no default",
     REC(F("in", "{'type':'record','name':'In','fields':[" F("x", "'int'") "]}")),
     REC(F("in",
           "{'type':'record','name':'In','fields':[" F("x", "'int'") "," F("y", "'int'") "]}")),
     0, 1, "R.in.y: reader field has no default"},
    {"nested field added with default",
     REC(F("in", "{'type':'record','name':'In','fields':[" F("x", "'int'") "]}")),
     REC(F("in", "{'type':'record','name':'In','fields':[" F("x", "'int'") "," FD("y", "'int'",
                                                                                  "7") "]}")),
     1, 1, ""},
    {"array item promotion", REC(F("a", "{'type':'array','items':'int'}")),
     REC(F("a", "{'type':'array','items':'long'}")), 1, 0,
     "R.a[]: writer type long cannot be read as int"},
    {"array of records, field added",
     REC(F("a",
           "{'type':'array','items':{'type':'record','name':'I','fields':[" F("x", "'int'") "]}}")),
     REC(F("a", "{'type':'array','items':{'type':'record','name':'I','fields':[" F(
                    "x", "'int'") "," F("z", "'string'") "]}}")),
     0, 1, "R.a[].z: reader field has no default"},
    {"map values changed", REC(F("m", "{'type':'map','values':'string'}")),
     REC(F("m", "{'type':'map','values':'int'}")), 0, 0,
     "R.m{}: writer type string cannot be read as int"},
    {"map to array", REC(F("m", "{'type':'map','values':'int'}")),
     REC(F("m", "{'type':'array','items':'int'}")), 0, 0, "writer type map cannot be read"},
    {"renamed record", REC(F("a", "'int'")),
     "{'type':'record','name':'S','namespace':'t','fields':[" F("a", "'int'") "]}", 0, 0,
     "S: writer record R and reader record S differ in name"},
    {"renamed record with alias", REC(F("a", "'int'")),
     "{'type':'record','name':'S','aliases':['t.R'],'fields':[" F("a", "'int'") "]}", 1, 0,
     "writer record S and reader record R differ in name"},
    {"namespace change only", REC(F("a", "'int'")),
     "{'type':'record','name':'R','namespace':'other','fields':[" F("a", "'int'") "]}", 1, 1, ""},
    {"field renamed with alias", REC(F("a", "'int'")),
     REC("{'name':'b','type':'int','aliases':['a']}"), 1, 0, "R.a: reader field has no default"},
    {"fixed size change", REC(F("f", "{'type':'fixed','name':'H','size':16}")),
     REC(F("f", "{'type':'fixed','name':'H','size':32}")), 0, 0,
     "R.f: fixed H has size 16 in the writer, 32 in the reader"},
    {"fixed same", REC(F("f", "{'type':'fixed','name':'H','size':16}")),
     REC(F("f", "{'type':'fixed','name':'H','size':16}")), 1, 1, ""},
    {"named reference reused",
     REC(F("p", "{'type':'fixed','name':'H','size':4}") "," F("q", "'H'")),
     REC(F("p", "{'type':'fixed','name':'H','size':4}") "," F("q", "'t.H'")), 1, 1, ""},
    {"recursive list, field with default",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F("next",
                                                                       "['null','Node']") "]}",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F(
         "next", "['null','Node']") "," FD("w", "'int'", "0") "]}",
     1, 1, ""},
    {"recursive list, field without default",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F("next",
                                                                       "['null','Node']") "]}",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F(
         "next", "['null','Node']") "," F("w", "'int'") "]}",
     0, 1, "Node.w: reader field has no default"},
    {"default of the wrong type", REC(F("a", "'int'")),
     REC(F("a", "'int'") "," FD("b", "'int'", "'seven'")), 0, 1,
     "R.b: writer lacks the field and the reader's default does not match its type"},
    {"union default is its first branch", REC(F("a", "'int'")),
     REC(F("a", "'int'") "," FD("b", "['string','null']", "null")), 0, 1, "default does not match"},
    {"top-level primitive", "'int'", "'long'", 1, 0,
     "<root>: writer type long cannot be read as int"},
    {"writer union to plain reader", REC(F("u", "['null','int']")), REC(F("u", "'int'")), 0, 1,
     "R.u: writer type null cannot be read as int"},
};

static void unquote(const char *in, char *out, size_t size)
{
        size_t i = 0;
        for (; in[i] && i + 1 < size; i++)
                out[i] = in[i] == '\'' ? '"' : in[i];
        out[i] = '\0';
}

static struct ne_compat_schema *parse_quoted(const char *text)
{
        char json[640];
        struct ne_compat_schema *s = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        unquote(text, json, sizeof(json));
        int r = ne_schema_compat_parse(json, strlen(json), &s, &diag);
        cr_assert_eq(r, 0, "parse %s: %s", json, diag.msg);
        return s;
}

ParameterizedTestParameters(compat, pairs)
{
        return cr_make_param_array(struct compat_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct compat_case *tc, compat, pairs)
{
        struct ne_compat_schema *old_schema = parse_quoted(tc->old_schema);
        struct ne_compat_schema *new_schema = parse_quoted(tc->new_schema);
        struct ne_diag back, fwd, full;
        ne_diag_clear(&back);
        ne_diag_clear(&fwd);
        ne_diag_clear(&full);

        int b = ne_schema_compat_check(old_schema, new_schema, NE_COMPAT_BACKWARD, &back);
        int f = ne_schema_compat_check(old_schema, new_schema, NE_COMPAT_FORWARD, &fwd);
        int both = ne_schema_compat_check(old_schema, new_schema, NE_COMPAT_FULL, &full);
        cr_expect_eq(b, tc->backward, "%s: backward %d (%s)", tc->name, b, back.msg);
        cr_expect_eq(f, tc->forward, "%s: forward %d (%s)", tc->name, f, fwd.msg);
        cr_expect_eq(both, tc->backward && tc->forward, "%s: full %d", tc->name, both);
        if (tc->reason[0]) {
                const char *msg = !tc->backward ? back.msg : fwd.msg;
                cr_expect(strstr(msg, tc->reason) != NULL, "%s: reason '%s' lacks '%s'", tc->name,
                          msg, tc->reason);
                cr_expect(strstr(full.msg, !tc->backward ? "backward: " : "forward: ") == full.msg,
                          "%s: full reason '%s'", tc->name, full.msg);
        }
        /* the reader-side view of the same thing */
        cr_expect_eq(ne_schema_compat_can_read(new_schema, old_schema, NULL), tc->backward);
        ne_schema_compat_free(old_schema);
        ne_schema_compat_free(new_schema);
}

struct bad_case {
        char name[32];
        char text[160];
        int err;
        int line; /* expected diag.line, 0 to skip */
        char msg[48];
};

static struct bad_case bad_cases[] = {
    {"empty", "", -EINVAL, 1, "not valid JSON"},
    {"json syntax", "{'type':'record',\n'name':'R',\n'fields':[}", -EINVAL, 3, "not valid JSON"},
    {"trailing data", "'int' 'long'", -EINVAL, 1, "trailing data"},
    {"unknown type", "{'type':'record','name':'R','fields':[{'name':'a','type':'intt'}]}", -EINVAL,
     0, "not a valid Avro schema"},
    {"record without fields", "{'type':'record','name':'R'}", -EINVAL, 0,
     "not a valid Avro schema"},
    /* Found by fuzzing: avro-c validated the last "type" (long), the checker read the first. */
    {"duplicate key",
     "{'type':'record','name':'R','fields':[{'name':'a','type':'x','type':'long'}]}", -EINVAL, 0,
     "duplicate key \"type\""},
    /* Found by fuzzing: avro-c 1.11 accepts a repeated field name. */
    {"duplicate field",
     "{'type':'record','name':'R','fields':[" F("a", "'int'") "," F("a", "'string'") "]}", -EINVAL,
     0, "two fields named \"a\""},
    /* Found by fuzzing: avro-c 1.11 leaks when a name is defined twice (LeakSanitizer sees it). */
    {"type defined twice",
     "['null',{'type':'fixed','name':'F','size':2},{'type':'fixed','name':'F','size':3}]", -EINVAL,
     0, "type \"F\" is defined twice"},
    /* Found by fuzzing (LeakSanitizer): a name defined twice ahead of a record without a name
     * stopped the index walk early, so the redefinition reached avro-c, which leaks on it. */
    {"defined twice, then no name",
     "{'type':'record','name':'L','fields':[" F("n", "{'type':'enum','name':'L','symbols':['A']}")
     "," F("r", "{'type':'record','fields':[]}") "]}",
     -EINVAL, 0, "type \"L\" is defined twice"},
    {"record without name", "{'type':'record','fields':[" F("r", "'int'") "]}", -EINVAL, 0,
     "has no name"},
    /* Found by fuzzing: avro-c accepts ".L" as the name L, the checker could not resolve L. */
    {"leading dot", "{'type':'record','name':'.L','fields':[" F("n", "['null','L']") "]}", -EINVAL,
     0, "not understood by the checker"},
};

ParameterizedTestParameters(compat, bad_schemas)
{
        return cr_make_param_array(struct bad_case, bad_cases,
                                   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *tc, compat, bad_schemas)
{
        char json[160];
        struct ne_compat_schema *s = (struct ne_compat_schema *)0x1;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        unquote(tc->text, json, sizeof(json));
        cr_assert_eq(ne_schema_compat_parse(json, strlen(json), &s, &diag), tc->err, "%s: %s",
                     tc->name, diag.msg);
        cr_expect_eq(s, (struct ne_compat_schema *)0x1, "ret written on failure");
        cr_expect(strstr(diag.msg, tc->msg) != NULL, "%s: '%s'", tc->name, diag.msg);
        if (tc->line)
                cr_expect_eq(diag.line, tc->line, "%s: line %d", tc->name, diag.line);
}

Test(compat, load_errors)
{
        struct ne_compat_schema *s = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_expect_eq(ne_schema_compat_load("/nonexistent/x.avsc", &s, &diag), -ENOENT);
        cr_expect(strstr(diag.msg, "/nonexistent/x.avsc") != NULL, "%s", diag.msg);
        cr_expect_null(s);
        enum ne_compat_direction d;
        cr_expect_eq(ne_compat_direction_parse("sideways", &d), -EINVAL);
        cr_expect_eq(ne_compat_direction_parse("forward", &d), 0);
        cr_expect_eq(d, NE_COMPAT_FORWARD);
        cr_expect_str_eq(ne_compat_direction_name(NE_COMPAT_FULL), "full");
}

/* ---- golden files and the article_published revisions ---------------------------------- */

static char *fixture_path(const char *name)
{
        const char *dir = getenv("NE_FIXTURES");
        static char path[4096];
        snprintf(path, sizeof(path), "%s/schemas/%s", dir ? dir : NE_SOURCE_DIR "/tests/fixtures",
                 name);
        return path;
}

static char *slurp(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "open %s", path);
        char *buf = malloc(1 << 20);
        cr_assert_not_null(buf);
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        fclose(f);
        buf[n] = '\0';
        *ret_len = n;
        return buf;
}

static struct ne_compat_schema *load_fixture(const char *name)
{
        struct ne_compat_schema *s = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_schema_compat_load(fixture_path(name), &s, &diag), 0, "%s", diag.msg);
        return s;
}

/* Decodes the golden datum with avro-c and its writer schema; checks the id and that the datum
 * is exactly as long as the file. */
static void decode_golden(const char *avsc, const char *avro_file, const char *url_field_type)
{
        size_t slen, dlen;
        char *schema_text = slurp(fixture_path(avsc), &slen);
        char *data = slurp(fixture_path(avro_file), &dlen);
        avro_schema_t schema;
        cr_assert_eq(avro_schema_from_json_length(schema_text, slen, &schema), 0, "%s",
                     avro_strerror());
        avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
        avro_value_t val, field;
        cr_assert_eq(avro_generic_value_new(iface, &val), 0);
        avro_reader_t rd = avro_reader_memory(data, (int64_t)dlen);
        cr_assert_eq(avro_value_read(rd, &val), 0, "%s: %s", avro_file, avro_strerror());

        size_t size = 0;
        cr_assert_eq(avro_value_sizeof(&val, &size), 0);
        cr_expect_eq(size, dlen, "%s: datum is %zu bytes, file %zu", avro_file, size, dlen);
        const char *s;
        size_t n;
        cr_assert_eq(avro_value_get_by_name(&val, "id", &field, NULL), 0);
        cr_assert_eq(avro_value_get_string(&field, &s, &n), 0);
        cr_expect_str_eq(s, "golden-1");
        cr_assert_eq(avro_value_get_by_name(&val, "body", &field, NULL), 0);
        cr_assert_eq(avro_value_get_string(&field, &s, &n), 0);
        cr_expect(strstr(s, "M\xc3\xbcnchen") != NULL, "body %s", s);
        int64_t ts = 0;
        cr_assert_eq(avro_value_get_by_name(&val, "published_at", &field, NULL), 0);
        cr_assert_eq(avro_value_get_long(&field, &ts), 0);
        cr_expect_eq(ts, 1732800000123LL);
        cr_assert_eq(avro_value_get_by_name(&val, "url", &field, NULL), 0);
        cr_expect_eq(avro_value_get_type(&field),
                     strcmp(url_field_type, "bytes") == 0 ? AVRO_BYTES : AVRO_STRING);

        avro_reader_free(rd);
        avro_value_decref(&val);
        avro_value_iface_decref(iface);
        avro_schema_decref(schema);
        free(schema_text);
        free(data);
}

Test(golden, v1_and_v2_decode_with_writer_schema)
{
        decode_golden("article_published_v1.avsc", "article_published_v1.avro", "string");
        decode_golden("article_published_v2.avsc", "article_published_v2.avro", "bytes");
}

Test(golden, v1_matches_the_shipped_schema)
{
        /* v1 is a copy of schemas/article_published.avsc; a drift would make the golden
         * tests stale */
        size_t a, b;
        char *fixture = slurp(fixture_path("article_published_v1.avsc"), &a);
        char *shipped = slurp(NE_SOURCE_DIR "/schemas/article_published.avsc", &b);
        cr_expect(a == b && memcmp(fixture, shipped, a) == 0, "fixture v1 differs from schemas/");
        free(fixture);
        free(shipped);
}

Test(golden, v1_v2_fully_compatible)
{
        struct ne_compat_schema *v1 = load_fixture("article_published_v1.avsc");
        struct ne_compat_schema *v2 = load_fixture("article_published_v2.avsc");
        struct ne_diag why;
        ne_diag_clear(&why);
        cr_expect_eq(ne_schema_compat_check(v1, v2, NE_COMPAT_FULL, &why), 1, "%s", why.msg);
        cr_expect_eq(ne_schema_compat_check(v2, v1, NE_COMPAT_FULL, &why), 1, "%s", why.msg);
        ne_schema_compat_free(v1);
        ne_schema_compat_free(v2);
}

Test(golden, broken_revision_refused)
{
        struct ne_compat_schema *v1 = load_fixture("article_published_v1.avsc");
        struct ne_compat_schema *bad = load_fixture("article_published_broken.avsc");
        struct ne_diag why;
        ne_diag_clear(&why);
        cr_expect_eq(ne_schema_compat_check(v1, bad, NE_COMPAT_BACKWARD, &why), 0);
        cr_expect_str_eq(why.msg,
                         "ArticlePublished.section: reader field has no default and writer "
                         "lacks it");
        cr_expect_str_eq(why.key, "ArticlePublished.section");
        /* the narrowed published_at shows once section is out of the way: the broken schema
         * cannot read its own predecessor's long timestamps */
        cr_expect_eq(ne_schema_compat_can_read(bad, v1, &why), 0);
        cr_expect_eq(ne_schema_compat_check(v1, bad, NE_COMPAT_FULL, &why), 0);
        ne_schema_compat_free(v1);
        ne_schema_compat_free(bad);
}

Test(golden, broken_narrowing_reported)
{
        /* the broken schema minus its new field: only the narrowing is left */
        size_t len;
        char *text = slurp(fixture_path("article_published_broken.avsc"), &len);
        char *sec = strstr(text, "\"name\": \"section\"");
        cr_assert_not_null(sec, "fixture layout changed");
        while (sec > text && *sec != '{')
                sec--;
        char *end = strchr(sec, '}');
        cr_assert_not_null(end);
        end += 2; /* past "}," */
        memmove(sec, end, strlen(end) + 1);
        struct ne_compat_schema *bad = NULL, *v1 = load_fixture("article_published_v1.avsc");
        struct ne_diag why;
        ne_diag_clear(&why);
        cr_assert_eq(ne_schema_compat_parse(text, strlen(text), &bad, &why), 0, "%s", why.msg);
        cr_expect_eq(ne_schema_compat_check(v1, bad, NE_COMPAT_BACKWARD, &why), 0);
        cr_expect_str_eq(why.msg,
                         "ArticlePublished.published_at: writer type long cannot be read as int");
        cr_expect_eq(ne_schema_compat_check(v1, bad, NE_COMPAT_FORWARD, &why), 1, "%s", why.msg);
        ne_schema_compat_free(v1);
        ne_schema_compat_free(bad);
        free(text);
}

/* ---- the command ------------------------------------------------------------------------ */

static int run_cli(const char *args, char *out, size_t size)
{
        const char *bin = getenv("NEWSENRICHD");
        if (!bin)
                cr_skip_test("NEWSENRICHD not set (run through ctest)");
        char cmd[20000];
        snprintf(cmd, sizeof(cmd), "'%s' schema-check %s 2>&1", bin, args);
        FILE *p = popen(cmd, "r");
        cr_assert_not_null(p);
        size_t n = fread(out, 1, size - 1, p);
        out[n] = '\0';
        int st = pclose(p);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, exit_status_and_output)
{
        char out[4096], args[16384], v1[4096], v2[4096], bad[4096];
        snprintf(v1, sizeof(v1), "%s", fixture_path("article_published_v1.avsc"));
        snprintf(v2, sizeof(v2), "%s", fixture_path("article_published_v2.avsc"));
        snprintf(bad, sizeof(bad), "%s", fixture_path("article_published_broken.avsc"));

        snprintf(args, sizeof(args), "%s %s", v1, v2);
        cr_expect_eq(run_cli(args, out, sizeof(out)), 0, "%s", out);
        cr_expect_str_eq(out, "backward: yes\nforward: yes\nfull: yes\n");

        snprintf(args, sizeof(args), "%s %s", v1, bad);
        cr_expect_eq(run_cli(args, out, sizeof(out)), 1, "%s", out);
        cr_expect_str_eq(out, "backward: no (ArticlePublished.section: reader field has no "
                              "default and writer lacks it)\nforward: yes\nfull: no\n");

        snprintf(args, sizeof(args), "--direction forward %s %s", v1, bad);
        cr_expect_eq(run_cli(args, out, sizeof(out)), 0, "%s", out);
        snprintf(args, sizeof(args), "--direction backward %s %s", v1, bad);
        cr_expect_eq(run_cli(args, out, sizeof(out)), 1, "%s", out);

        snprintf(args, sizeof(args), "%s /nonexistent.avsc", v1);
        cr_expect_eq(run_cli(args, out, sizeof(out)), 2, "%s", out);
        cr_expect(strstr(out, "/nonexistent.avsc") != NULL, "%s", out);
        snprintf(args, sizeof(args), "--direction sideways %s %s", v1, v2);
        cr_expect_eq(run_cli(args, out, sizeof(out)), 2, "%s", out);
        cr_expect_eq(run_cli(v1, out, sizeof(out)), 2, "%s", out);
}

Test(compat, nesting_bounded)
{
        /* arrays of arrays, one level deeper than the checker follows */
        char json[2048] = "";
        int depth = NE_SCHEMA_COMPAT_MAX_DEPTH + 2;
        for (int i = 0; i < depth; i++)
                strcat(json, "{\"type\":\"array\",\"items\":");
        strcat(json, "\"int\"");
        for (int i = 0; i < depth; i++)
                strcat(json, "}");
        struct ne_compat_schema *s = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_expect_eq(ne_schema_compat_parse(json, strlen(json), &s, &diag), -ELOOP, "%s", diag.msg);
        cr_expect_str_eq(diag.msg, "types nest deeper than 64");
        cr_expect_null(s);
}
