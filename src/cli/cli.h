/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: subcommands of the `levee` command and their shared helpers.
 */
#ifndef LV_CLI_CLI_H
#define LV_CLI_CLI_H

int lv_cmd_scan(int argc, char **argv);
int lv_cmd_policy(int argc, char **argv);

#endif
