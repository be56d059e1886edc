/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_int.h: the compiled engine, shared by engine.c (compile) and
 * scanner.c (inspect). Immutable after compile; reference-counted.
 */
#ifndef LV_CORE_ENGINE_INT_H
#define LV_CORE_ENGINE_INT_H

#include <hs/hs.h>
#include <stdatomic.h>

#include "core/policy.h"
#include "detect/detector.h"

struct levee_engine {
  atomic_int refs;
  levee_policy *policy; /* a reference */
  lv_detector_inst *dets;
  size_t n_dets;
  lv_pattern_info *pats; /* by global pattern id */
  size_t n_pats;
  hs_database_t *lit_db; /* literals (hs_compile_lit_multi); may be NULL */
  hs_database_t *re_db;  /* regexes and combinations; may be NULL */
  int from_cache;
  char key[65]; /* hex SHA-256 of everything compiled in */
};

/* The built-in detectors, in a fixed order (registry.c). */
extern const lv_detector_ops *const lv_builtin_detectors[];
extern const size_t lv_n_builtin_detectors;
/* The ops of custom keyword lists (keyword_list.c). */
extern const lv_detector_ops lv_keyword_list_detector;

#endif
