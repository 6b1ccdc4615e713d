/*
 * The CA bundle libgit2 reads at start (cmd/link/ca_lazy.c, linked with
 * the same --wrap options as escgate): a chain asked for is read only
 * before the first TLS handshake, into that same chain, and a chain
 * freed before then is never read.
 */
#define TEST_SUITE "ca_lazy"
#include "test.h"

#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdlib.h>
#include <unistd.h>

void ca_lazy_load(void);

/* A self-signed certificate made for this test (openssl req -x509, P-256). */
static const char test_ca[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBijCCATGgAwIBAgIUFlsfKopvJa8qPvJhonBA3fXBFoswCgYIKoZIzj0EAwIw\n"
	"GjEYMBYGA1UEAwwPZXNjZ2F0ZSB0ZXN0IENBMCAXDTI2MTEyNjEwMDYxOFoYDzIx\n"
	"MjYxMTAyMTAwNjE4WjAaMRgwFgYDVQQDDA9lc2NnYXRlIHRlc3QgQ0EwWTATBgcq\n"
	"hkjOPQIBBggqhkjOPQMBBwNCAAScFfwIlGJqZudl0ODd43GVQej4SmaNXmmFUdhk\n"
	"1jn1mreCab06gosZKGrxVmoLOPeGUb2DJNZY9HJW9vYns7EBo1MwUTAdBgNVHQ4E\n"
	"FgQUO6kT78re/caS4WDb8cadOuw8bEswHwYDVR0jBBgwFoAUO6kT78re/caS4WDb\n"
	"8cadOuw8bEswDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiA7fIxO\n"
	"BtqOjiE5nFmBkT9xzT6OIPNq5affbvwZNR9SlgIgMYxEU9zJPxYqPDDy49KJqd5P\n"
	"G056n1wHn1VYD+iy2Dw=\n"
	"-----END CERTIFICATE-----\n";

TEST(chain_read_before_the_first_handshake)
{
	char path[] = "/tmp/escgate-ca-XXXXXX";
	mbedtls_x509_crt chain, freed;
	mbedtls_ssl_context ssl;
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, test_ca, sizeof(test_ca) - 1) == (ssize_t)(sizeof(test_ca) - 1));
	if (fd >= 0)
		close(fd);
	mbedtls_x509_crt_init(&chain);
	mbedtls_x509_crt_init(&freed);
	/* at start: remembered, not read */
	CHECK_INT(mbedtls_x509_crt_parse_file(&chain, path), 0);
	CHECK_INT(mbedtls_x509_crt_parse_file(&freed, path), 0);
	CHECK_INT(chain.raw.len, 0);
	/* freed first: forgotten */
	mbedtls_x509_crt_free(&freed);
	/* a handshake (this one fails, unconfigured) reads what it will check against */
	mbedtls_ssl_init(&ssl);
	CHECK(mbedtls_ssl_handshake(&ssl) != 0);
	mbedtls_ssl_free(&ssl);
	CHECK(chain.raw.len > 0);
	CHECK(chain.next == NULL);
	CHECK_INT(freed.raw.len, 0);
	/* once: nothing is left to read */
	ca_lazy_load();
	CHECK(chain.next == NULL);
	mbedtls_x509_crt_free(&chain);
	unlink(path);
}

int main(void)
{
	RUN(chain_read_before_the_first_handshake);
	TEST_EXIT();
}
