/*
 * The GSSAPI functions the static link takes from cmd/link/gss_lazy.c:
 * the Kerberos library is not loaded at start, and a call loads it and is
 * answered by it. Linked with the shim alone (the Makefile), as escgate
 * is; libgssapi_krb5.so.2 is installed with libgit2's runtime package.
 */
#define TEST_SUITE "gss_lazy"
#include "test.h"

#include <dlfcn.h>

#include "cmd/link/gss_lazy.h"

static int library_loaded(void)
{
	void *h = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

TEST(loaded_on_first_call_and_forwarded)
{
	OM_uint32 minor = 7;
	gss_OID_set set = NULL;
	gss_name_t name = NULL;
	gss_buffer_desc service = { 16, "HTTP@example.com" };

	CHECK(!library_loaded());
	CHECK_INT(gss_indicate_mechs(&minor, &set), 0);
	CHECK(library_loaded());
	CHECK(set != NULL && set->count >= 1);
	CHECK_INT(gss_release_oid_set(&minor, &set), 0);
	CHECK(set == NULL);
	/* the name type is ours, given by value: the library takes it */
	CHECK_INT(gss_import_name(&minor, &service, GSS_C_NT_HOSTBASED_SERVICE, &name), 0);
	CHECK(name != NULL);
	CHECK_INT(gss_release_name(&minor, &name), 0);
}

int main(void)
{
	RUN(loaded_on_first_call_and_forwarded);
	TEST_EXIT();
}
