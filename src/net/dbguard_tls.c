/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_tls.c: TLS between clients and the database guard (the client
 * asked with SSLRequest and the guard has a certificate). OpenSSL runs over
 * memory BIOs: bytes read from the socket go into one, plaintext comes out
 * into the connection's buffer; plaintext to send goes in, and the bytes
 * for the socket come out of the other. The connection to the database is
 * on the loopback or a private network and stays plain.
 */
#include <openssl/err.h>
#include <string.h>

#include "net/dbguard_int.h"
#include "util/error.h"

int dbg_tls_context(const char *cert, const char *key, SSL_CTX **out,
                    levee_error *err) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx)
    return lv_error_set(err, LEVEE_ENOMEM, "TLS: out of memory");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    char why[256];
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    SSL_CTX_free(ctx);
    return lv_error_set(err, LEVEE_EINVAL, "TLS certificate %s, key %s: %s",
                        cert, key, why);
  }
  *out = ctx;
  return LEVEE_OK;
}

int dbg_tls_start(dbg_conn *c) {
  SSL *ssl = SSL_new(c->srv->tls);
  BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
  if (!ssl || !rbio || !wbio) {
    SSL_free(ssl);
    BIO_free(rbio);
    BIO_free(wbio);
    return -1;
  }
  SSL_set_bio(ssl, rbio, wbio);
  SSL_set_accept_state(ssl);
  c->ssl = ssl;
  return 0;
}

int dbg_tls_input(dbg_conn *c, const char *data, size_t len) {
  if (BIO_write(SSL_get_rbio(c->ssl), data, (int)len) != (int)len)
    return -1;
  for (;;) {
    if (lv_buf_reserve(&c->cin, 16384))
      return -1;
    int n = SSL_read(c->ssl, c->cin.data + c->cin.len,
                     (int)(c->cin.cap - c->cin.len));
    if (n > 0) {
      c->cin.len += (size_t)n;
      continue;
    }
    int e = SSL_get_error(c->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
      break;
    if (e == SSL_ERROR_ZERO_RETURN)
      return -1;
    char why[256];
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    dbg_log("connection %u: TLS: %s", c->id, why);
    return -1;
  }
  c->ssl_handshaken = SSL_is_init_finished(c->ssl);
  return 0;
}

int dbg_tls_output(dbg_conn *c, lv_buf *out) {
  if (c->cout.len) {
    if (!SSL_is_init_finished(c->ssl))
      return 0; /* after the handshake */
    int n = SSL_write(c->ssl, c->cout.data, (int)c->cout.len);
    if (n <= 0 || (size_t)n != c->cout.len)
      return -1; /* memory BIOs take everything */
    lv_buf_reset(&c->cout);
  }
  BIO *wbio = SSL_get_wbio(c->ssl);
  size_t pending = BIO_ctrl_pending(wbio);
  if (pending) {
    if (lv_buf_reserve(out, pending))
      return -1;
    int n = BIO_read(wbio, out->data + out->len, (int)pending);
    if (n > 0)
      out->len += (size_t)n;
  }
  return 0;
}
