/* Tests of the train-ner and eval-ner subcommands as a user runs them: options, exit codes,
 * the model file written, and eval-ner's machine-readable last line. Uses the hand-written
 * fixtures only (no /work/shared). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ne/cmd.h"
#include "ne/ner.h"

static char fixture[1024], lexdir[1024], model[256];

static void setup(void)
{
        const char *fx = getenv("NE_FIXTURES");
        snprintf(fixture, sizeof(fixture), "%s/ner/tiny_iob2.conll",
                 fx ? fx : NE_SOURCE_DIR "/tests/fixtures");
        snprintf(lexdir, sizeof(lexdir), "%s/ner/lexdir",
                 fx ? fx : NE_SOURCE_DIR "/tests/fixtures");
        snprintf(model, sizeof(model), "/tmp/test_ner_cmd_%ld.model", (long)getpid());
        cr_redirect_stdout();
        cr_redirect_stderr();
}

static void teardown(void)
{
        unlink(model);
}

static int run(int (*fn)(int, char **), char **argv)
{
        int argc = 0;
        while (argv[argc])
                argc++;
        return fn(argc, argv);
}

TestSuite(ner_cmd, .init = setup, .fini = teardown);

Test(ner_cmd, train_then_eval)
{
        char *targv[] = {"train-ner",     "--train", fixture,    "--dev", fixture,  "--out", model,
                         "--lexicon-dir", lexdir,    "--epochs", "6",     "--seed", "3",     NULL};
        cr_assert_eq(run(ne_cmd_train_ner, targv), 0);
        cr_assert_eq(access(model, R_OK), 0, "model written");
        struct ne_ner_model *m = NULL;
        cr_assert_eq(ne_ner_model_load(model, &m, NULL), 0);
        ne_ner_model_free(m);

        char *eargv[] = {"eval-ner", "--model", model, fixture, NULL};
        cr_assert_eq(run(ne_cmd_eval_ner, eargv), 0);
        fflush(stdout);
        FILE *out = cr_get_redirected_stdout();
        char line[512], last[512] = "";
        while (fgets(line, sizeof(line), out))
                strcpy(last, line);
        regex_t re;
        cr_assert_eq(regcomp(&re,
                             "^f1=[01]\\.[0-9]{4} precision=[01]\\.[0-9]{4} "
                             "recall=[01]\\.[0-9]{4} tokens_per_sec=[0-9]+\n$",
                             REG_EXTENDED),
                     0);
        cr_assert_eq(regexec(&re, last, 0, NULL, 0), 0, "last line: %s", last);
        regfree(&re);
        cr_assert(strncmp(last, "f1=1.0000", 9) == 0, "fits its training set: %s", last);
}

Test(ner_cmd, usage_errors)
{
        char *a[] = {"train-ner", "--train", fixture, NULL};
        cr_assert_eq(run(ne_cmd_train_ner, a), 2, "--out is required");
        char *b[] = {"train-ner", "--train", fixture, "--out", model, "--epochs", "x", NULL};
        cr_assert_eq(run(ne_cmd_train_ner, b), 2);
        char *c[] = {"eval-ner", fixture, NULL};
        cr_assert_eq(run(ne_cmd_eval_ner, c), 2, "--model is required");
        char *d[] = {"eval-ner", "--model", "/nonexistent.model", fixture, NULL};
        cr_assert_eq(run(ne_cmd_eval_ner, d), 1);
        char *e[] = {"train-ner",     "--train", "/nonexistent.conll", "--out", model,
                     "--no-lexicons", NULL};
        cr_assert_eq(run(ne_cmd_train_ner, e), 1);
        cr_assert_neq(access(model, F_OK), 0, "no model written on failure");
}
