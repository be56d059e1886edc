/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_checkpoint.c: signed checkpoints of the audit log
 * (src/store/checkpoint.c): the exact v1 encoding, sign then check, any
 * changed byte of any field or of the signature failing the check, another
 * key failing, and the chain link changing with anything signed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "levee/levee.h"
#include "store/checkpoint.h"

typedef struct fixture {
  lv_sha256 h;
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  uint8_t pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f || sodium_init() < 0 || lv_sha256_init(&f->h) != 0) {
    free(f);
    return -1;
  }
  /* Fixed seeds: the same keys every run. */
  uint8_t seed[crypto_sign_SEEDBYTES];
  memset(seed, 0x11, sizeof seed);
  crypto_sign_seed_keypair(f->pk, f->sk, seed);
  memset(seed, 0x22, sizeof seed);
  crypto_sign_seed_keypair(f->pk2, f->sk2, seed);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  lv_sha256_cleanup(&f->h);
  free(f);
  return 0;
}

static lv_checkpoint sample(void) {
  lv_checkpoint c;
  memset(&c, 0, sizeof c);
  c.seq = 0x0102030405060708u;
  c.size = 1000003;
  for (int i = 0; i < 32; i++) {
    c.root[i] = (uint8_t)(0xa0 + i);
    c.prev[i] = (uint8_t)(0x40 + i);
  }
  c.time_ms = -2; /* before 1970: the sign must survive the encoding */
  return c;
}

static void test_encoding_is_exact(void **state) {
  (void)state;
  lv_checkpoint c = sample();
  uint8_t got[LV_CHECKPOINT_ENCODED_LEN], want[LV_CHECKPOINT_ENCODED_LEN];
  assert_int_equal(LV_CHECKPOINT_ENCODED_LEN, 108);
  size_t o = 0;
  memcpy(want, "levee-checkpoint-v1\n", 20);
  o = 20;
  const uint8_t seq[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  memcpy(want + o, seq, 8);
  o += 8;
  const uint8_t size[8] = {0, 0, 0, 0, 0, 0x0f, 0x42, 0x43}; /* 1000003 */
  memcpy(want + o, size, 8);
  o += 8;
  memcpy(want + o, c.root, 32);
  o += 32;
  memset(want + o, 0xff, 7);
  want[o + 7] = 0xfe; /* -2 */
  o += 8;
  memcpy(want + o, c.prev, 32);
  o += 32;
  assert_int_equal(o, sizeof want);
  lv_checkpoint_encode(&c, got);
  assert_memory_equal(got, want, sizeof want);
  /* The signature is not part of what is signed. */
  memset(c.sig, 0x5c, sizeof c.sig);
  lv_checkpoint_encode(&c, got);
  assert_memory_equal(got, want, sizeof want);
}

static void test_sign_then_check(void **state) {
  fixture *f = *state;
  lv_checkpoint c = sample();
  assert_int_equal(lv_checkpoint_sign(&c, f->sk), 0);
  assert_int_equal(lv_checkpoint_check(&c, f->pk), 0);
  /* The signature is Ed25519 over exactly the encoding. */
  uint8_t msg[LV_CHECKPOINT_ENCODED_LEN];
  lv_checkpoint_encode(&c, msg);
  assert_int_equal(crypto_sign_verify_detached(c.sig, msg, sizeof msg, f->pk),
                   0);
  /* Ed25519 is deterministic: signing again gives the same bytes. */
  lv_checkpoint d = c;
  memset(d.sig, 0, sizeof d.sig);
  assert_int_equal(lv_checkpoint_sign(&d, f->sk), 0);
  assert_memory_equal(d.sig, c.sig, sizeof c.sig);
}

static void test_other_key_fails(void **state) {
  fixture *f = *state;
  lv_checkpoint c = sample();
  assert_int_equal(lv_checkpoint_sign(&c, f->sk), 0);
  assert_int_equal(lv_checkpoint_check(&c, f->pk2), LEVEE_ETAMPER);
  lv_checkpoint d = sample();
  assert_int_equal(lv_checkpoint_sign(&d, f->sk2), 0);
  assert_int_equal(lv_checkpoint_check(&d, f->pk), LEVEE_ETAMPER);
  assert_int_equal(lv_checkpoint_check(&d, f->pk2), 0);
  /* An all-zero signature, and an all-zero (invalid) public key. */
  memset(d.sig, 0, sizeof d.sig);
  assert_int_equal(lv_checkpoint_check(&d, f->pk2), LEVEE_ETAMPER);
  uint8_t zero_pk[32] = {0};
  assert_int_equal(lv_checkpoint_sign(&c, f->sk), 0);
  assert_int_equal(lv_checkpoint_check(&c, zero_pk), LEVEE_ETAMPER);
}

/* One bit flipped in byte i of the field at [off, off + len) of c, as
 * memory: for the integers that is one byte of the value, whichever the
 * byte order. */
static lv_checkpoint flipped(const lv_checkpoint *c, size_t off, size_t i,
                             uint8_t bit) {
  lv_checkpoint d = *c;
  ((uint8_t *)&d)[off + i] ^= bit;
  return d;
}

typedef struct field {
  const char *name;
  size_t off, len;
} field;

static const field fields[] = {
    {"seq", offsetof(lv_checkpoint, seq), sizeof(uint64_t)},
    {"size", offsetof(lv_checkpoint, size), sizeof(uint64_t)},
    {"root", offsetof(lv_checkpoint, root), 32},
    {"time_ms", offsetof(lv_checkpoint, time_ms), sizeof(int64_t)},
    {"prev", offsetof(lv_checkpoint, prev), 32},
    {"sig", offsetof(lv_checkpoint, sig), 64},
};

static void test_any_changed_byte_fails(void **state) {
  fixture *f = *state;
  lv_checkpoint c = sample();
  assert_int_equal(lv_checkpoint_sign(&c, f->sk), 0);
  uint8_t link[32];
  lv_checkpoint_hash(&f->h, &c, link);
  size_t tried = 0;
  for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
    for (size_t i = 0; i < fields[k].len; i++) {
      const uint8_t bits[] = {0x01, 0x80};
      for (size_t b = 0; b < sizeof bits; b++) {
        lv_checkpoint d = flipped(&c, fields[k].off, i, bits[b]);
        if (lv_checkpoint_check(&d, f->pk) != LEVEE_ETAMPER)
          fail_msg("%s byte %zu bit %02x: check passed", fields[k].name, i,
                   bits[b]);
        uint8_t other[32];
        lv_checkpoint_hash(&f->h, &d, other);
        if (memcmp(other, link, 32) == 0)
          fail_msg("%s byte %zu: link unchanged", fields[k].name, i);
        tried++;
      }
    }
  }
  assert_int_equal(tried, 2 * (8 + 8 + 32 + 8 + 32 + 64));
  /* And the untouched checkpoint still checks. */
  assert_int_equal(lv_checkpoint_check(&c, f->pk), 0);
}

