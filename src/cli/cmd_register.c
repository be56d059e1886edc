/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_register.c: `levee register`: registers confidential documents or
 * images in the audit store, so that content matching them is found later
 * (classified.document, classified.image), and lists what is registered.
 *
 * A document is read as an attachment would be (plain text, docx, xlsx,
 * pptx, PDF, or a photo by OCR) and kept as the winnowing fingerprints of
 * its normalized text; an image as its perceptual hash. Each registration
 * is a record of the audit log (registrations.c has its detail), written
 * by the officer who ran the command; the files themselves are not kept.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/registrations.h"
#include "core/doc_index.h"
#include "core/winnow.h"
#include "extract/sniff.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"

static const char *const levels[] = {"绝密", "机密", "秘密", "内部"};

/* Fingerprints of some 50 characters. An image holds text when OCR reads
 * it with at least IMAGE_TEXT_CONFIDENCE mean word confidence and this
 * many fingerprints (less is taken for OCR noise on a picture); a document
 * with fewer is found only where most of it is copied. */
#define FEW_FINGERPRINTS ((size_t)2 * LV_DOC_MIN_MATCHES)
#define IMAGE_TEXT_CONFIDENCE 50

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee register (--data DIR | --store URL) (--document | "
      "--image)\n"
      "                      [--label TEXT] [--level LEVEL] FILE...\n"
      "       levee register (--data DIR | --store URL) --list [--json]\n"
      "\n"
      "Registers confidential documents or images in the audit store, so\n"
      "that content matching them is found by `levee scan --data DIR` and\n"
      "`levee ingest`:\n"
      "  a document (plain text, docx, xlsx, pptx, PDF, or a photo of a\n"
      "  page, read by OCR) whose text turns up again, whole or a copied\n"
      "  paragraph of some 50 characters or more, retyped or photographed:\n"
      "  classified.document;\n"
      "  an image (JPEG, PNG, WebP, TIFF, BMP, GIF) that turns up again\n"
      "  resized, re-compressed, slightly cropped or re-photographed:\n"
      "  classified.image.\n"
      "Only fingerprints of the text and a 64-bit hash of the image are\n"
      "kept, never the file. Each registration is a record of the audit\n"
      "log, with who registered it; a file already registered is skipped.\n"
      "\n"
      "Options:\n"
      "  --data DIR      the data directory of the audit store (created if\n"
      "                  missing)\n"
      "  --store URL     a PostgreSQL store instead (postgres://...)\n"
      "  --key FILE      the store's signing key (default: as for ingest)\n"
      "  --document      the files are documents\n"
      "  --image         the files are images\n"
      "  --label TEXT    what it is, shown in findings (default: the file's\n"
      "                  name)\n"
      "  --level LEVEL   its classification: 绝密, 机密, 秘密 or 内部\n"
      "  --list          list the registrations (--json: one JSON object a\n"
      "                  line)\n"
      "  -h, --help      this help\n"
      "\n"
      "Exit status: 0 every file registered (or already was), 2 an error\n"
      "(after registering the files that could be).\n");
}

typedef struct reg_cmd {
  const char *location, *key_path, *label, *level;
  int kind; /* 'd' document, 'i' image, 0 unset */
  int list, json;
  lv_store *store;
  levee_str actor;
  lv_extractor *x;
  lv_arena arena;
  lv_buf detail;
  /* What is registered already, to skip a file registered before. */
  struct known {
    char key[67]; /* kind and sha256: "d:<hex>" or "i:<hex>" */
    uint64_t seq; /* its record */
  } * known;
  size_t n_known, cap_known;
  size_t registered, skipped, failed;
} reg_cmd;

