/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cidr.h: address ranges ("10.8.0.0/16", "fd00::/8", or one address), as a
 * policy names the VPN range or the jump hosts a database guard rule is
 * for. An IPv4 address also matches as its IPv4-mapped IPv6 form
 * (::ffff:10.8.1.2), as a dual-stack listener reports it.
 */
#ifndef LV_UTIL_CIDR_H
#define LV_UTIL_CIDR_H

#include <stdint.h>

typedef struct lv_cidr {
  uint8_t addr[16]; /* IPv6, or IPv4-mapped IPv6 */
  int bits;         /* prefix length over the 128 bits */
} lv_cidr;

/* Parses "ADDR" or "ADDR/BITS". Returns 0, or LEVEE_EINVAL. The host bits
 * past the prefix must be zero ("10.8.1.0/16" is refused: a typo). */
int lv_cidr_parse(const char *s, lv_cidr *out);

/* An address in text form ("10.8.1.2", "::1") as 16 bytes. Returns 0, or
 * LEVEE_EINVAL. */
int lv_cidr_address(const char *s, uint8_t out[16]);

/* Whether the 16-byte address is inside c. */
int lv_cidr_contains(const lv_cidr *c, const uint8_t addr[16]);

#endif
