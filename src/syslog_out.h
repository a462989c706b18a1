/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syslog_out: reports and warnings to syslog (--syslog, --syslog-only):
 * ident "ptrap" with the PID, facility daemon; reports at info, warnings
 * at warning.
 */
#ifndef PTRAP_SYSLOG_OUT_H
#define PTRAP_SYSLOG_OUT_H

#include <stdarg.h>
#include <stddef.h>

/* Longest message sent; longer lines are cut (daemons cut at 8 KiB too). */
#define SYSLOG_OUT_MAX	8192

/* Connects to /dev/log at once, before privileges are dropped (-Z). */
void syslog_out_open(void);
void syslog_out_close(void);

/*
 * A formatted report (text or JSON, one or more '\n'-terminated lines):
 * one message per non-empty line, without its newline.  Does nothing
 * unless open.
 */
void syslog_out_report(const char *buf, size_t len);

/* A warning at LOG_WARNING; does nothing unless open. */
void syslog_out_warning(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void syslog_out_vwarning(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

#endif
