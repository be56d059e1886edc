/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_signing_key.c: the checkpoint signing key file
 * (src/store/signing_key.c), in a temporary directory: create then load
 * gives the same key, the file is 0600 under 0700 directories, files open
 * to others, malformed, truncated, of another version or with mismatched
 * halves are refused with a message and left as they were, and processes
 * racing to create the key end up sharing one.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "levee/levee.h"
#include "store/checkpoint.h"
#include "store/signing_key.h"

#define V1_LEN 229 /* "levee-signing-key-v1\n" + public + secret lines */

typedef struct fixture {
  char dir[64];
  char path[256]; /* dir/sub/key: the parents do not exist yet */
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  strcpy(f->dir, "/tmp/levee-test-signing-key-XXXXXX");
  if (sodium_init() < 0 || !mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
  snprintf(f->path, sizeof f->path, "%s/a/b/signing.key", f->dir);
  *state = f;
  return 0;
}

static int rm_one(const char *p, const struct stat *st, int type,
                  struct FTW *ftw) {
  (void)st;
  (void)type;
  (void)ftw;
  return remove(p);
}

static int teardown(void **state) {
  fixture *f = *state;
  int rc = nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return rc;
}

static size_t read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  ssize_t n = read(fd, buf, cap);
  assert_true(n >= 0);
  close(fd);
  return (size_t)n;
}

static void write_file(const char *path, const char *p, size_t n, int mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, p, n), (ssize_t)n);
  assert_int_equal(fchmod(fd, (mode_t)mode), 0);
  close(fd);
}

static int mode_of(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return (int)(st.st_mode & 07777);
}

/* A valid v1 file for the key derived from seed byte s. */
static void v1_text(uint8_t s, char out[V1_LEN + 1], lv_signing_key *k) {
  uint8_t seed[32];
  memset(seed, s, sizeof seed);
  crypto_sign_seed_keypair(k->public, k->secret, seed);
  char pub[65], sec[129];
  sodium_bin2hex(pub, sizeof pub, k->public, 32);
  sodium_bin2hex(sec, sizeof sec, k->secret, 64);
  int n = snprintf(out, V1_LEN + 1,
                   "levee-signing-key-v1\npublic %s\nsecret %s\n", pub, sec);
  assert_int_equal(n, V1_LEN);
}

static void test_create_then_load(void **state) {
  fixture *f = *state;
  lv_signing_key k1, k2;
  levee_error err = {0};
  int created = -1;
  assert_int_equal(lv_signing_key_load_or_create(f->path, &k1, &created, &err),
                   0);
  assert_int_equal(created, 1);
  assert_int_equal(err.status, 0); /* untouched on success */
  assert_int_equal(mode_of(f->path), 0600);
  /* The parents made for it are 0700. */
  char parent[300];
  snprintf(parent, sizeof parent, "%s/a", f->dir);
  assert_int_equal(mode_of(parent), 0700);
  snprintf(parent, sizeof parent, "%s/a/b", f->dir);
  assert_int_equal(mode_of(parent), 0700);

  created = -1;
  assert_int_equal(lv_signing_key_load_or_create(f->path, &k2, &created, &err),
                   0);
  assert_int_equal(created, 0);
  assert_memory_equal(&k1, &k2, sizeof k1);

  /* The file is exactly the documented text. */
  char text[512], want[V1_LEN + 1], pub_hex[65], sec_hex[129];
  size_t n = read_file(f->path, text, sizeof text);
  lv_signing_key_hex(k1.public, pub_hex);
  sodium_bin2hex(sec_hex, sizeof sec_hex, k1.secret, 64);
  snprintf(want, sizeof want, "levee-signing-key-v1\npublic %s\nsecret %s\n",
           pub_hex, sec_hex);
  assert_int_equal(n, V1_LEN);
  assert_memory_equal(text, want, V1_LEN);

  /* The public half alone. */
  uint8_t pub[32];
  assert_int_equal(lv_signing_key_load_public(f->path, pub, &err), 0);
  assert_memory_equal(pub, k1.public, 32);

  /* The key works: a checkpoint it signs checks with its public half. */
  lv_checkpoint c;
  memset(&c, 0, sizeof c);
  c.seq = 1;
  assert_int_equal(lv_checkpoint_sign(&c, k1.secret), 0);
  assert_int_equal(lv_checkpoint_check(&c, pub), 0);

  /* No temporary file is left beside it. */
  snprintf(parent, sizeof parent, "%s/a/b", f->dir);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = signing.key", parent);
  assert_int_equal(system(cmd), 0);

  lv_signing_key_wipe(&k1);
  uint8_t zero[sizeof k1] = {0};
  assert_memory_equal(&k1, zero, sizeof k1);
}

