/*
 * cli_lists: the comma-list options -i, -p, -o, --uid, --comm and --pid:
 * split the list, check each element, drop duplicates, enforce the limits.
 * Nothing here prints or exits.
 */
#include <net/if.h>
#include <pwd.h>
#include <string.h>

#include "cli_lists.h"
#include "cli_msg.h"
#include "cli_table.h"

/*
 * What adding one element did.  Returned rather than told by errno: an
 * errno left over from getpwnam() or an earlier call must not turn a bad
 * element into "too many".
 */
enum list_add { LIST_ADDED, LIST_BAD, LIST_FULL, LIST_IFACE };

/* What interface names are made of; a tcpdump-like one starts with a letter. */
#define IFACE_LETTERS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define IFACE_CHARS	"0123456789" IFACE_LETTERS "._-"

/* Longest single element of a comma list we try to parse. */
#define ELEM_MAX 256	/* a unit name (255) */

/*
 * tcpdump's -i is an interface: a name that is one here, or looks like
 * one (letters, then a digit: eth0, wlp3s0, br-lan1; or "any").
 */
static bool looks_like_iface(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "any") == 0 ||
	    (n < IF_NAMESIZE && strspn(s, IFACE_CHARS) == n && n > 0 &&
	     if_nametoindex(s) != 0))
		return true;
	return n > 1 && n < IF_NAMESIZE && strchr(IFACE_LETTERS, s[0]) &&
	       strspn(s, IFACE_CHARS) == n && s[n - 1] >= '0' && s[n - 1] <= '9';
}

static enum list_add add_dest(struct ptrap_config *cfg, const char *elem)
{
	struct addr_prefix p;
	unsigned int i;

	if (addr_parse_prefix(elem, &p) < 0)
		return looks_like_iface(elem) ? LIST_IFACE : LIST_BAD;
	for (i = 0; i < cfg->n_dests; i++)
		if (addr_prefix_equal(&cfg->dests[i], &p))
			return LIST_ADDED;
	if (cfg->n_dests >= CLI_MAX_DESTS)
		return LIST_FULL;
	cfg->dests[cfg->n_dests++] = p;
	return LIST_ADDED;
}

static enum list_add add_port(struct ptrap_config *cfg, const char *elem)
{
	struct addr_port_range r;
	unsigned int i;

	if (addr_parse_port_range(elem, &r) < 0)
		return LIST_BAD;
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].lo == r.lo && cfg->ports[i].hi == r.hi)
			return LIST_ADDED;
	if (cfg->n_ports >= CLI_MAX_PORTS)
		return LIST_FULL;
	cfg->ports[cfg->n_ports++] = r;
	return LIST_ADDED;
}

/* What a comma-list option holds, for parse_list() and its messages. */
struct list_kind {
	const char *what, *plural;
	const char *expected;
	int max;
	enum list_add (*add)(struct ptrap_config *cfg, const char *elem);
};

static const struct list_kind dest_list = {
	"address", "addresses", "IPv4 or IPv6 ADDR[/LEN]",
	CLI_MAX_DESTS, add_dest,
};
static const struct list_kind port_list = {
	"port", "ports", "1-65535 or LO-HI",
	CLI_MAX_PORTS, add_port,
};

/*
 * 1-15 bytes of letters, digits, '.', '_' and '-': the kernel allows more,
 * but '*', '+' and quotes would mean patterns or syntax to iptables or nft.
 */
static enum list_add add_iface(struct ptrap_config *cfg, const char *elem)
{
	size_t len = strlen(elem);
	unsigned int i;

	if (len == 0 || len >= IF_NAMESIZE || strcmp(elem, ".") == 0 ||
	    strcmp(elem, "..") == 0 || strspn(elem, IFACE_CHARS) != len)
		return LIST_BAD;
	for (i = 0; i < cfg->n_out_ifaces; i++)
		if (strcmp(cfg->out_ifaces[i], elem) == 0)
			return LIST_ADDED;
	if (cfg->n_out_ifaces >= CLI_MAX_IFACES)
		return LIST_FULL;
	memcpy(cfg->out_ifaces[cfg->n_out_ifaces++], elem, len + 1);
	return LIST_ADDED;
}

/* A number is a uid as is (like chown); anything else must be a user. */
static enum list_add add_uid(struct ptrap_config *cfg, const char *elem)
{
	unsigned int uid, i;

	if (elem[0] >= '0' && elem[0] <= '9') {
		/* (uid_t)-1 means "no uid" to the kernel. */
		if (cli_parse_uint(elem, 0, 4294967294ul, &uid) < 0)
			return LIST_BAD;
	} else {
		const struct passwd *pw = getpwnam(elem);

		if (pw == NULL)
			return LIST_BAD;
		uid = pw->pw_uid;
	}
	for (i = 0; i < cfg->n_uids; i++)
		if (cfg->uids[i] == (uid_t)uid)
			return LIST_ADDED;
	if (cfg->n_uids >= CLI_MAX_UIDS)
		return LIST_FULL;
	cfg->uids[cfg->n_uids++] = (uid_t)uid;
	return LIST_ADDED;
}

static enum list_add add_comm(struct ptrap_config *cfg, const char *elem)
{
	size_t len = strlen(elem);
	unsigned int i;

	if (len == 0 || len >= CLI_COMM_LEN)
		return LIST_BAD;
	for (i = 0; i < cfg->n_comms; i++)
		if (strcmp(cfg->comms[i], elem) == 0)
			return LIST_ADDED;
	if (cfg->n_comms >= CLI_MAX_COMMS)
		return LIST_FULL;
	memcpy(cfg->comms[cfg->n_comms++], elem, len + 1);
	return LIST_ADDED;
}