static int know(reg_cmd *c, int is_image, levee_str sha256, uint64_t seq) {
  if (c->n_known == c->cap_known) {
    size_t cap = c->cap_known ? c->cap_known * 2 : 64;
    struct known *k = realloc(c->known, cap * sizeof *k);
    if (!k)
      return LEVEE_ENOMEM;
    c->known = k;
    c->cap_known = cap;
  }
  struct known *k = &c->known[c->n_known++];
  snprintf(k->key, sizeof k->key, "%c:%.*s", is_image ? 'i' : 'd',
           (int)(sha256.len < 64 ? sha256.len : 64), sha256.ptr);
  k->seq = seq;
  return LEVEE_OK;
}

/* The record of a registration of the same kind and bytes, or 0. */
static uint64_t known_as(const reg_cmd *c, int is_image, const char *sha256) {
  for (size_t i = 0; i < c->n_known; i++)
    if (c->known[i].key[0] == (is_image ? 'i' : 'd') &&
        !strcmp(c->known[i].key + 2, sha256))
      return c->known[i].seq;
  return 0;
}

static int on_known(void *ud, const lv_cli_registration *r) {
  return know(ud, r->is_image, r->sha256, r->seq);
}

/* --- listing ------------------------------------------------------------- */

static int on_list(void *ud, const lv_cli_registration *r) {
  reg_cmd *c = ud;
  char phash[17];
  if (c->json) {
    lv_buf_reset(&c->detail);
    lv_jw w;
    lv_jw_init(&w, &c->detail);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "record");
    lv_jw_int(&w, (int64_t)r->seq);
    lv_jw_key(&w, "kind");
    lv_jw_cstring(&w, r->is_image ? "image" : "document");
    lv_jw_key(&w, "label");
    lv_jw_string(&w, r->label.ptr, r->label.len);
    if (r->level.ptr) {
      lv_jw_key(&w, "level");
      lv_jw_string(&w, r->level.ptr, r->level.len);
    }
    if (r->name.ptr) {
      lv_jw_key(&w, "name");
      lv_jw_string(&w, r->name.ptr, r->name.len);
    }
    lv_jw_key(&w, "sha256");
    lv_jw_string(&w, r->sha256.ptr, r->sha256.len);
    if (r->is_image) {
      lv_cli_hex64(r->phash[0], phash);
      lv_jw_key(&w, "phash");
      lv_jw_cstring(&w, phash);
    }
    lv_jw_key(&w, "fingerprints");
    lv_jw_int(&w, (int64_t)r->n_fingerprints);
    lv_jw_object_end(&w);
    if (lv_jw_status(&w) || lv_buf_putc(&c->detail, '\n'))
      return LEVEE_ENOMEM;
    fwrite(c->detail.data, 1, c->detail.len, stdout);
  } else if (r->is_image) {
    lv_cli_hex64(r->phash[0], phash);
    printf("#%llu  image     %-6.*s %.*s  (%.*s, hash %s)\n",
           (unsigned long long)r->seq, (int)r->level.len,
           r->level.ptr ? r->level.ptr : "", (int)r->label.len, r->label.ptr,
           (int)r->name.len, r->name.ptr ? r->name.ptr : "", phash);
  } else {
    printf("#%llu  document  %-6.*s %.*s  (%.*s, %zu fingerprints)\n",
           (unsigned long long)r->seq, (int)r->level.len,
           r->level.ptr ? r->level.ptr : "", (int)r->label.len, r->label.ptr,
           (int)r->name.len, r->name.ptr ? r->name.ptr : "", r->n_fingerprints);
  }
  c->registered++;
  return 0;
}

/* --- registering ---------------------------------------------------------- */

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash && slash[1] ? slash + 1 : path;
}

/* v[0..n) as one JSON string of 16 hex digits each. */
static int hex_list(lv_jw *w, const uint64_t *v, size_t n) {
  char *s = malloc(n * 16 + 1);
  if (!s)
    return LEVEE_ENOMEM;
  for (size_t i = 0; i < n; i++)
    lv_cli_hex64(v[i], s + 16 * i);
  lv_jw_string(w, s, n * 16);
  free(s);
  return LEVEE_OK;
}

