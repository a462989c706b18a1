/*
 * fuzz_cli: cli_parse() on an argv made from the input (NUL separates
 * arguments).  It must not crash, must write a message on failure and
 * must leave the config within its documented limits on success; the
 * message is one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptrap_config cfg;
	struct fuzz_argv a;
	char err[256];
	int ret;

	if (fuzz_argv_split(&a, data, size) < 0)
		return 0;
	err[0] = '\0';
	ret = cli_parse(a.argc, a.argv, &cfg, err, sizeof(err));
	if (ret == PTRAP_EXIT_OK) {
		if (cfg.n_dests > CLI_MAX_DESTS || cfg.n_ports > CLI_MAX_PORTS ||
		    cfg.queue_num > 65535)
			abort();
	} else {
		if (ret < 0 || ret > PTRAP_EXIT_QUEUE_BUSY)
			abort();
		/* one line: values are shown with their newlines escaped */
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL ||
		    strchr(err, '\n') != NULL)
			abort();
	}
	fuzz_argv_free(&a);
	return 0;
}
