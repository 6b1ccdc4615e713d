/*
 * The CA certificates libgit2's static archive loads when it starts,
 * parsed before the first TLS handshake instead of at every start.
 *
 * git_libgit2_init() parses the system's CA bundle (mbedTLS, 220 KB of
 * PEM on Debian): 7 ms of CPU, most of libgit2's start, on every run of
 * a tool that never opens a TLS connection. The static link (the
 * Makefile's STATIC_LDLIBS) routes four mbedTLS calls here with ld's
 * --wrap: a chain to be read from a file or directory is remembered
 * instead, read into that same chain just before the first handshake
 * (which would check a server's certificate against it), and forgotten
 * if the chain is freed first. What the handshake sees is what it saw
 * before; a bundle that cannot be read leaves the chain empty, so the
 * handshake fails verification, as it fails when libgit2 finds no
 * bundle.
 */
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int __real_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path);
int __real_mbedtls_x509_crt_parse_path(mbedtls_x509_crt *chain, const char *path);
void __real_mbedtls_x509_crt_free(mbedtls_x509_crt *crt);
int __real_mbedtls_ssl_handshake(mbedtls_ssl_context *ssl);

int __wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_path(mbedtls_x509_crt *chain, const char *path);
void __wrap_mbedtls_x509_crt_free(mbedtls_x509_crt *crt);
int __wrap_mbedtls_ssl_handshake(mbedtls_ssl_context *ssl);
void ca_lazy_load(void);

/* A chain to read, in the order asked. */
struct deferred_ca {
	mbedtls_x509_crt *chain;
	char *path;
	int directory;
	struct deferred_ca *next;
};

static struct deferred_ca *pending;
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;

static int read_now(mbedtls_x509_crt *chain, const char *path, int directory)
{
	return directory ? __real_mbedtls_x509_crt_parse_path(chain, path) :
			   __real_mbedtls_x509_crt_parse_file(chain, path);
}

static int defer(mbedtls_x509_crt *chain, const char *path, int directory)
{
	struct deferred_ca *d = malloc(sizeof(*d)), **tail;
	char *copy = path ? strdup(path) : NULL;

	if (!d || !copy) {
		free(d);
		free(copy);
		return read_now(chain, path, directory);
	}
	d->chain = chain;
	d->path = copy;
	d->directory = directory;
	d->next = NULL;
	pthread_mutex_lock(&pending_lock);
	for (tail = &pending; *tail; tail = &(*tail)->next)
		;
	*tail = d;
	pthread_mutex_unlock(&pending_lock);
	return 0;
}

int __wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path)
{
	return defer(chain, path, 0);
}

int __wrap_mbedtls_x509_crt_parse_path(mbedtls_x509_crt *chain, const char *path)
{
	return defer(chain, path, 1);
}

/* Reads every deferred chain: what a handshake needs first. */
void ca_lazy_load(void)
{
	struct deferred_ca *d;

	pthread_mutex_lock(&pending_lock);
	while ((d = pending)) {
		pending = d->next;
		read_now(d->chain, d->path, d->directory);
		free(d->path);
		free(d);
	}
	pthread_mutex_unlock(&pending_lock);
}

int __wrap_mbedtls_ssl_handshake(mbedtls_ssl_context *ssl)
{
	ca_lazy_load();
	return __real_mbedtls_ssl_handshake(ssl);
}

void __wrap_mbedtls_x509_crt_free(mbedtls_x509_crt *crt)
{
	struct deferred_ca **p, *d;

	pthread_mutex_lock(&pending_lock);
	for (p = &pending; (d = *p);) {
		if (d->chain == crt) {
			*p = d->next;
			free(d->path);
			free(d);
		} else {
			p = &d->next;
		}
	}
	pthread_mutex_unlock(&pending_lock);
	__real_mbedtls_x509_crt_free(crt);
}