/* The link is SHA-256(encoding || sig), and carries a chain. */
static void test_chain_link(void **state) {
  fixture *f = *state;
  lv_checkpoint c1;
  memset(&c1, 0, sizeof c1);
  c1.seq = 1;
  c1.size = 10;
  memset(c1.root, 0x33, 32);
  c1.time_ms = 1700000000000;
  assert_int_equal(lv_checkpoint_sign(&c1, f->sk), 0);
  uint8_t link1[32], want[32], buf[LV_CHECKPOINT_ENCODED_LEN + 64];
  lv_checkpoint_hash(&f->h, &c1, link1);
  lv_checkpoint_encode(&c1, buf);
  memcpy(buf + LV_CHECKPOINT_ENCODED_LEN, c1.sig, 64);
  assert_int_equal(lv_sha256_once(buf, sizeof buf, want), 0);
  assert_memory_equal(link1, want, 32);

  lv_checkpoint c2;
  memset(&c2, 0, sizeof c2);
  c2.seq = 2;
  c2.size = 25;
  memset(c2.root, 0x44, 32);
  c2.time_ms = 1700000060000;
  memcpy(c2.prev, link1, 32);
  assert_int_equal(lv_checkpoint_sign(&c2, f->sk), 0);
  assert_int_equal(lv_checkpoint_check(&c2, f->pk), 0);

  /* A re-signed c1 with another size is valid on its own, but its link no
   * longer matches what c2 carries: replacing one checkpoint breaks the
   * next one's link. */
  lv_checkpoint forged = c1;
  forged.size = 9;
  assert_int_equal(lv_checkpoint_sign(&forged, f->sk), 0);
  assert_int_equal(lv_checkpoint_check(&forged, f->pk), 0);
  uint8_t link_forged[32];
  lv_checkpoint_hash(&f->h, &forged, link_forged);
  assert_memory_not_equal(link_forged, c2.prev, 32);
  /* The same checkpoint signed by another key links differently too. */
  lv_checkpoint other = c1;
  assert_int_equal(lv_checkpoint_sign(&other, f->sk2), 0);
  lv_checkpoint_hash(&f->h, &other, link_forged);
  assert_memory_not_equal(link_forged, c2.prev, 32);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encoding_is_exact),
      cmocka_unit_test(test_sign_then_check),
      cmocka_unit_test(test_other_key_fails),
      cmocka_unit_test(test_any_changed_byte_fails),
      cmocka_unit_test(test_chain_link),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