static void test_hex(void **state) {
  (void)state;
  uint8_t pub[32];
  for (int i = 0; i < 32; i++)
    pub[i] = (uint8_t)(i * 8 + 1);
  char out[65];
  lv_signing_key_hex(pub, out);
  assert_string_equal(
      out, "0109111921293139414951596169717981899199a1a9b1b9c1c9d1d9e1e9f1f9");
}

static void test_open_permissions_refused(void **state) {
  fixture *f = *state;
  lv_signing_key k, want;
  char text[V1_LEN + 1];
  snprintf(f->path, sizeof f->path, "%s/perm.key", f->dir);
  v1_text(7, text, &want);
  const int modes[] = {0644, 0640, 0604, 0660, 0602, 0620, 0610, 0601};
  for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
    write_file(f->path, text, V1_LEN, modes[i]);
    levee_error err = {0};
    int created = -1;
    assert_int_equal(lv_signing_key_load_or_create(f->path, &k, &created, &err),
                     LEVEE_EINVAL);
    assert_int_equal(err.status, LEVEE_EINVAL);
    assert_non_null(strstr(err.message, "group or others"));
    assert_non_null(strstr(err.message, "perm.key"));
    assert_int_equal(created, -1);
    /* Left alone: not replaced by a fresh key. */
    char now[512];
    assert_int_equal(read_file(f->path, now, sizeof now), V1_LEN);
    assert_memory_equal(now, text, V1_LEN);
    /* The public half may still be read by a verifier. */
    uint8_t pub[32];
    assert_int_equal(lv_signing_key_load_public(f->path, pub, &err), 0);
    assert_memory_equal(pub, want.public, 32);
  }
  /* 0600 and 0400 are accepted. */
  const int ok[] = {0600, 0400};
  for (size_t i = 0; i < 2; i++) {
    write_file(f->path, text, V1_LEN, ok[i]);
    int created = -1;
    assert_int_equal(lv_signing_key_load_or_create(f->path, &k, &created, NULL),
                     0);
    assert_int_equal(created, 0);
    assert_memory_equal(&k, &want, sizeof k);
  }
}

/* Writes text as the key file (0600) and expects it refused with status
 * and a message containing what. */
static void expect_refused(const char *path, const char *text, size_t n,
                           int status, const char *what) {
  write_file(path, text, n, 0600);
  lv_signing_key k;
  memset(&k, 0x77, sizeof k);
  lv_signing_key before = k;
  levee_error err = {0};
  int created = -1;
  int rc = lv_signing_key_load_or_create(path, &k, &created, &err);
  if (rc != status || !strstr(err.message, what))
    fail_msg("%.*s: got %d \"%s\", want %d \"%s\"", (int)(n < 40 ? n : 40),
             text, rc, err.message, status, what);
  assert_int_equal(created, -1);
  assert_memory_equal(&k, &before, sizeof k); /* OUT untouched */
  char now[8192];
  assert_int_equal(read_file(path, now, sizeof now), n);
  if (n)
    assert_memory_equal(now, text, n);
}

