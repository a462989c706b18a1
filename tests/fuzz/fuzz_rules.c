/*
 * fuzz_rules: the rule text generators on any config cli_parse accepts,
 * filter expressions included (the words after the options).  The first
 * input byte picks the output buffer size, so both the ENOSPC path and
 * complete texts are reached; the rest is the argv (NUL separates
 * arguments).  The buffer is an exact-size heap block, so writing one
 * byte past len is caught by ASan.  Every complete text must pass
 * rules_oracle.h: ptrap's own words only, so no value can add a rule or
 * a statement.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "rules.h"
#include "fuzz_argv.h"
#include "rules_oracle.h"

#define FUZZ_BIG_BUF	(1u << 18)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Either -1 with ENOSPC/EINVAL, or exactly ret bytes of text then a NUL,
 * made of ptrap's words only.
 */
static void fuzz_check(int ret, int err, const char *buf, size_t len, bool nft)
{
	if (ret == -1) {
		if (err != ENOSPC && err != EINVAL)
			abort();
		return;
	}
	if (ret < 0 || (size_t)ret >= len || buf[ret] != '\0' ||
	    strlen(buf) != (size_t)ret || !rules_oracle_ok(buf, nft))
		abort();
}

static void fuzz_rules_run(const struct ptrap_config *cfg, size_t len)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char *buf;
	size_t i;
	int ret;

	buf = malloc(len ? len : 1);
	if (!buf)
		return;
	errno = 0;
	ret = rules_nft_install(cfg, buf, len);
	fuzz_check(ret, errno, buf, len, true);
	errno = 0;
	ret = rules_nft_remove(cfg, buf, len);
	fuzz_check(ret, errno, buf, len, true);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		errno = 0;
		ret = rules_ipt_install(cfg, families[i], buf, len);
		fuzz_check(ret, errno, buf, len, false);
		errno = 0;
		ret = rules_ipt_remove(cfg, families[i], buf, len);
		fuzz_check(ret, errno, buf, len, false);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptrap_config cfg;
	struct fuzz_argv a;
	char err[256];
	size_t len;

	if (size < 1)
		return 0;
	/* Small sizes (0..1016) hit ENOSPC at every offset; 0x80+ fits all. */
	len = data[0] < 0x80 ? (size_t)data[0] * 8 : FUZZ_BIG_BUF;
	if (fuzz_argv_split(&a, data + 1, size - 1) < 0)
		return 0;
	if (cli_parse(a.argc, a.argv, &cfg, err, sizeof(err)) == PTRAP_EXIT_OK)
		fuzz_rules_run(&cfg, len);
	fuzz_argv_free(&a);
	return 0;
}
