/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_merkle.c: the RFC 6962 Merkle tree hash of the audit log
 * (src/store/merkle.c): the Certificate Transparency reference roots, the
 * compact range against a plain recursive MTH at every size up to 300 and
 * at one large size, leaf/node domain separation and the empty tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"
#include "store/merkle.h"

/* The reference tree of RFC 6962 implementations: eight leaf inputs and
 * the root after each is appended. Taken from the certificate-transparency
 * reference tests (cpp/merkletree/merkle_tree_test.cc, as carried over in
 * google/trillian merkle/inmemory/merkle_tree_test.go, "rootsAtSize"), and
 * recomputed independently with a 10-line Python hashlib MTH before being
 * written here. */
static const char *const ct_inputs[8] = {"",
                                         "00",
                                         "10",
                                         "2021",
                                         "3031",
                                         "40414243",
                                         "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"};
static const char *const ct_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
/* SHA-256 of no bytes. */
static const char empty_root[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = strlen(s) / 2;
  assert_true(n <= cap);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
  return n;
}

static void hex(const uint8_t *p, size_t n, char *out) {
  for (size_t i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void assert_hash_hex(const uint8_t h[32], const char *want) {
  char got[65];
  hex(h, 32, got);
  assert_string_equal(got, want);
}

static int setup(void **state) {
  lv_sha256 *h = malloc(sizeof *h);
  if (!h || lv_sha256_init(h) != 0) {
    free(h);
    return -1;
  }
  *state = h;
  return 0;
}

static int teardown(void **state) {
  lv_sha256 *h = *state;
  lv_sha256_cleanup(h);
  free(h);
  return 0;
}

/* MTH of RFC 6962 section 2.1, straight from the definition: split at the
 * largest power of two below n. Independent of the compact range. */
static void reference_mth(lv_sha256 *h, const uint8_t (*leaves)[32], size_t n,
                          uint8_t out[32]) {
  if (n == 0) {
    assert_int_equal(lv_sha256_once("", 0, out), 0);
    return;
  }
  if (n == 1) {
    memcpy(out, leaves[0], 32);
    return;
  }
  size_t k = 1;
  while (k * 2 < n)
    k *= 2;
  uint8_t l[32], r[32], in[65];
  reference_mth(h, leaves, k, l);
  reference_mth(h, leaves + k, n - k, r);
  in[0] = 0x01;
  memcpy(in + 1, l, 32);
  memcpy(in + 33, r, 32);
  assert_int_equal(lv_sha256_once(in, sizeof in, out), 0);
}

static void test_ct_reference_roots(void **state) {
  lv_sha256 *h = *state;
  lv_merkle m;
  uint8_t root[32], rec[16], leaf[32];
  lv_merkle_init(&m);
  for (size_t i = 0; i < 8; i++) {
    size_t n = unhex(ct_inputs[i], rec, sizeof rec);
    lv_merkle_leaf(h, rec, n, leaf);
    assert_int_equal(lv_merkle_append(&m, h, leaf), 0);
    assert_int_equal(m.size, i + 1);
    lv_merkle_root(&m, h, root);
    assert_hash_hex(root, ct_roots[i]);
  }
  /* The first leaf is the empty record: its leaf hash is the size-1 root. */
  lv_merkle_leaf(h, NULL, 0, leaf);
  assert_hash_hex(leaf, ct_roots[0]);
}

static void test_empty_tree(void **state) {
  lv_sha256 *h = *state;
  lv_merkle m;
  uint8_t root[32];
  lv_merkle_init(&m);
  assert_int_equal(m.size, 0);
  assert_int_equal(m.depth, 0);
  lv_merkle_root(&m, h, root);
  assert_hash_hex(root, empty_root);
}

/* Every size 0..300, appended one at a time, against the recursive MTH;
 * the stack always holds popcount(size) subtrees. */
static void test_matches_reference_every_size(void **state) {
  lv_sha256 *h = *state;
  enum { N = 300 };
  static uint8_t leaves[N][32];
  lv_merkle m;
  uint8_t got[32], want[32];
  lv_merkle_init(&m);
  lv_merkle_root(&m, h, got);
  reference_mth(h, leaves, 0, want);
  assert_memory_equal(got, want, 32);
  for (size_t i = 0; i < N; i++) {
    uint8_t rec[4] = {(uint8_t)i, (uint8_t)(i >> 8), 0xa5, 0x5a};
    lv_merkle_leaf(h, rec, sizeof rec, leaves[i]);
    assert_int_equal(lv_merkle_append(&m, h, leaves[i]), 0);
    assert_int_equal(m.size, i + 1);
    assert_int_equal(m.depth, __builtin_popcountll(m.size));
    lv_merkle_root(&m, h, got);
    reference_mth(h, leaves, i + 1, want);
    assert_memory_equal(got, want, 32);
    /* root leaves the accumulator as it was */
    uint8_t again[32];
    lv_merkle_root(&m, h, again);
    assert_memory_equal(again, got, 32);
  }
}

/* A large size with many bits set, past the small sizes' carries. */
static void test_matches_reference_large(void **state) {
  lv_sha256 *h = *state;
  const size_t n = 100003; /* binary 11000011010100011 */
  uint8_t(*leaves)[32] = malloc(n * sizeof *leaves);
  assert_non_null(leaves);
  lv_merkle m;
  lv_merkle_init(&m);
  for (size_t i = 0; i < n; i++) {
    lv_merkle_leaf(h, &i, sizeof i, leaves[i]);
    assert_int_equal(lv_merkle_append(&m, h, leaves[i]), 0);
  }
  uint8_t got[32], want[32];
  lv_merkle_root(&m, h, got);
  reference_mth(h, (const uint8_t(*)[32])leaves, n, want);
  assert_memory_equal(got, want, 32);
  /* A changed leaf anywhere changes the root. */
  leaves[n / 3][7] ^= 1;
  lv_merkle_init(&m);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(lv_merkle_append(&m, h, leaves[i]), 0);
  lv_merkle_root(&m, h, want);
  assert_memory_not_equal(got, want, 32);
  free(leaves);
}

static void test_domain_separation(void **state) {
  lv_sha256 *h = *state;
  uint8_t l[32], r[32], node[32], leaf[32], plain[32], in[64];
  lv_merkle_leaf(h, "left", 4, l);
  lv_merkle_leaf(h, "right", 5, r);
  lv_merkle_node(h, l, r, node);
  /* A leaf whose record is l || r is not the node over l and r. */
  memcpy(in, l, 32);
  memcpy(in + 32, r, 32);
  lv_merkle_leaf(h, in, sizeof in, leaf);
  assert_memory_not_equal(leaf, node, 32);
  /* The leaf hash is not the plain hash of the record... */
  assert_int_equal(lv_sha256_once("left", 4, plain), 0);
  assert_memory_not_equal(plain, l, 32);
  /* ...but exactly SHA-256 of 0x00 || record, and the node 0x01 || l || r. */
  uint8_t pre[65] = {0x00, 'l', 'e', 'f', 't'};
  assert_int_equal(lv_sha256_once(pre, 5, plain), 0);
  assert_memory_equal(plain, l, 32);
  pre[0] = 0x01;
  memcpy(pre + 1, l, 32);
  memcpy(pre + 33, r, 32);
  assert_int_equal(lv_sha256_once(pre, sizeof pre, plain), 0);
  assert_memory_equal(plain, node, 32);
  /* Order matters. */
  uint8_t swapped[32];
  lv_merkle_node(h, r, l, swapped);
  assert_memory_not_equal(swapped, node, 32);
}

/* out may alias either input. */
static void test_node_aliasing(void **state) {
  lv_sha256 *h = *state;
  uint8_t l[32], r[32], want[32], a[32], b[32];
  lv_merkle_leaf(h, "a", 1, l);
  lv_merkle_leaf(h, "b", 1, r);
  lv_merkle_node(h, l, r, want);
  memcpy(a, l, 32);
  lv_merkle_node(h, a, r, a);
  assert_memory_equal(a, want, 32);
  memcpy(b, r, 32);
  lv_merkle_node(h, l, b, b);
  assert_memory_equal(b, want, 32);
}

static void test_full_tree_refuses(void **state) {
  lv_sha256 *h = *state;
  lv_merkle m;
  lv_merkle_init(&m);
  m.size = UINT64_MAX;
  m.depth = 64;
  lv_merkle before = m;
  uint8_t leaf[32] = {0};
  assert_int_equal(lv_merkle_append(&m, h, leaf), LEVEE_ETOOBIG);
  assert_memory_equal(&m, &before, sizeof m);
  /* One below the limit still appends, into the 64th stack entry. */
  lv_merkle_init(&m);
  m.size = UINT64_MAX - 1;
  m.depth = 63;
  assert_int_equal(lv_merkle_append(&m, h, leaf), 0);
  assert_int_equal(m.depth, 64);
  assert_true(m.size == UINT64_MAX);
  /* 2^63 - 1 leaves plus one: 63 carries fold the stack to one subtree. */
  lv_merkle_init(&m);
  m.size = (UINT64_C(1) << 63) - 1;
  m.depth = 63;
  assert_int_equal(lv_merkle_append(&m, h, leaf), 0);
  assert_int_equal(m.depth, 1);
  assert_true(m.size == UINT64_C(1) << 63);
}

/* lv_sha256 gathers small additions: however a message is cut, and
 * whatever a context held before begin, the hash is SHA-256's (FIPS 180-2
 * vectors: "abc", and a million "a"). */
static void test_sha256_any_cut(void **state) {
  lv_sha256 *h = *state;
  static const size_t cuts[] = {1, 9, 63, 64, 65, 511, 512, 513, 4096, 7};
  static char a[4096];
  memset(a, 'a', sizeof a);
  uint8_t out[32];
  lv_sha256_begin(h);
  lv_sha256_add(h, "left over", 9); /* begin forgets it */
  lv_sha256_begin(h);
  lv_sha256_add(h, "ab", 2);
  lv_sha256_add(h, "c", 1);
  lv_sha256_end(h, out);
  assert_hash_hex(
      out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  lv_sha256_begin(h);
  size_t done = 0;
  for (size_t i = 0; done < 1000000; i++) {
    size_t n = cuts[i % (sizeof cuts / sizeof *cuts)];
    if (n > 1000000 - done)
      n = 1000000 - done;
    lv_sha256_add(h, a, n);
    done += n;
  }
  lv_sha256_end(h, out);
  assert_hash_hex(
      out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ct_reference_roots),
      cmocka_unit_test(test_empty_tree),
      cmocka_unit_test(test_matches_reference_every_size),
      cmocka_unit_test(test_matches_reference_large),
      cmocka_unit_test(test_domain_separation),
      cmocka_unit_test(test_node_aliasing),
      cmocka_unit_test(test_full_tree_refuses),
      cmocka_unit_test(test_sha256_any_cut),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
