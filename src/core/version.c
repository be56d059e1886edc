/* SPDX-License-Identifier: Apache-2.0 */
/* version.c: the library version string. */
#include "levee/levee.h"

const char *levee_version(void) {
  return "0.1.0";
}
