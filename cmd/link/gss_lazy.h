#ifndef ESCGATE_GSS_LAZY_H
#define ESCGATE_GSS_LAZY_H

/*
 * The GSSAPI declarations cmd/link/gss_lazy.c defines (and its test
 * calls): those of the GSS-API C bindings (RFC 2744) as MIT Kerberos
 * defines them, for the functions libgit2's static archive calls. No
 * GSSAPI header is needed to build escgate.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t OM_uint32;
typedef struct gss_name_struct *gss_name_t;
typedef struct gss_ctx_id_struct *gss_ctx_id_t;
typedef struct gss_cred_id_struct *gss_cred_id_t;
typedef struct gss_channel_bindings_struct *gss_channel_bindings_t;
typedef struct gss_OID_desc_struct {
	OM_uint32 length;
	void *elements;
} gss_OID_desc, *gss_OID;
typedef struct gss_OID_set_desc_struct {
	size_t count;
	gss_OID elements;
} gss_OID_set_desc, *gss_OID_set;
typedef struct gss_buffer_desc_struct {
	size_t length;
	void *value;
} gss_buffer_desc, *gss_buffer_t;

#define GSS_S_COMPLETE 0u
#define GSS_S_FAILURE (13u << 16)

extern gss_OID GSS_C_NT_HOSTBASED_SERVICE;

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *ctx, gss_buffer_t out);
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
			     OM_uint32 *context, gss_buffer_t out);
OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_t in, gss_OID type, gss_name_t *out);
OM_uint32 gss_indicate_mechs(OM_uint32 *minor, gss_OID_set *set);
OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *ctx,
			       gss_name_t target, gss_OID mech, OM_uint32 flags,
			       OM_uint32 time_req, gss_channel_bindings_t bindings,
			       gss_buffer_t in, gss_OID *actual_mech, gss_buffer_t out,
			       OM_uint32 *ret_flags, OM_uint32 *time_rec);
OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buffer);
OM_uint32 gss_release_name(OM_uint32 *minor, gss_name_t *name);
OM_uint32 gss_release_oid_set(OM_uint32 *minor, gss_OID_set *set);

#endif
