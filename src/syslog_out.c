/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syslog_out: reports and warnings to syslog.
 *
 * syslog(3) is process-wide state, so this module is too: one flag says
 * whether openlog() was called.  glibc opens the /dev/log socket with
 * SOCK_CLOEXEC, so hooks never inherit it.
 */
#include "syslog_out.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <syslog.h>

static bool syslog_out_is_open;

void syslog_out_open(void)
{
	openlog("ptrap", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	syslog_out_is_open = true;
}

void syslog_out_close(void)
{
	if (!syslog_out_is_open)
		return;
	closelog();
	syslog_out_is_open = false;
}

void syslog_out_report(const char *buf, size_t len)
{
	const char *end = buf + len;

	if (!syslog_out_is_open)
		return;
	/* A hook's output is several lines: one message each, as journald would. */
	while (buf < end) {
		const char *nl = memchr(buf, '\n', end - buf);
		size_t n = nl ? (size_t)(nl - buf) : (size_t)(end - buf);

		if (n > 0)
			syslog(LOG_INFO, "%.*s",
			       (int)(n < SYSLOG_OUT_MAX ? n : SYSLOG_OUT_MAX), buf);
		buf += n + (nl ? 1 : 0);
	}
}

void syslog_out_vwarning(const char *fmt, va_list ap)
{
	if (syslog_out_is_open)
		vsyslog(LOG_WARNING, fmt, ap);
}

void syslog_out_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	syslog_out_vwarning(fmt, ap);
	va_end(ap);
}