/* The detail of a registration (registrations.c has its form). */
static int write_detail(reg_cmd *c, const char *path,
                        const lv_cli_attachment_facts *facts,
                        const char *format, const uint64_t *fp, size_t n_fp,
                        const uint64_t *phash, size_t n_phash) {
  const char *name = base_name(path);
  lv_buf_reset(&c->detail);
  lv_jw w;
  lv_jw_init(&w, &c->detail);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "kind");
  lv_jw_cstring(&w, c->kind == 'i' ? "image" : "document");
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, name);
  lv_jw_key(&w, "sha256");
  lv_jw_cstring(&w, facts->sha256);
  lv_jw_key(&w, "size");
  lv_jw_int(&w, facts->size);
  if (format) {
    lv_jw_key(&w, "format");
    lv_jw_cstring(&w, format);
  }
  lv_jw_key(&w, "label");
  lv_jw_cstring(&w, c->label ? c->label : name);
  if (c->level) {
    lv_jw_key(&w, "level");
    lv_jw_cstring(&w, c->level);
  }
  if (c->kind == 'i') {
    char hex[17];
    lv_cli_hex64(phash[0], hex);
    lv_jw_key(&w, "phash");
    lv_jw_cstring(&w, hex);
    if (n_phash > 1) {
      lv_jw_key(&w, "variants");
      if (hex_list(&w, phash + 1, n_phash - 1))
        return LEVEE_ENOMEM;
    }
    if (n_fp) {
      lv_jw_key(&w, "fingerprints");
      if (hex_list(&w, fp, n_fp))
        return LEVEE_ENOMEM;
    }
  } else {
    lv_jw_key(&w, "fingerprints");
    if (hex_list(&w, fp, n_fp))
      return LEVEE_ENOMEM;
  }
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

