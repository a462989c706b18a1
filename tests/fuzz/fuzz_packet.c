/*
 * fuzz_packet: pkt_parse() on arbitrary bytes.  It must never read past len
 * (ASan catches that) and must keep its documented contract.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info info;
	uint8_t *copy;
	int ret;

	/* An exact-size heap copy, so a one-byte over-read is caught. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&info, 0, sizeof(info));
	ret = pkt_parse(copy, size, &info);
	if (ret == -1) {
		if (errno != EINVAL || !info.problem)
			abort();
	} else if (ret == 0) {
		if (info.l3_len > size)
			abort();
		if (info.problem && strlen(info.problem) == 0)
			abort();
		if (strlen(pkt_proto_name(info.proto)) == 0)
			abort();
	} else {
		abort();
	}
	free(copy);
	return 0;
}
