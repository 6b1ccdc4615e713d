/*
 * The GSSAPI functions libgit2's static archive calls (SPNEGO, for HTTP
 * "Negotiate" authentication), loaded from libgssapi_krb5 on first use
 * instead of at every start.
 *
 * escgate never talks to a server, so libgit2 never calls them; but linked
 * directly, the Kerberos libraries (seven shared objects) are mapped,
 * relocated and initialized by every run: 1.1 ms of a 3 ms start on the
 * benchmark machine. Only the static link (the Makefile's STATIC_LDLIBS)
 * takes this file. If libgit2 ever does call one, the library is opened
 * then and the call forwarded; when it cannot be opened the call fails
 * as GSSAPI calls do (GSS_S_FAILURE), which libgit2 reports as an
 * authentication error.
 *
 * The declarations are in gss_lazy.h.
 */
#include "gss_lazy.h"

#include <dlfcn.h>
#include <pthread.h>

/* 1.2.840.113554.1.2.1.4: the library compares name types by value */
static gss_OID_desc hostbased_service = { 10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04" };
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service;

static struct {
	pthread_once_t once;
	/* the library's functions: the declarations are its (gss_lazy.h) */
	__typeof__(gss_delete_sec_context) *delete_sec_context;
	__typeof__(gss_display_status) *display_status;
	__typeof__(gss_import_name) *import_name;
	__typeof__(gss_indicate_mechs) *indicate_mechs;
	__typeof__(gss_init_sec_context) *init_sec_context;
	__typeof__(gss_release_buffer) *release_buffer;
	__typeof__(gss_release_name) *release_name;
	__typeof__(gss_release_oid_set) *release_oid_set;
	int loaded;
} gss = { PTHREAD_ONCE_INIT };

/* dlsym into a function pointer of the right type, as POSIX allows */
#define RESOLVE(lib, field, name) (*(void **)&gss.field = dlsym(lib, name))

static void gss_load(void)
{
	void *lib = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return;
	gss.loaded = RESOLVE(lib, delete_sec_context, "gss_delete_sec_context") &&
		     RESOLVE(lib, display_status, "gss_display_status") &&
		     RESOLVE(lib, import_name, "gss_import_name") &&
		     RESOLVE(lib, indicate_mechs, "gss_indicate_mechs") &&
		     RESOLVE(lib, init_sec_context, "gss_init_sec_context") &&
		     RESOLVE(lib, release_buffer, "gss_release_buffer") &&
		     RESOLVE(lib, release_name, "gss_release_name") &&
		     RESOLVE(lib, release_oid_set, "gss_release_oid_set");
}

/* Whether the library is there; else *minor is cleared for the failure. */
static int gss_ready(OM_uint32 *minor)
{
	pthread_once(&gss.once, gss_load);
	if (!gss.loaded && minor)
		*minor = 0;
	return gss.loaded;
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *ctx, gss_buffer_t out)
{
	return gss_ready(minor) ? gss.delete_sec_context(minor, ctx, out) : GSS_S_COMPLETE;
}

OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
			     OM_uint32 *context, gss_buffer_t out)
{
	return gss_ready(minor) ? gss.display_status(minor, status, type, mech, context, out) :
				  GSS_S_FAILURE;
}

OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_t in, gss_OID type, gss_name_t *out)
{
	return gss_ready(minor) ? gss.import_name(minor, in, type, out) : GSS_S_FAILURE;
}

OM_uint32 gss_indicate_mechs(OM_uint32 *minor, gss_OID_set *set)
{
	return gss_ready(minor) ? gss.indicate_mechs(minor, set) : GSS_S_FAILURE;
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *ctx,
			       gss_name_t target, gss_OID mech, OM_uint32 flags,
			       OM_uint32 time_req, gss_channel_bindings_t bindings,
			       gss_buffer_t in, gss_OID *actual_mech, gss_buffer_t out,
			       OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	return gss_ready(minor) ? gss.init_sec_context(minor, cred, ctx, target, mech, flags,
						       time_req, bindings, in, actual_mech, out,
						       ret_flags, time_rec) :
				  GSS_S_FAILURE;
}

/* Nothing the library did not make can be released: without it, these do nothing. */
OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buffer)
{
	return gss_ready(minor) ? gss.release_buffer(minor, buffer) : GSS_S_COMPLETE;
}

OM_uint32 gss_release_name(OM_uint32 *minor, gss_name_t *name)
{
	return gss_ready(minor) ? gss.release_name(minor, name) : GSS_S_COMPLETE;
}

OM_uint32 gss_release_oid_set(OM_uint32 *minor, gss_OID_set *set)
{
	return gss_ready(minor) ? gss.release_oid_set(minor, set) : GSS_S_COMPLETE;
}