/* Registers one file: 0, or nonzero after saying why not. */
static int register_file(reg_cmd *c, const char *path) {
  char *bytes = NULL;
  size_t n = 0;
  int rc = lv_cli_read_file(path, LV_MAX_FILE_BYTES, &bytes, &n);
  if (rc) {
    lv_cli_error(path, "%s",
                 rc == LEVEE_ETOOBIG ? "larger than levee reads (64 MiB)"
                                     : "cannot read the file");
    return -1;
  }
  lv_cli_attachment_facts facts = {.size = (int64_t)n};
  lv_cli_digests(bytes, n, &facts);
  uint64_t dup = known_as(c, c->kind == 'i', facts.sha256);
  if (dup) {
    free(bytes);
    fprintf(stderr, "levee: %s: already registered as #%llu\n", path,
            (unsigned long long)dup);
    c->skipped++;
    return 0;
  }
  lv_arena_reset(&c->arena);
  levee_error err = {0};
  uint64_t *fp = NULL, phash[LV_PHASH_VARIANTS] = {0};
  size_t n_fp = 0, n_phash = 0, text_len = 0;
  const char *format = NULL;
  if (c->kind == 'i') {
    rc = lv_extract_image_hashes(bytes, n, phash, &n_phash, &err);
    format = lv_image_kind(bytes, n);
    /* A photographed page: its text confirms a near hash (registry.h). */
    levee_str text;
    lv_extract_info info;
    levee_error oerr = {0};
    if (!rc &&
        lv_extract(c->x, bytes, n, &c->arena, &text, &info, &oerr) ==
            LEVEE_OK &&
        text.len && info.ocr_confidence >= IMAGE_TEXT_CONFIDENCE &&
        !levee_fingerprint_text(text.ptr, text.len, &fp, &n_fp) &&
        (n_fp < FEW_FINGERPRINTS || n_fp > LV_MAX_REGISTERED_FINGERPRINTS)) {
      free(fp); /* too little text to tell pages apart: a picture */
      fp = NULL;
      n_fp = 0;
    }
  } else {
    levee_str text;
    lv_extract_info info;
    rc = lv_extract(c->x, bytes, n, &c->arena, &text, &info, &err);
    format = info.format ? info.format : info.kind;
    if (!rc && (!text.ptr || !text.len))
      rc = lv_error_set(&err, LEVEE_EINVAL, "%s",
                        info.ocr ? "OCR found no text in it"
                                 : "it holds no text");
    if (!rc && (rc = levee_fingerprint_text(text.ptr, text.len, &fp, &n_fp)))
      lv_error_set(&err, rc, "out of memory");
    if (!rc && n_fp == 0)
      rc = lv_error_set(&err, LEVEE_EINVAL,
                        "too little text to recognise (fewer than %d "
                        "letters and characters)",
                        LV_WINNOW_K);
    if (!rc && n_fp > LV_MAX_REGISTERED_FINGERPRINTS)
      rc = lv_error_set(&err, LEVEE_ETOOBIG,
                        "too long to register whole (%zu fingerprints, at "
                        "most %u): register it in parts",
                        n_fp, LV_MAX_REGISTERED_FINGERPRINTS);
    text_len = rc ? 0 : text.len;
  }
  free(bytes);
  if (rc) {
    lv_cli_error(path, "%s", err.message[0] ? err.message : levee_strerror(rc));
    free(fp);
    return -1;
  }
  uint64_t seq = 0;
  if ((rc = write_detail(c, path, &facts, format, fp, n_fp, phash, n_phash))) {
    lv_cli_error(path, "%s", levee_strerror(rc));
    free(fp);
    return -1;
  }
  if ((rc = lv_store_add_record(
           c->store, c->actor, LV_CLI_REGISTER_RECORD, "ok",
           (levee_str){c->detail.data, c->detail.len}, &seq, &err))) {
    lv_cli_error(path, "%s", err.message[0] ? err.message : levee_strerror(rc));
    free(fp);
    return -2; /* the transaction is spoilt */
  }
  if (know(c, c->kind == 'i', (levee_str){facts.sha256, strlen(facts.sha256)},
           seq))
    rc = -2;
  const char *label = c->label ? c->label : base_name(path);
  if (c->kind == 'i') {
    char hex[17];
    lv_cli_hex64(phash[0], hex);
    printf("registered #%llu: image %s%s%s \"%s\": hash %s%s\n",
           (unsigned long long)seq, path, c->level ? " " : "",
           c->level ? c->level : "", label, hex,
           n_fp ? ", with the fingerprints of the text in it" : "");
  } else {
    printf("registered #%llu: document %s%s%s \"%s\": %zu fingerprints of "
           "%zu bytes of text\n",
           (unsigned long long)seq, path, c->level ? " " : "",
           c->level ? c->level : "", label, n_fp, text_len);
    if (n_fp < FEW_FINGERPRINTS)
      fprintf(stderr,
              "levee: %s: only %zu fingerprints: a short text is found only "
              "where most of it is copied\n",
              path, n_fp);
  }
  free(fp);
  c->registered++;
  return rc;
}

