/* PROVISIONAL stub for `newsenrichd mock-cluster`; its owner replaces this file. */
#include <stdio.h>

#include "ne/cmd.h"

int ne_cmd_mock_cluster(int argc, char **argv)
{
        (void)argc;
        fprintf(stderr, "newsenrichd %s: not implemented yet\n", argv[0]);
        return 1;
}