static void test_malformed_refused(void **state) {
  fixture *f = *state;
  lv_signing_key k;
  char good[V1_LEN + 1], bad[V1_LEN + 64];
  snprintf(f->path, sizeof f->path, "%s/bad.key", f->dir);
  v1_text(3, good, &k);

  expect_refused(f->path, "", 0, LEVEE_ESYNTAX, "not a levee signing key");
  expect_refused(f->path, "hello world\n", 12, LEVEE_ESYNTAX,
                 "not a levee signing key");
  expect_refused(f->path, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36,
                 LEVEE_ESYNTAX, "not a levee signing key");

  /* Every truncation of a good file. */
  for (size_t n = 1; n < V1_LEN; n++)
    expect_refused(f->path, good, n, LEVEE_ESYNTAX,
                   n < 19   ? "not a levee signing key"
                   : n < 21 ? "version"
                            : "malformed");

  /* Other versions. */
  memcpy(bad, good, V1_LEN);
  bad[19] = '2';
  expect_refused(f->path, bad, V1_LEN, LEVEE_ESYNTAX, "version");
  snprintf(bad, sizeof bad, "levee-signing-key-v10\n%s", good + 21);
  expect_refused(f->path, bad, strlen(bad), LEVEE_ESYNTAX, "version");

  /* Trailing data, CRLF, upper-case hex, a bad digit, a swapped label. */
  memcpy(bad, good, V1_LEN);
  bad[V1_LEN] = '\n';
  expect_refused(f->path, bad, V1_LEN + 1, LEVEE_ESYNTAX, "after the secret");
  snprintf(bad, sizeof bad, "%.20s\r\n%s", good, good + 21);
  expect_refused(f->path, bad, strlen(bad), LEVEE_ESYNTAX, "version");
  memcpy(bad, good, V1_LEN);
  for (size_t i = 28; i < 92; i++)
    if (bad[i] >= 'a' && bad[i] <= 'f') {
      bad[i] = (char)(bad[i] - 'a' + 'A');
      break;
    }
  expect_refused(f->path, bad, V1_LEN, LEVEE_ESYNTAX, "line 2");
  memcpy(bad, good, V1_LEN);
  bad[150] = 'g';
  expect_refused(f->path, bad, V1_LEN, LEVEE_ESYNTAX, "line 3");
  memcpy(bad, good, V1_LEN);
  memcpy(bad + 21, "secret", 6);
  expect_refused(f->path, bad, V1_LEN, LEVEE_ESYNTAX, "line 2");
  memcpy(bad, good, V1_LEN);
  bad[92] = ' ';
  expect_refused(f->path, bad, V1_LEN, LEVEE_ESYNTAX, "line 2");
  /* Longer than any v1 file: bounded read, refused. */
  char big[4096];
  memcpy(big, good, V1_LEN);
  memset(big + V1_LEN, 'x', sizeof big - V1_LEN);
  expect_refused(f->path, big, sizeof big, LEVEE_ESYNTAX, "after the secret");
}

static void test_mismatched_halves_refused(void **state) {
  fixture *f = *state;
  lv_signing_key a, b;
  char ta[V1_LEN + 1], tb[V1_LEN + 1], bad[V1_LEN + 1];
  snprintf(f->path, sizeof f->path, "%s/mismatch.key", f->dir);
  v1_text(1, ta, &a);
  v1_text(2, tb, &b);
  /* a's public line, b's secret line. */
  memcpy(bad, ta, V1_LEN);
  memcpy(bad + 93, tb + 93, V1_LEN - 93);
  expect_refused(f->path, bad, V1_LEN, LEVEE_EINVAL, "does not match");
  /* Public line and the secret's public half agree, but the seed is b's:
   * a secret key that disagrees with itself. */
  memcpy(bad, ta, V1_LEN);
  memcpy(bad + 100, tb + 100, 64); /* the seed's 64 hex digits */
  expect_refused(f->path, bad, V1_LEN, LEVEE_EINVAL, "does not match");
  /* The public reader does not check halves, but still parses strictly. */
  uint8_t pub[32];
  levee_error err = {0};
  assert_int_equal(lv_signing_key_load_public(f->path, pub, &err), 0);
  assert_memory_equal(pub, a.public, 32);
  write_file(f->path, ta, 50, 0644);
  assert_int_equal(lv_signing_key_load_public(f->path, pub, &err),
                   LEVEE_ESYNTAX);
}