static int parse_args(reg_cmd *c, int argc, char **argv) {
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {"store", required_argument, NULL, 'u'},
                                       {"key", required_argument, NULL, 'k'},
                                       {"document", no_argument, NULL, 'D'},
                                       {"image", no_argument, NULL, 'I'},
                                       {"label", required_argument, NULL, 'l'},
                                       {"level", required_argument, NULL, 'L'},
                                       {"list", no_argument, NULL, 's'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'd': c->location = optarg; break;
    case 'u':
      if (lv_cli_store_option("register", optarg, &c->location))
        return 2;
      break;
    case 'k': c->key_path = optarg; break;
    case 'D':
    case 'I':
      if (c->kind && c->kind != (o == 'I' ? 'i' : 'd')) {
        lv_cli_error("register", "--document and --image exclude each other");
        return 2;
      }
      c->kind = o == 'I' ? 'i' : 'd';
      break;
    case 'l':
      if (!*optarg || strlen(optarg) > 1024) {
        lv_cli_error("register", "--label must be 1 to 1024 bytes");
        return 2;
      }
      c->label = optarg;
      break;
    case 'L': {
      size_t i = 0;
      while (i < sizeof levels / sizeof *levels &&
             strcmp(optarg, levels[i]) != 0)
        i++;
      if (i == sizeof levels / sizeof *levels) {
        lv_cli_error("register",
                     "--level must be 绝密, 机密, 秘密 or 内部, not '%s'",
                     optarg);
        return 2;
      }
      c->level = levels[i];
      break;
    }
    case 's': c->list = 1; break;
    case 'j': c->json = 1; break;
    case 'h': usage(stdout); return -1;
    default: usage(stderr); return 2;
    }
  }
  if (!c->location) {
    lv_cli_error("register", "--data DIR (or --store URL) is required");
    return 2;
  }
  if (c->list) {
    if (c->kind || optind < argc) {
      lv_cli_error("register", "--list takes no files and no --document or "
                               "--image");
      return 2;
    }
    return 0;
  }
  if (!c->kind) {
    lv_cli_error("register", "say what the files are: --document or --image");
    return 2;
  }
  if (optind >= argc) {
    lv_cli_error("register", "no FILE to register");
    return 2;
  }
  return 0;
}

int lv_cmd_register(int argc, char **argv) {
  reg_cmd c;
  memset(&c, 0, sizeof c);
  int rc = parse_args(&c, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;
  const char *user = lv_cli_os_user();
  c.actor = (levee_str){user, strlen(user)};
  lv_arena_init(&c.arena, LV_MAX_ARENA_BYTES);
  lv_buf_init(&c.detail, (size_t)LV_MAX_LINE_BYTES);

  int status = 2;
  char shown[512];
  lv_store_url_redact(c.location, shown, sizeof shown);
  lv_store_options so = {.location = c.location,
                         .key_path = c.key_path,
                         .create = !c.list,
                         .read_only = c.list};
  lv_store_opened info;
  levee_error err = {0};
  levee_registry *reg = NULL;
  if (lv_store_open(&so, &c.store, &info, &err)) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  if (!c.list)
    lv_cli_new_key_note(shown, &info);
  if ((rc = lv_cli_registry_load(c.store, c.list ? on_list : on_known, &c, &reg,
                                 &err))) {
    lv_cli_error(shown, "reading the registrations: %s",
                 err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  if (c.list) {
    if (!c.json)
      fprintf(stderr, "levee: register: %zu registration%s\n", c.registered,
              c.registered == 1 ? "" : "s");
    status = 0;
    goto out;
  }
  if (lv_extractor_new(&c.x) || lv_store_begin(c.store, &err)) {
    lv_cli_error(shown, "%s", err.message[0] ? err.message : "out of memory");
    goto out;
  }
  int spoilt = 0;
  for (int i = optind; i < argc && !spoilt; i++) {
    int r = register_file(&c, argv[i]);
    if (r == -2)
      spoilt = 1;
    if (r)
      c.failed++;
  }
  if (spoilt) {
    lv_store_rollback(c.store);
    lv_cli_error(shown, "nothing was registered");
    goto out;
  }
  if (lv_store_commit(c.store, &err)) {
    lv_cli_error(shown, "nothing was registered: %s", err.message);
    goto out;
  }
  fprintf(stderr,
          "levee: register: %zu registered, %zu already were, %zu "
          "failed\n",
          c.registered, c.skipped, c.failed);
  status = c.failed ? 2 : 0;
out:
  if (c.store && lv_store_close(c.store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  levee_registry_unref(reg);
  lv_extractor_free(c.x);
  lv_arena_cleanup(&c.arena);
  lv_buf_cleanup(&c.detail);
  free(c.known);
  return status;
}
