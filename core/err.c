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

int err_move(struct err *e, struct err *from)
{
	if (!err_is_set(e)) {
		e->status = from->status;
		strbuf_addbuf(&e->msg, &from->msg);
		strbuf_addbuf(&e->detail, &from->detail);
	}
	err_release(from);
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
