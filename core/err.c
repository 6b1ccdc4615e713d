#include "err.h"

#include <stdarg.h>

int err_set(struct err *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (err_is_set(e))
		return -1;
	e->status = status;
	va_start(ap, fmt);
	strbuf_vaddf(&e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int err_is_set(const struct err *e)
{
	return e->msg.len > 0;
}

void err_release(struct err *e)
{
	strbuf_release(&e->msg);
	strbuf_release(&e->detail);
	e->status = 0;
}
