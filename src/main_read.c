/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main_read: ptrap -r.  Reads every file of the set into one summary;
 * a file that cannot be read or is damaged is named on stderr and the
 * others are still read, so one bad file of a ring does not hide the
 * rest; the exit status is then 1.
 */
#include <stdio.h>

#include "main_int.h"
#include "readset.h"
#include "report.h"

int main_read(const struct ptrap_config *cfg)
{
	struct report_filter flt = {
		.udp = cfg->udp, .tcp = cfg->tcp, .icmp = cfg->icmp,
		.connect_only = cfg->connect_only,
		.uids = cfg->uids, .n_uids = cfg->n_uids,
		.ifaces = cfg->out_ifaces, .n_ifaces = cfg->n_out_ifaces,
		.dests = cfg->dests, .n_dests = cfg->n_dests,
		.ports = cfg->ports, .n_ports = cfg->n_ports,
		.pids = cfg->pids, .n_pids = cfg->n_pids,
		.comms = cfg->comms, .n_comms = cfg->n_comms,
		.names = cfg->names, .n_names = cfg->n_names,
		.units = cfg->units, .n_units = cfg->n_units,
		.containers = cfg->containers, .n_containers = cfg->n_containers,
	};
	struct report_opts opts = {
		.by = cfg->by, .sort = cfg->sort, .top = cfg->top,
		.json = cfg->json,
	};
	struct readset rs = { 0 };
	struct report *rp = NULL;
	char err[512], last[2048], path[1024];
	unsigned long long packets, unparsed;
	unsigned int i, bad = 0;
	int rc = PTRAP_EXIT_RUNTIME;

	for (i = 0; i < cfg->n_read_paths; i++) {
		if (readset_add(&rs, cfg->read_paths[i], err, sizeof(err)) < 0) {
			fail("-r %s: %s", main_show_path(cfg->read_paths[i], path,
							 sizeof(path)), err);
			goto out;
		}
	}
	readset_order(&rs);
	rp = report_new();
	if (!rp) {
		fail("out of memory");
		goto out;
	}
	report_set_filter(rp, &flt);
	last[0] = '\0';
	for (i = 0; i < rs.n; i++) {
		long n = report_read(rp, rs.files[i].path, err, sizeof(err));

		if (n < 0) {
			bad++;
			fail("%s: %s", main_show_path(rs.files[i].path, path,
						      sizeof(path)), err);
			snprintf(last, sizeof(last), "%s: %s", path, err);
		}
		if (cfg->verbosity > 0)
			fprintf(stderr, "ptrap: read %s: %ld packets\n",
				main_show_path(rs.files[i].path, path,
					       sizeof(path)), n < 0 ? 0 : n);
	}
	/* Nothing at all could be read: no summary of nothing. */
	report_totals(rp, &packets, &unparsed);
	if (bad > 0 && packets + report_filtered(rp) == 0)
		goto out;
	if (report_print(rp, &opts, stdout) < 0) {
		fail("out of memory");
		goto out;
	}
	report_print_total(rp, cfg->json, rs.n, bad, bad ? last : NULL, stdout);
	rc = fflush(stdout) == EOF || bad ? PTRAP_EXIT_RUNTIME : PTRAP_EXIT_OK;
out:
	report_free(rp);
	readset_free(&rs);
	return rc;
}
