/*
 * cli_table: every option ptrap knows, in the order --help shows them.
 *
 * This one table drives getopt_long (cli.c), --help and the man page's
 * OPTIONS section (cli_help.c), so the three cannot drift apart.  A
 * numeric option's range, default and unit are here too: the parser
 * checks and applies them, the help texts print them (%R, %D...).
 */
#include <stddef.h>

#include "cli.h"
#include "cli_table.h"
#include "dnslink.h"

/* The config field a numeric option sets. */
#define FIELD(f) .offset = offsetof(struct ptrap_config, f), \
	.size = sizeof(((struct ptrap_config *)0)->f)

const struct cli_option cli_options[] = {
	/* What to trap: matched in the kernel. */
	{ .name = "udp", .val = 'u',
	  .help = "Trap UDP packets. Without a filter expression at least "
		  "one of -u, -t and --icmp is required; with one, none "
		  "means all three (UDP and TCP only with -p). With -r, -u, -t "
		  "and --icmp keep only packets of the protocols given "
		  "(--icmp: any ICMP or ICMPv6 packet).",
	  .reads = true },
	{ .name = "tcp", .val = 't',
	  .help = "Trap TCP segments. Without a filter expression at least "
		  "one of -u, -t and --icmp is required.",
	  .reads = true },
	{ .name = "icmp", .val = OPT_ICMP,
	  .help = "Trap ICMP and ICMPv6 requests (echo, as sent by ping, and "
		  "the other request types). Ports do not apply to them, so "
		  "-p needs -u or -t besides.",
	  .reads = true },
	{ .name = "connect", .val = 'c',
	  .help = "With -t, trap only TCP connection attempts (SYN without "
		  "ACK), so the other segments never reach ptrap (nor a -w "
		  "file); UDP and ICMP are not affected. Without -t (or an "
		  "expression, which allows TCP): exit status 5. With -r, "
		  "drops the other TCP segments. (tcpdump's -c N is --count N "
		  "here.)",
	  .reads = true },
	{ .name = "ip", .val = 'i', .arg = "ADDR[/LEN]",
	  .help = "Destination IPv4 or IPv6 address or prefix, e.g. "
		  "192.0.2.53 or 2001:db8::/32. Repeat the option or give a "
		  "comma-separated list, up to %L in all; required without a "
		  "filter expression. A tcpdump -i (an interface) is -o "
		  "here. With -r, a filter of the summary.",
	  .list_max = CLI_MAX_DESTS,
	  .reads = true },
	{ .name = "port", .val = 'p', .arg = "PORT[-PORT]",
	  .help = "Destination port or range, 1-65535. Repeat the option or "
		  "give a comma-separated list, up to %L in all; default: "
		  "any port. With -r, a filter of the summary.",
	  .list_max = CLI_MAX_PORTS,
	  .reads = true },
	{ .name = "out-interface", .val = 'o', .arg = "IF",
	  .help = "Trap only packets leaving through network interface IF, "
		  "which must exist when ptrap starts. Repeat the option or "
		  "give a comma-separated list, up to %L. With -r, the "
		  "capture's interface name (ptrap names each interface "
		  "block after the output interface).",
	  .list_max = CLI_MAX_IFACES,
	  .reads = true },
	{ .name = "uid", .val = OPT_UID, .arg = "USER",
	  .help = "Trap only packets from sockets owned by USER (a name or a "
		  "number); matched in the kernel, so other users' packets "
		  "never reach ptrap. Repeat the option or give a "
		  "comma-separated list, up to %L. With -r, the UserId of "
		  "ptrap's packet comment.",
	  .list_max = CLI_MAX_UIDS,
	  .reads = true },
	/* What to report. */
	{ .name = "comm", .val = OPT_COMM, .arg = "NAME",
	  .help = "Report (and run the hook for) only processes whose "
		  "command name, as in /proc/PID/comm (at most 15 "
		  "characters), is NAME. Other trapped packets are accepted "
		  "at once without a report; they are counted in the "
		  "statistics and still written with -w. Repeat the option "
		  "or give a comma-separated list, up to %L. With -r, a "
		  "filter of the summary.",
	  .list_max = CLI_MAX_COMMS,
	  .reads = true },
	{ .name = "name", .val = OPT_NAME, .arg = "PATTERN",
	  .help = "Report (and run the hook for) only packets whose payload "
		  "names PATTERN: a DNS query's name, a TLS server name or an "
		  "HTTP Host. PATTERN is a name (example.test: that name "
		  "only) or *. and a name (*.example.test: every name below "
		  "it, not example.test itself); letters match in any case, "
		  "escapes as the reports print them. Other trapped packets "
		  "are accepted at once without a report; they are counted "
		  "in the statistics and still written with -w. Repeat the "
		  "option, up to %L patterns. With -r, a filter of the "
		  "summary.",
	  .list_max = CLI_MAX_NAMES, .reads = true },
	{ .name = "dns", .val = OPT_DNS,
	  .help = "Trap DNS queries (UDP and TCP to port 53) to every "
		  "nameserver of /etc/resolv.conf and of systemd-resolved's "
		  "upstream list, and to the local stub " DNSLINK_STUB ", "
		  "besides any -i (-i 0.0.0.0/0,::/0 adds every server). A "
		  "query a local forwarder (systemd-resolved, dnsmasq, "
		  "unbound...) sends is linked to the application query it "
		  "serves, and the text report reads \"dig (1234) via "
		  "dnsmasq (560) -> 192.0.2.53:53: A? example.test\"; "
		  "packets without a DNS message are accepted unreported." },
	{ .name = "resolv-conf", .val = OPT_RESOLV_CONF, .arg = "FILE",
	  .help = "With --dns, read the nameservers from FILE instead of "
		  "the default files; repeat for several, up to 4." },
	{ .name = "unit", .val = OPT_UNIT, .arg = "NAME",
	  .help = "Report (and run the hook for) only processes of the "
		  "systemd unit NAME, as their cgroup names it: a service "
		  "or scope of the system's manager or of a user's "
		  "(nginx.service, session-3.scope; NAME without a dot means "
		  "NAME.service). Other trapped packets are accepted and "
		  "counted as with --comm. Repeat the option or give a "
		  "comma-separated list, up to %L. With -r, a filter of the "
		  "summary.",
	  .list_max = CLI_MAX_UNITS, .reads = true },
	{ .name = "container", .val = OPT_CONTAINER, .arg = "ID",
	  .help = "Report (and run the hook for) only processes of the "
		  "container whose id (docker, podman, containerd, CRI-O, "
		  "kubernetes) or name (LXC, systemd-nspawn), as the cgroup "
		  "path names it, starts with ID; RUNTIME:ID also asks for "
		  "the runtime (docker:0123abc). Other trapped packets are "
		  "accepted and counted as with --comm. Repeat the option or "
		  "give a comma-separated list, up to %L. With -r, a filter "
		  "of the summary.",
	  .list_max = CLI_MAX_CONTAINERS, .reads = true },
	{ .name = "every-packet", .val = OPT_EVERY_PACKET,
	  .help = "Report (and run the hook for) every trapped TCP segment, "
		  "as -n allows. By default a TCP connection is reported "
		  "once, at the first segment ptrap sees of it (the SYN, or "
		  "the first of a connection open before); its later "
		  "segments are accepted at once, counted in the statistics "
		  "and still written with -w, their sender named (after the "
		  "socket closed, as its last owner). A later segment that "
		  "holds a DNS message, a TLS ClientHello or an HTTP request "
		  "is reported too." },
	{ .name = "rate", .val = 'n', .arg = "N",
	  .help = "Report and run the hook at most N times per minute per "
		  "flow (source address, destination address, source port "
		  "and protocol), in bursts of up to N; %R, default %D, 0 "
		  "for no limit. Packets over the limit are accepted at "
		  "once without a report or hook; they are counted as "
		  "rate-limited in the statistics (SIGUSR1) and still "
		  "written with -w. (tcpdump's -n is not needed: ptrap looks "
		  "no names up.)",
	  .num = &(const struct cli_number){ 0, 1000000, CLI_DEFAULT_RATE,
		"rate", "per minute", FIELD(rate_per_min) } },
	{ .name = "count", .val = OPT_COUNT, .arg = "N",
	  .help = "Exit, removing the rules, after N reported packets "
		  "(%R).",
	  .num = &(const struct cli_number){ 1, 4000000000ul, 0,
		"count", NULL, FIELD(max_reports) } },
	{ .name = "exec", .val = 'e', .arg = "CMD",
	  .help = "Hook: run CMD through /bin/sh -c with the sender's PID "
		  "appended as last argument while the packet is held. Its "
		  "environment has PTRAP_PID, PTRAP_UID, PTRAP_COMM, "
		  "PTRAP_PROTO, PTRAP_SRC, PTRAP_SPORT, PTRAP_DST, "
		  "PTRAP_DPORT and what the payload asks for: PTRAP_QNAME "
		  "and PTRAP_QTYPE (a DNS query's first question), PTRAP_SNI "
		  "(TLS) or PTRAP_HOST (HTTP), and PTRAP_ASKED_BY (--dns: "
		  "the PID of the application a forwarder's query serves). "
		  "Not run for a sender that had exited before ptrap looked "
		  "(named by the send-time record): its PID may belong to "
		  "another process by then." },
	{ .name = "hold", .val = 's', .arg = "MS",
	  .help = "Hold a packet at most MS milliseconds while its hook "
		  "runs, then accept it even if the hook is still running; "
		  "%R, default %D. (tcpdump's -s is -S here.)",
	  .num = &(const struct cli_number){ 0, 60000, CLI_DEFAULT_HOLD_MS,
		"hold time", "ms", FIELD(hold_ms) } },
	{ .name = "hook-timeout", .val = OPT_HOOK_TIMEOUT, .arg = "MS",
	  .help = "Kill the hook's process group when it runs longer than "
		  "MS milliseconds; %R, default %D.",
	  .num = &(const struct cli_number){ 1, 3600000,
		CLI_DEFAULT_HOOK_TIMEOUT_MS, "hook timeout", "ms",
		FIELD(hook_timeout_ms) } },
	{ .name = "max-hooks", .val = OPT_MAX_HOOKS, .arg = "N",
	  .help = "Run at most N hooks at once; a packet arriving while N "
		  "are running is accepted at once without a hook, and this "
		  "is reported; %R, default %D.",
	  .num = &(const struct cli_number){ 1, 1024, CLI_DEFAULT_MAX_HOOKS,
		"hook count", NULL, FIELD(max_hooks) } },
	{ .name = "hook-caps", .val = OPT_HOOK_CAPS,
	  .help = "Give hooks ptrap's capabilities (CAP_NET_ADMIN, "
		  "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH) as ambient "
		  "capabilities; by default a hook runs with none, even as "
		  "root." },
	{ .name = "user", .val = 'Z', .arg = "USER",
	  .help = "Once the rules and the queue are set up, run as USER "
		  "(its uid, group and supplementary groups), keeping only "
		  "CAP_NET_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH. "
		  "The -w file is created as USER, also on rotation and "
		  "SIGHUP, so its directory must be writable by USER (as "
		  "tcpdump -Z)." },
	/* Where reports go. */
	{ .name = "json", .val = 'j',
	  .help = "Print one JSON object per line instead of text reports.",
	  .reads = true },
	{ .name = "syslog", .val = OPT_SYSLOG,
	  .help = "Also send the reports to syslog: ident ptrap, facility "
		  "daemon, priority info (warnings: warning)." },
	{ .name = "syslog-only", .val = OPT_SYSLOG_ONLY,
	  .help = "Send the reports to syslog as --syslog does, and not to "
		  "stdout." },
	{ .name = "verbose", .val = 'v',
	  .help = "Print more diagnostics on stderr; repeat for more.",
	  .reads = true },
	{ .name = "quiet", .val = 'q',
	  .help = "Print only errors on stderr; reports still go to stdout. "
		  "Cannot be combined with -v.",
	  .reads = true },
	{ .name = "queue-num", .val = OPT_QUEUE_NUM, .arg = "N",
	  .help = "NFQUEUE number to use, %R, default %D. Only one ptrap "
		  "can use a queue number at a time.",
	  .num = &(const struct cli_number){ 0, 65535, CLI_DEFAULT_QUEUE,
		"queue number", NULL, FIELD(queue_num) } },
	{ .name = "batch-wait", .val = OPT_BATCH_WAIT, .arg = "USEC",
	  .help = "Under load (a read of the queue brought 4 packets or "
		  "more), wait USEC microseconds before reading again, so "
		  "that one wake-up takes many packets. Packets arriving "
		  "meanwhile are delayed by at most USEC; a packet that "
		  "finds ptrap idle is never delayed. %R, default %D; 0 "
		  "reads again at once.",
	  .num = &(const struct cli_number){ 0, 10000,
		CLI_DEFAULT_BATCH_WAIT_US, "batch wait", "us",
		FIELD(batch_wait_us) } },
	{ .name = "no-bpf", .val = OPT_NO_BPF,
	  .help = "Do not record the sending process at send time with eBPF; "
		  "name senders from /proc only, as on kernels without BPF "
		  "netfilter programs (before Linux 6.4). Without the record "
		  "a sender that exits at once, before ptrap looks, cannot "
		  "be named." },
	{ .name = "backend", .val = OPT_BACKEND, .arg = "NAME",
	  .help = "How to install the firewall rules: nft, iptables (raw "
		  "table), auto (nft, else iptables; the default) or none "
		  "(install nothing and only listen on the queue, after "
		  "loading a file from rules/ yourself)." },
	/* Capture files. */
	{ .name = "write", .val = 'w', .arg = "FILE",
	  .help = "Also write each trapped packet to FILE in pcapng format, "
		  "with the sending process in the packet comment "
		  "(PID, Cmd, Args, UserId, ParentPID, Comm, and when known "
		  "User, Group, Unit, UserUnit, Container, Chain, Cgroup, "
		  "Exited, Start) and what the payload asks for (Query, SNI, Host). "
		  "\"-\" writes to "
		  "stdout; the reports then go to stderr. SIGHUP reopens FILE "
		  "(appending a new section)." },
	{ .name = "snaplen", .val = 'S', .arg = "N",
	  .help = "With -w, save at most the first N bytes of each packet "
		  "(1-%M; like tcpdump -s, counting the 16-byte Linux "
		  "cooked header the file gives each packet), keeping its "
		  "original length in the file; 0, the default, saves whole "
		  "packets.",
	  .num = &(const struct cli_number){ 0, 262144, 0,
		"snapshot length", "bytes", FIELD(snaplen) } },
	{ .name = "flush", .val = OPT_FLUSH,
	  .help = "With -w, write every packet to the file at once; by "
		  "default writes are buffered and at most about a second "
		  "behind." },
	{ .name = "file-size", .val = 'C', .arg = "MB",
	  .help = "With -w, start a new file once the current one is larger "
		  "than MB megabytes (1000000 bytes; a decimal fraction such "
		  "as 0.5 is allowed, down to 0.001), like tcpdump: FILE, "
		  "then FILE1, FILE2 and so on. Each file is a complete "
		  "pcapng file." },
	{ .name = "rotate-seconds", .val = 'G', .arg = "SECONDS",
	  .help = "With -w, start a new file when a packet arrives SECONDS "
		  "(%R) after the current file was opened. FILE is "
		  "passed through strftime(3), so \"out-%%H%%M%%S.pcapng\" gives "
		  "each file its local time.",
	  .num = &(const struct cli_number){ 1, 31536000, 0,
		"rotation interval", "seconds", FIELD(rotate_secs) } },
	{ .name = "file-count", .val = 'W', .arg = "N",
	  .help = "With -C or -G, keep at most N files (%R): with -C "
		  "they are named FILE0 to FILE(N-1), zero-padded, and reused "
		  "in turn; with -G the oldest is deleted.",
	  .num = &(const struct cli_number){ 1, 100000, 0,
		"file count", NULL, FIELD(rotate_files) } },
	{ .name = "read", .val = 'r', .arg = "FILE",
	  .help = "Summarise capture files and exit: FILE, every further "
		  "-r FILE and the words after the options, each a file "
		  "(pcapng or pcap: ptrap's, tshark's or tcpdump's; \"-\" for "
		  "stdin) or a quoted glob(7) pattern such as "
		  "'/var/lib/ptrap/dns/ptrap.pcapng*', which ptrap expands. "
		  "The files are read as one capture, in the order of their "
		  "first packets (a rotated ring in time order), each file "
		  "once. Needs no privileges and no -i or -u; -u, -t, "
		  "--icmp, -c, -i, -p, -o, --uid, --pid, --comm, --name, "
		  "--unit and --container select packets; -j, -v, -q, --by, --sort and --top change the "
		  "output (a table, or JSON lines with -j); any other option "
		  "is refused (exit status 2).",
	  .reads = true },
	{ .name = "by", .val = OPT_BY, .arg = "KEY",
	  .help = "With -r, group the summary by KEY: process (the "
		  "default: a pid and its start time, with its comm, exe and "
		  "user), comm (the "
		  "command name: six digs are one \"dig\" row), exe, user "
		  "(the comment's User, else its UserId), unit (the systemd "
		  "unit, else the user unit), destination (protocol, "
		  "address, port), flow (source and destination) or name "
		  "(the DNS query name, TLS SNI or HTTP Host in the packet, "
		  "so also for other tools' captures; a TCP connection's "
		  "segments after the one holding it count for it too). Each group lists its "
		  "destinations, or for destination, flow and name its "
		  "processes.",
	  .reads = true },
	{ .name = "sort", .val = OPT_SORT, .arg = "KEY",
	  .help = "With -r, the order of the groups and of the lines in "
		  "each: packets (the default) or bytes, most first; first, "
		  "the earliest first packet first; last, the latest last "
		  "packet first.",
	  .reads = true },
	{ .name = "top", .val = OPT_TOP, .arg = "N",
	  .help = "With -r, show only the first N groups (%R) in --sort "
		  "order; the totals still count every packet.",
	  .num = &(const struct cli_number){ 1, 1000000, 0,
		"group count", NULL, FIELD(top) },
	  .reads = true },
	{ .name = "pid", .val = OPT_PID, .arg = "PID",
	  .help = "With -r, summarise only packets sent by process PID. "
		  "Repeat the option or give a comma-separated list, up to "
		  "%L.",
	  .list_max = CLI_MAX_PIDS,
	  .reads = true },
	{ .name = "help", .val = 'h',
	  .help = "Print this help and exit.",
	  .reads = true },
	{ .name = "version", .val = 'V',
	  .help = "Print the version and exit.",
	  .reads = true },
	/* For tests/netns/man-matches-help.sh and man page editors. */
	{ .name = "man-options", .val = OPT_MAN_OPTIONS,
	  .help = "Print the man page OPTIONS section.", .hidden = true,
	  .reads = true },
};

const size_t cli_n_options = sizeof(cli_options) / sizeof(cli_options[0]);

_Static_assert(sizeof(cli_options) / sizeof(cli_options[0]) <=
	       CLI_MAX_OPTIONS, "raise CLI_MAX_OPTIONS");
