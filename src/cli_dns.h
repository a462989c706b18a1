/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_dns: the destinations --dns adds (cli_dns.c).  Private to cli.c. */
#ifndef PTRAP_CLI_DNS_H
#define PTRAP_CLI_DNS_H

#include <stddef.h>
#include "cli.h"

/*
 * After the options: --dns's protocols, port and destinations added to
 * cfg.  PTRAP_EXIT_OK, or PTRAP_EXIT_USAGE with a one-line message.
 */
int cli_dns_apply(struct ptrap_config *cfg, char *err, size_t errlen);

#endif