static void test_missing_and_odd_paths(void **state) {
  fixture *f = *state;
  uint8_t pub[32];
  levee_error err = {0};
  char path[300];
  snprintf(path, sizeof path, "%s/none.key", f->dir);
  assert_int_equal(lv_signing_key_load_public(path, pub, &err),
                   LEVEE_ENOTFOUND);
  assert_non_null(strstr(err.message, "none.key"));
  /* A directory where the key should be. */
  lv_signing_key k;
  assert_int_equal(lv_signing_key_load_or_create(f->dir, &k, NULL, &err),
                   LEVEE_EINVAL);
  assert_non_null(strstr(err.message, "not a regular file"));
  /* A parent that is a file. */
  snprintf(path, sizeof path, "%s/plain", f->dir);
  write_file(path, "x", 1, 0600);
  snprintf(path, sizeof path, "%s/plain/sub/key", f->dir);
  assert_int_equal(lv_signing_key_load_or_create(path, &k, NULL, &err),
                   LEVEE_EIO);
  assert_non_null(strstr(err.message, "plain"));
  /* A key in the current directory (no slash in the name). */
  char cwd[4096];
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(f->dir), 0);
  int created = 0;
  int rc = lv_signing_key_load_or_create("here.key", &k, &created, &err);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(rc, 0);
  assert_int_equal(created, 1);
}

/* Processes started together all create-or-load one path: exactly one
 * creates, the others load its key, and none replaces it. */
static void test_concurrent_create(void **state) {
  fixture *f = *state;
  enum { N = 8 };
  int go[2], res[2];
  assert_int_equal(pipe(go), 0);
  assert_int_equal(pipe(res), 0);
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if (pids[i] == 0) {
      close(go[1]);
      close(res[0]);
      char c;
      if (read(go[0], &c, 1) != 0) /* wait for the start: EOF */
        _exit(3);
      lv_signing_key k;
      memset(&k, 0, sizeof k);
      int created = -1;
      uint8_t msg[1 + 32];
      int rc = lv_signing_key_load_or_create(f->path, &k, &created, NULL);
      msg[0] = rc == 0 ? (uint8_t)created : 0xff;
      memcpy(msg + 1, k.public, 32);
      ssize_t w = write(res[1], msg, sizeof msg);
      _exit(w == (ssize_t)sizeof msg ? 0 : 4);
    }
  }
  close(go[0]);
  close(res[1]);
  close(go[1]); /* start them all */
  uint8_t first[32];
  int creators = 0;
  for (int i = 0; i < N; i++) {
    uint8_t msg[33];
    assert_int_equal(read(res[0], msg, sizeof msg), (ssize_t)sizeof msg);
    assert_true(msg[0] == 0 || msg[0] == 1);
    creators += msg[0];
    if (i == 0)
      memcpy(first, msg + 1, 32);
    else
      assert_memory_equal(msg + 1, first, 32);
  }
  close(res[0]);
  for (int i = 0; i < N; i++) {
    int st;
    assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  assert_int_equal(creators, 1);
  uint8_t pub[32];
  assert_int_equal(lv_signing_key_load_public(f->path, pub, NULL), 0);
  assert_memory_equal(pub, first, 32);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create_then_load, setup, teardown),
      cmocka_unit_test(test_hex),
      cmocka_unit_test_setup_teardown(test_open_permissions_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_malformed_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mismatched_halves_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_missing_and_odd_paths, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_concurrent_create, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
