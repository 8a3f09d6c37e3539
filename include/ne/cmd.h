/* The subcommands of the one `newsenrichd` binary, each in daemon/cmd/<name>.c. Each takes
 * argv with argv[0] = the subcommand name, parses its own options (getopt_long), and returns
 * the process exit status (0 ok, 1 failure, 2 usage). main.c only dispatches. */
#ifndef NE_CMD_H
#define NE_CMD_H

int ne_cmd_run(int argc, char **argv);
int ne_cmd_enrich(int argc, char **argv);
int ne_cmd_demo(int argc, char **argv);
int ne_cmd_mock_cluster(int argc, char **argv);
int ne_cmd_check_config(int argc, char **argv);
int ne_cmd_train_ner(int argc, char **argv);
int ne_cmd_eval_ner(int argc, char **argv);
int ne_cmd_train_topics(int argc, char **argv);
int ne_cmd_eval_topics(int argc, char **argv);
int ne_cmd_schema_check(int argc, char **argv);

#endif
