/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extract.c: attachments to text (extract.h). Plain text is decoded here;
 * anything else goes to the extraction module, levee-extract.so, opened
 * the first time one needs it (extract_module.h says why it is apart).
 */
#include "extract/extract.h"

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract/extract_module.h"
#include "extract/sniff.h"
#include "extract/text_decode.h"
#include "util/dl_table.h"
#include "util/clock.h"
#include "util/error.h"

struct lv_extractor {
  void *state; /* the module's, made with the first attachment it reads */
};

typedef struct module_table {
  const lv_extract_module *m;
} module_table;

static const lv_dl_symbol module_symbols[] = {
    {LV_EXTRACT_MODULE_SYMBOL, offsetof(module_table, m)}};

static module_table module;
static int module_status = LEVEE_OK;
static char module_message[sizeof(((levee_error *)0)->message)];
static pthread_once_t module_once = PTHREAD_ONCE_INIT;

/* LEVEE_EXTRACT_MODULE, or the module beside the running binary. */
static int module_path(char *path, size_t cap) {
  const char *env = getenv("LEVEE_EXTRACT_MODULE");
  if (env && *env)
    return snprintf(path, cap, "%s", env) < (int)cap ? 0 : -1;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return -1;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash)
    return -1;
  *slash = '\0';
  return snprintf(path, cap, "%s/%s", exe, LV_EXTRACT_MODULE_FILE) < (int)cap
             ? 0
             : -1;
}

static void load_module(void) {
  char path[PATH_MAX + 64], why[PATH_MAX + 128];
  if (module_path(path, sizeof path)) {
    snprintf(module_message, sizeof module_message,
             "cannot find %s (set LEVEE_EXTRACT_MODULE)",
             LV_EXTRACT_MODULE_FILE);
    module_status = LEVEE_EIO;
    return;
  }
  if (lv_dl_table(path, module_symbols, 1, &module, why, sizeof why)) {
    snprintf(module_message, sizeof module_message,
             "%.200s: images, office documents and PDF cannot be read", why);
    module_status = LEVEE_EIO;
    return;
  }
  if (module.m->version != LV_EXTRACT_MODULE_VERSION) {
    snprintf(module_message, sizeof module_message,
             "%.200s is version %d, this levee needs %d", path,
             module.m->version, LV_EXTRACT_MODULE_VERSION);
    module_status = LEVEE_EIO;
  }
}

void lv_extract_single_thread_ocr(void) {
  (void)setenv("OMP_THREAD_LIMIT", "1", 0);
}

int lv_extractor_new(lv_extractor **out) {
  lv_extractor *x = calloc(1, sizeof *x);
  if (!x)
    return LEVEE_ENOMEM;
  *out = x;
  return LEVEE_OK;
}

void lv_extractor_free(lv_extractor *x) {
  if (!x)
    return;
  if (x->state)
    module.m->state_free(x->state);
  free(x);
}

int lv_extract(lv_extractor *x, const void *bytes, size_t n, lv_arena *a,
               levee_str *text, lv_extract_info *info, levee_error *err) {
  const char *kind = lv_extract_sniff(bytes, n);
  if (!kind) {
    /* Plain text, or nothing levee reads. */
    int64_t start = lv_now_ms();
    memset(info, 0, sizeof *info);
    text->ptr = NULL;
    text->len = 0;
    const char *enc = NULL;
    int rc = lv_text_decode(bytes, n, a, text, &enc, err);
    if (!rc) {
      info->kind = "text";
      info->format = enc;
    } else if (rc == LEVEE_EENCODING) {
      lv_error_set(err, rc, "a file of no format levee reads");
    }
    info->ms = lv_now_ms() - start;
    return rc;
  }
  pthread_once(&module_once, load_module);
  int rc = module_status;
  if (!rc && !x->state && module.m->state_new(&x->state))
    rc = LEVEE_ENOMEM;
  if (rc) {
    memset(info, 0, sizeof *info);
    info->kind = kind;
    text->ptr = NULL;
    text->len = 0;
    return rc == LEVEE_ENOMEM ? lv_error_set(err, rc, "out of memory")
                              : lv_error_set(err, rc, "%s", module_message);
  }
  return module.m->extract(x->state, bytes, n, a, text, info, err);
}

int lv_extract_image_hashes(const void *bytes, size_t n,
                            uint64_t hashes[LV_PHASH_VARIANTS], size_t *count,
                            levee_error *err) {
  if (!lv_image_kind(bytes, n))
    return lv_error_set(err, LEVEE_EENCODING,
                        "not an image levee reads (JPEG, PNG, WebP, TIFF, "
                        "BMP, GIF)");
  pthread_once(&module_once, load_module);
  if (module_status)
    return lv_error_set(err, module_status, "%s", module_message);
  return module.m->image_hashes(bytes, n, hashes, count, err);
}
