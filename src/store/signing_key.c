/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signing_key.c: creating, reading and checking the checkpoint signing key
 * file (signing_key.h).
 *
 * Creation never leaves a half-written key under the final name and never
 * replaces a key: the key is written and fsynced under a temporary name
 * (O_CREAT|O_EXCL, 0600), then linked to the final name. link(2), unlike
 * rename(2), fails when the name exists, so of two processes creating the
 * key at once the second finds the first's key and loads it. Then the
 * directory is fsynced so the name survives a crash.
 *
 * Reading is bounded by the format itself: the v1 file has a fixed length,
 * and one byte more is read to notice anything longer.
 */
#include "store/signing_key.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

_Static_assert(LV_SIGNING_KEY_PUBLIC_LEN == crypto_sign_PUBLICKEYBYTES,
               "Ed25519 public key");
_Static_assert(LV_SIGNING_KEY_SECRET_LEN == crypto_sign_SECRETKEYBYTES,
               "Ed25519 secret key, libsodium form");

#define KEY_MAGIC "levee-signing-key-v"
#define KEY_VERSION "1\n"
#define KEY_PUBLIC "public "
#define KEY_SECRET "secret "
/* The whole v1 file. */
#define KEY_FILE_LEN                                                           \
  (sizeof KEY_MAGIC - 1 + sizeof KEY_VERSION - 1 + sizeof KEY_PUBLIC - 1 +     \
   2 * (size_t)LV_SIGNING_KEY_PUBLIC_LEN + 1 + sizeof KEY_SECRET - 1 +         \
   2 * (size_t)LV_SIGNING_KEY_SECRET_LEN + 1)

/* --- the text format ------------------------------------------------------ */

/* A bounds-checked reader over the file's bytes. */
typedef struct cursor {
  const char *p;
  size_t n, off;
} cursor;

static int take_literal(cursor *c, const char *lit) {
  size_t k = strlen(lit);
  if (c->n - c->off < k || memcmp(c->p + c->off, lit, k) != 0)
    return 0;
  c->off += k;
  return 1;
}

/* Exactly 2 * len lowercase hex digits into out[0..len). */
static int take_hex(cursor *c, uint8_t *out, size_t len) {
  size_t k = 2 * len;
  if (c->n - c->off < k)
    return 0;
  const char *s = c->p + c->off;
  for (size_t i = 0; i < k; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  size_t got = 0;
  if (sodium_hex2bin(out, len, s, k, NULL, &got, NULL) != 0 || got != len)
    return 0;
  c->off += k;
  return 1;
}

/* Parses the file's bytes into out (both halves, not yet checked against
 * each other). */
static int parse_key(const char *path, const char *text, size_t n,
                     lv_signing_key *out, levee_error *err) {
  cursor c = {text, n, 0};
  if (!take_literal(&c, KEY_MAGIC))
    return lv_error_set(err, LEVEE_ESYNTAX, "%s: not a levee signing key file",
                        path);
  if (!take_literal(&c, KEY_VERSION))
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "%s: unsupported signing key file version (this "
                        "levee reads %s1)",
                        path, KEY_MAGIC);
  if (!take_literal(&c, KEY_PUBLIC) ||
      !take_hex(&c, out->public, sizeof out->public) || !take_literal(&c, "\n"))
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "%s: malformed signing key file: line 2 must be "
                        "\"public\" and %zu lowercase hex digits",
                        path, 2 * sizeof out->public);
  if (!take_literal(&c, KEY_SECRET) ||
      !take_hex(&c, out->secret, sizeof out->secret) || !take_literal(&c, "\n"))
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "%s: malformed signing key file: line 3 must be "
                        "\"secret\" and %zu lowercase hex digits",
                        path, 2 * sizeof out->secret);
  if (c.off != c.n)
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "%s: malformed signing key file: data after the "
                        "secret key",
                        path);
  return LEVEE_OK;
}

/* The secret key must be the one its seed derives, and its public half
 * the stored public key: a key that disagrees with itself would sign
 * checkpoints that do not verify. */
static int check_halves(const char *path, const lv_signing_key *k,
                        levee_error *err) {
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  uint8_t seed[crypto_sign_SEEDBYTES];
  int rc = LEVEE_OK;
  if (crypto_sign_ed25519_sk_to_seed(seed, k->secret) != 0 ||
      crypto_sign_seed_keypair(pk, sk, seed) != 0) {
    rc = lv_error_set(err, LEVEE_EINVAL, "%s: cannot derive the public key",
                      path);
    goto out;
  }
  if (sodium_memcmp(sk, k->secret, sizeof sk) != 0 ||
      sodium_memcmp(pk, k->public, sizeof pk) != 0)
    rc = lv_error_set(err, LEVEE_EINVAL,
                      "%s: the public key does not match the secret key", path);
out:
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(sk, sizeof sk);
  return rc;
}

