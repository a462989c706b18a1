/*
 * rules: the firewall rule text ptrap installs and removes, as pure
 * functions of the configuration (golden-tested, no side effects).
 */
#ifndef PTRAP_RULES_H
#define PTRAP_RULES_H

#include <stddef.h>
#include "cli.h"

#define RULES_NAME_MAX	32

/* nft table "ptrap_<queue>" / iptables chain "PTRAP_<queue>" */
void rules_nft_table_name(unsigned int queue_num, char *buf, size_t len);
void rules_ipt_chain_name(unsigned int queue_num, char *buf, size_t len);

/*
 * A complete nft script (for libnftables or `nft -f`) creating table
 * inet ptrap_<queue> with "flags owner" and an output base chain that queues
 * matching locally generated packets with "queue num N bypass".
 * Returns the length, or -1 with errno ENOSPC.
 */
int rules_nft_install(const struct ptrap_config *cfg, char *buf, size_t len);
/* "delete table inet ptrap_<queue>\n" */
int rules_nft_remove(const struct ptrap_config *cfg, char *buf, size_t len);

/*
 * iptables-restore --noflush input for family AF_INET (iptables) or
 * AF_INET6 (ip6tables): creates chain PTRAP_<queue> in the raw table,
 * its NFQUEUE --queue-bypass rules, a chain PTRAP_<queue>_<k> for each
 * filter expression group with exclusions, and appends one jump from
 * OUTPUT.  Returns 0 length (empty buf) when nothing of that family is
 * trapped.  Returns the length, or -1 with errno ENOSPC.
 */
int rules_ipt_install(const struct ptrap_config *cfg, int family,
		      char *buf, size_t len);
/* iptables-restore --noflush input removing exactly what install added. */
int rules_ipt_remove(const struct ptrap_config *cfg, int family,
		     char *buf, size_t len);

/*
 * All of the above also fail with EINVAL for a config cli_parse would not
 * produce (queue above 65535, bad prefix or port range, no -i and no
 * expression, an expression filter_compile() refuses), and the ipt ones
 * with EAFNOSUPPORT for another family; rules_nft_install and the ipt
 * ones with ENOMEM.  Output is normalised: a
 * destination inside another one is dropped, ports are sorted and
 * overlapping or adjacent ranges merged.
 */

#endif
