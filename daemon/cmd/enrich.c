/* PROVISIONAL stub for `newsenrichd enrich`; its owner replaces this file. */
#include <stdio.h>

#include "ne/cmd.h"

int ne_cmd_enrich(int argc, char **argv)
{
        (void)argc;
        fprintf(stderr, "newsenrichd %s: not implemented yet\n", argv[0]);
        return 1;
}