/* text[0..KEY_FILE_LEN): the file for k. */
static void format_key(const lv_signing_key *k, char text[KEY_FILE_LEN + 1]) {
  char *p = text;
  memcpy(p, KEY_MAGIC KEY_VERSION KEY_PUBLIC,
         sizeof(KEY_MAGIC KEY_VERSION KEY_PUBLIC) - 1);
  p += sizeof(KEY_MAGIC KEY_VERSION KEY_PUBLIC) - 1;
  sodium_bin2hex(p, 2 * sizeof k->public + 1, k->public, sizeof k->public);
  p += 2 * sizeof k->public;
  *p++ = '\n';
  memcpy(p, KEY_SECRET, sizeof KEY_SECRET - 1);
  p += sizeof KEY_SECRET - 1;
  sodium_bin2hex(p, 2 * sizeof k->secret + 1, k->secret, sizeof k->secret);
  p += 2 * sizeof k->secret;
  *p++ = '\n';
  *p = '\0';
}

/* --- files ---------------------------------------------------------------- */

/* Reads the key file into k. strict: refuse a file others may read or
 * write. LEVEE_ENOTFOUND (message set) when there is no file. */
static int read_key(const char *path, int strict, lv_signing_key *k,
                    levee_error *err) {
  /* One byte over the v1 length, to notice a longer file. */
  char text[KEY_FILE_LEN + 1];
  size_t n = 0;
  int rc = LEVEE_OK;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    return lv_error_set(err, e == ENOENT ? LEVEE_ENOTFOUND : LEVEE_EIO,
                        "%s: %s", path, strerror(e));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    rc = lv_error_set(err, LEVEE_EIO, "%s: %s", path, strerror(errno));
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = lv_error_set(err, LEVEE_EINVAL, "%s: not a regular file", path);
    goto out;
  }
  if (strict && (st.st_mode & (S_IRWXG | S_IRWXO))) {
    rc = lv_error_set(err, LEVEE_EINVAL,
                      "%s: signing key file is open to group or others "
                      "(mode %04o); it must be 0600",
                      path, (unsigned)(st.st_mode & 07777));
    goto out;
  }
  while (n < sizeof text) {
    ssize_t r = read(fd, text + n, sizeof text - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      rc = lv_error_set(err, LEVEE_EIO, "%s: %s", path, strerror(errno));
      goto out;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  rc = parse_key(path, text, n, k, err);
out:
  sodium_memzero(text, sizeof text);
  close(fd);
  return rc;
}

static int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int r = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

/* The directory holding the last component of path[0..len): "." or "/"
 * when there is no other. buf has room for PATH_MAX bytes. */
static void parent_of(const char *path, size_t len, char *buf) {
  size_t i = len;
  while (i > 0 && path[i - 1] != '/')
    i--;
  while (i > 1 && path[i - 1] == '/')
    i--;
  if (i == 0) {
    memcpy(buf, ".", 2);
    return;
  }
  memcpy(buf, path, i);
  buf[i] = '\0';
}

/* Creates the missing directories above path's last component, mode 0700,
 * and fsyncs the parent of each one made. */
static int make_parents(const char *path, levee_error *err) {
  char dir[PATH_MAX], up[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof dir)
    return lv_error_set(err, LEVEE_EINVAL, "%s: path too long", path);
  memcpy(dir, path, len + 1);
  for (size_t i = 1; i < len; i++) {
    if (dir[i] != '/' || dir[i - 1] == '/')
      continue;
    dir[i] = '\0';
    if (mkdir(dir, 0700) == 0) {
      parent_of(dir, i, up);
      if (fsync_dir(up) != 0)
        return lv_error_set(err, LEVEE_EIO, "%s: %s", up, strerror(errno));
    } else if (errno != EEXIST) {
      return lv_error_set(err, LEVEE_EIO, "%s: %s", dir, strerror(errno));
    }
    dir[i] = '/';
  }
  return LEVEE_OK;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t r = write(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* Makes a new key and publishes it at path. Returns 0 and the key in out,
 * 1 if a key file appeared at path meanwhile (nothing written), or an
 * error. */
static int create_key(const char *path, lv_signing_key *out, levee_error *err) {
  lv_signing_key k;
  char text[KEY_FILE_LEN + 1], tmp[PATH_MAX], dir[PATH_MAX];
  int fd = -1, tmp_made = 0, rc;
  if ((rc = make_parents(path, err)) != 0)
    goto out;
  crypto_sign_keypair(k.public, k.secret);
  format_key(&k, text);
  int w = snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%08x", path, (long)getpid(),
                   (unsigned)randombytes_random());
  if (w < 0 || (size_t)w >= sizeof tmp) {
    rc = lv_error_set(err, LEVEE_EINVAL, "%s: path too long", path);
    goto out;
  }
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    rc = lv_error_set(err, LEVEE_EIO, "%s: %s", tmp, strerror(errno));
    goto out;
  }
  tmp_made = 1;
  /* 0600 whatever the umask. */
  if (fchmod(fd, 0600) != 0 || write_all(fd, text, KEY_FILE_LEN) != 0 ||
      fsync(fd) != 0) {
    rc = lv_error_set(err, LEVEE_EIO, "%s: %s", tmp, strerror(errno));
    goto out;
  }
  int cr = close(fd);
  fd = -1;
  if (cr != 0) {
    rc = lv_error_set(err, LEVEE_EIO, "%s: %s", tmp, strerror(errno));
    goto out;
  }
  if (link(tmp, path) != 0) {
    rc = errno == EEXIST
             ? 1
             : lv_error_set(err, LEVEE_EIO, "%s: %s", path, strerror(errno));
    goto out;
  }
  (void)unlink(tmp);
  tmp_made = 0;
  parent_of(path, strlen(path), dir);
  if (fsync_dir(dir) != 0) {
    rc = lv_error_set(err, LEVEE_EIO, "%s: %s", dir, strerror(errno));
    goto out;
  }
  *out = k;
  rc = LEVEE_OK;
out:
  if (fd >= 0)
    close(fd);
  if (tmp_made)
    (void)unlink(tmp);
  sodium_memzero(text, sizeof text);
  lv_signing_key_wipe(&k);
  return rc;
}

/* --- the interface ------------------------------------------------------- */

int lv_signing_key_load_or_create(const char *path, lv_signing_key *out,
                                  int *created, levee_error *err) {
  lv_signing_key k;
  int rc = LEVEE_ENOTFOUND, made = 0;
  if (sodium_init() < 0)
    return lv_error_set(err, LEVEE_ENOMEM, "libsodium failed to initialise");
  /* A second pass only when another process created the file between our
   * look and our link. */
  for (int pass = 0; pass < 2 && rc == LEVEE_ENOTFOUND; pass++) {
    /* No file is not an error here: err hears only of real failures. */
    levee_error e;
    rc = read_key(path, 1, &k, &e);
    if (rc == LEVEE_OK)
      rc = check_halves(path, &k, &e);
    if (rc != LEVEE_OK && rc != LEVEE_ENOTFOUND && err)
      *err = e;
    if (rc != LEVEE_ENOTFOUND)
      break;
    rc = create_key(path, &k, err);
    if (rc == 1) {
      rc = LEVEE_ENOTFOUND; /* lost the race: load the winner's key */
      continue;
    }
    made = rc == LEVEE_OK;
  }
  if (rc == LEVEE_ENOTFOUND)
    rc = lv_error_set(err, LEVEE_EIO,
                      "%s: key file appeared and vanished while creating it",
                      path);
  if (rc == LEVEE_OK) {
    *out = k;
    if (created)
      *created = made;
  }
  lv_signing_key_wipe(&k);
  return rc;
}

int lv_signing_key_load_public(const char *path,
                               uint8_t pub[LV_SIGNING_KEY_PUBLIC_LEN],
                               levee_error *err) {
  lv_signing_key k;
  int rc = read_key(path, 0, &k, err);
  if (rc == LEVEE_OK)
    memcpy(pub, k.public, sizeof k.public);
  lv_signing_key_wipe(&k);
  return rc;
}

void lv_signing_key_hex(const uint8_t pub[LV_SIGNING_KEY_PUBLIC_LEN],
                        char out[2 * LV_SIGNING_KEY_PUBLIC_LEN + 1]) {
  sodium_bin2hex(out, 2 * LV_SIGNING_KEY_PUBLIC_LEN + 1, pub,
                 LV_SIGNING_KEY_PUBLIC_LEN);
}

void lv_signing_key_wipe(lv_signing_key *k) {
  sodium_memzero(k, sizeof *k);
}
