/*
 * panels_cli.h — `noaber panel ...`, the command line of the citizens' panel engine.
 *
 * main.c hands over its arguments after "noaber": argv[0] is "panel" and argv[1] the
 * subcommand. The server runs selections through this command in a child process, because
 * GLPK is neither thread-safe nor shy about calling abort().
 */
#ifndef NOABER_PANELS_CLI_H
#define NOABER_PANELS_CLI_H

/*
 * Run `panel select ...` or `panel --help`. Writes the output files into --out only when the
 * whole selection succeeded. Returns 0 on success, 1 on a user error (bad files, infeasible
 * quotas, bad arguments; message on stderr, Dutch then English), 2 on an internal error.
 */
int panels_cli_main(int argc, char **argv);

#endif