/* A unit or container name: printable, no spaces, no '/', no ','. */
static bool name_ok(const char *elem, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len >= max)
		return false;
	for (i = 0; i < len; i++)
		if (elem[i] <= ' ' || elem[i] >= 0x7f || elem[i] == '/')
			return false;
	return true;
}

static enum list_add add_unit(struct ptrap_config *cfg, const char *elem)
{
	size_t len = strlen(elem);

	unsigned int i;

	if (!name_ok(elem, len, CLI_UNIT_LEN))
		return LIST_BAD;
	for (i = 0; i < cfg->n_units; i++)
		if (strcmp(cfg->units[i], elem) == 0)
			return LIST_ADDED;
	if (cfg->n_units >= CLI_MAX_UNITS)
		return LIST_FULL;
	memcpy(cfg->units[cfg->n_units++], elem, len + 1);
	return LIST_ADDED;
}

static enum list_add add_container(struct ptrap_config *cfg, const char *elem)
{
	size_t len = strlen(elem);
	unsigned int i;

	if (!name_ok(elem, len, CLI_CONTAINER_LEN) || elem[len - 1] == ':')
		return LIST_BAD;
	for (i = 0; i < cfg->n_containers; i++)
		if (strcmp(cfg->containers[i], elem) == 0)
			return LIST_ADDED;
	if (cfg->n_containers >= CLI_MAX_CONTAINERS)
		return LIST_FULL;
	memcpy(cfg->containers[cfg->n_containers++], elem, len + 1);
	return LIST_ADDED;
}

/* PID_MAX_LIMIT on 64-bit kernels. */
static enum list_add add_pid(struct ptrap_config *cfg, const char *elem)
{
	unsigned int pid, i;

	if (cli_parse_uint(elem, 1, 4194304, &pid) < 0)
		return LIST_BAD;
	for (i = 0; i < cfg->n_pids; i++)
		if (cfg->pids[i] == (pid_t)pid)
			return LIST_ADDED;
	if (cfg->n_pids >= CLI_MAX_PIDS)
		return LIST_FULL;
	cfg->pids[cfg->n_pids++] = (pid_t)pid;
	return LIST_ADDED;
}

static const struct list_kind iface_list = {
	"interface", "interfaces",
	"an interface name: 1-15 letters, digits, '.', '_' or '-'",
	CLI_MAX_IFACES, add_iface,
};
static const struct list_kind uid_list = {
	"user", "users", "an existing user name or a uid",
	CLI_MAX_UIDS, add_uid,
};
static const struct list_kind comm_list = {
	"command name", "command names", "1-15 characters",
	CLI_MAX_COMMS, add_comm,
};
static const struct list_kind unit_list = {
	"unit", "units", "a systemd unit name such as nginx.service",
	CLI_MAX_UNITS, add_unit,
};
static const struct list_kind container_list = {
	"container", "containers", "a container id prefix or name, or RUNTIME:ID",
	CLI_MAX_CONTAINERS, add_container,
};
static const struct list_kind pid_list = {
	"process id", "process ids", "1-4194304",
	CLI_MAX_PIDS, add_pid,
};

/*
 * Split a comma list and feed each element to k->add(), which says whether
 * the element was bad or the list full.
 */
static int parse_list(struct ptrap_config *cfg, int val, const char *list,
		      const struct list_kind *k, char *err, size_t errlen)
{
	const char *p = list;
	char label[32];

	cli_option_label(val, label, sizeof(label));
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char elem[ELEM_MAX];

		if (n == 0) {
			char show[CLI_SHOW_BUF];

			cli_set_err(err, errlen, "empty element in '%s' for %s",
				    cli_show(list, strlen(list), show,
					     sizeof(show)), label);
			return PTRAP_EXIT_USAGE;
		}
		if (n >= sizeof(elem))
			return cli_bad_value(err, errlen, val, k->what, p, n,
					     k->expected);
		memcpy(elem, p, n);
		elem[n] = '\0';
		switch (k->add(cfg, elem)) {
		case LIST_ADDED:
			break;
		case LIST_FULL:
			cli_set_err(err, errlen, "too many %s for %s (max %d)",
				    k->plural, label, k->max);
			return PTRAP_EXIT_USAGE;
		case LIST_IFACE:
			if (strcmp(elem, "any") == 0)
				cli_set_err(err, errlen, "-i takes a destination "
					    "address; ptrap traps on every "
					    "interface unless -o IF is given");
			else
				cli_set_err(err, errlen, "-i takes a destination "
					    "address; for an interface use -o %s",
					    elem);
			return PTRAP_EXIT_USAGE;
		default:
			return cli_bad_value(err, errlen, val, k->what, p, n,
					     k->expected);
		}
		if (comma == NULL)
			return PTRAP_EXIT_OK;
		p = comma + 1;
	}
}

static const struct list_kind *list_kind_of(int val)
{
	switch (val) {
	case 'i':
		return &dest_list;
	case 'p':
		return &port_list;
	case 'o':
		return &iface_list;
	case OPT_UID:
		return &uid_list;
	case OPT_COMM:
		return &comm_list;
	case OPT_UNIT:
		return &unit_list;
	case OPT_CONTAINER:
		return &container_list;
	case OPT_PID:
		return &pid_list;
	}
	return NULL;
}

int cli_parse_list(struct ptrap_config *cfg, int val, const char *list,
		   char *err, size_t errlen)
{
	const struct list_kind *k = list_kind_of(val);

	if (k == NULL) {
		cli_set_err(err, errlen,
			    "internal error: option %d takes no list", val);
		return PTRAP_EXIT_USAGE;
	}
	return parse_list(cfg, val, list, k, err, errlen);
}
