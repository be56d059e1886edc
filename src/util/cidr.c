/* SPDX-License-Identifier: Apache-2.0 */
/* cidr.c: address ranges for policies (cidr.h). */
#include "util/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"

int lv_cidr_address(const char *s, uint8_t out[16]) {
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton(AF_INET, s, &a4) == 1) {
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, &a4, 4);
    return LEVEE_OK;
  }
  if (inet_pton(AF_INET6, s, &a6) == 1) {
    memcpy(out, &a6, 16);
    return LEVEE_OK;
  }
  return LEVEE_EINVAL;
}

int lv_cidr_parse(const char *s, lv_cidr *out) {
  char host[64];
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (n == 0 || n >= sizeof host)
    return LEVEE_EINVAL;
  memcpy(host, s, n);
  host[n] = '\0';
  lv_cidr c;
  if (lv_cidr_address(host, c.addr))
    return LEVEE_EINVAL;
  int v4 = strchr(host, ':') == NULL;
  int max = v4 ? 32 : 128;
  int bits = max;
  if (slash) {
    const char *d = slash + 1;
    char *end;
    if (*d < '0' || *d > '9')
      return LEVEE_EINVAL;
    errno = 0;
    long b = strtol(d, &end, 10);
    if (errno || *end || b < 0 || b > max)
      return LEVEE_EINVAL;
    bits = (int)b;
  }
  c.bits = v4 ? bits + 96 : bits;
  for (int i = c.bits; i < 128; i++)
    if (c.addr[i / 8] & (0x80 >> (i % 8)))
      return LEVEE_EINVAL;
  *out = c;
  return LEVEE_OK;
}

int lv_cidr_contains(const lv_cidr *c, const uint8_t addr[16]) {
  int full = c->bits / 8, rest = c->bits % 8;
  if (memcmp(c->addr, addr, (size_t)full) != 0)
    return 0;
  if (rest) {
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    if ((c->addr[full] & mask) != (addr[full] & mask))
      return 0;
  }
  return 1;
}
