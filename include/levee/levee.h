/* SPDX-License-Identifier: Apache-2.0 */
/*
 * levee.h: the public API of the levee inspection library.
 *
 * The flow: a policy (YAML) is parsed into a levee_policy; the policy compiles
 * into an immutable, reference-counted levee_engine holding the Hyperscan
 * databases of every detector; each thread creates its own levee_scanner
 * (scratch space and a per-message arena) and inspects levee_events with it,
 * getting a levee_verdict back. Nothing here touches files or prints: the
 * caller supplies bytes, and the optional callbacks for included files and
 * the compiled-database cache.
 *
 * Conventions: functions return 0 (LEVEE_OK) or a negative levee_status;
 * results come back through OUT parameters written only on success; an
 * optional levee_error receives a human-readable message.
 */
#ifndef LEVEE_LEVEE_H
#define LEVEE_LEVEE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LEVEE_EXTERN __attribute__((visibility("default")))
#define LEVEE_MUSTCHECK __attribute__((warn_unused_result))

/* --- status codes ------------------------------------------------------ */

#define LEVEE_STATUS_MAP(XX)                                                   \
  XX(OK, 0, "success")                                                         \
  XX(ENOMEM, -1, "out of memory")                                              \
  XX(EINVAL, -2, "invalid argument")                                           \
  XX(ESYNTAX, -3, "syntax error")                                              \
  XX(ETOOBIG, -4, "input exceeds a limit")                                     \
  XX(ENOTFOUND, -5, "not found")                                               \
  XX(EIO, -6, "input/output error")                                            \
  XX(ECOMPILE, -7, "pattern compilation failed")                               \
  XX(EPOLICY, -8, "invalid policy")                                            \
  XX(EENCODING, -9, "unsupported or invalid text encoding")                    \
  XX(ESCAN, -10, "pattern scan failed")                                        \
  XX(EMISSING, -11, "required field missing")                                  \
  XX(ESTORE, -12, "audit store error")                                         \
  XX(ETAMPER, -13, "integrity check failed")                                   \
  XX(EBUSY, -14, "too busy: try again later")                                  \
  XX(ETIMEOUT, -15, "timed out")                                               \
  XX(ECANCELLED, -16, "cancelled")

typedef enum levee_status {
#define LEVEE_STATUS_ENUM(name, code, text) LEVEE_##name = (code),
  LEVEE_STATUS_MAP(LEVEE_STATUS_ENUM)
#undef LEVEE_STATUS_ENUM
} levee_status;

/* Static English text for a status code; never NULL. */
LEVEE_EXTERN const char *levee_strerror(int status);

/* Details of a failure, filled in when the caller passes one. */
typedef struct levee_error {
  int status;
  char message[256];
} levee_error;

/* --- byte slices ---------------------------------------------------------- */

/* A borrowed, length-delimited byte string (not necessarily NUL-terminated).
 * ptr == NULL means "absent"; a present empty string has ptr != NULL. */
typedef struct levee_str {
  const char *ptr;
  size_t len;
} levee_str;

/* --- the event (spec/interface.md section 1) ------------------------------ */

typedef enum levee_tristate {
  LEVEE_UNKNOWN = -1,
  LEVEE_FALSE = 0,
  LEVEE_TRUE = 1
} levee_tristate;

typedef struct levee_party {
  levee_str id, name, dept, role;
} levee_party;

typedef struct levee_attachment {
  levee_str kind; /* "image" | "file" */
  levee_str name;
  levee_str path;   /* as given, not yet resolved */
  levee_str data;   /* decoded bytes when "data" was given */
  levee_str sha256; /* hex, as given */
  levee_str md5;    /* hex, as given */
  levee_str text;   /* text extracted from the attachment (by the caller) */
  levee_str error;  /* why its text could not be extracted (by the caller):
                       a finding of category attachment.unreadable */
  int has_phash;    /* an image whose perceptual hash the caller computed */
  uint64_t phash;   /* ... that hash, matched against registered images */
} levee_attachment;

/* All strings are borrowed from the caller for the duration of one inspect. */
typedef struct levee_event {
  levee_str id;
  int64_t time_ms; /* epoch milliseconds */
  levee_str channel;
  levee_str conversation_id;
  levee_str conversation_type; /* group | direct | channel */
  levee_str conversation_title;
  levee_tristate conversation_external;
  levee_party sender;
  const levee_party *recipients;
  size_t n_recipients;
  levee_str text;
  const levee_attachment *attachments;
  size_t n_attachments;
  levee_str forwarded_from;
  levee_str meta; /* the event's "meta" value as its JSON text, kept and
                     never interpreted (the audit store keeps it); absent
                     when missing or null */
} levee_event;

/* --- actions and severities (spec section 2) ------------------------------ */

/* Ordered: a larger value is stronger; the strongest applicable rule wins. */
typedef enum levee_action {
  LEVEE_ACTION_ALLOW = 0,
  LEVEE_ACTION_ALERT,
  LEVEE_ACTION_HOLD,
  LEVEE_ACTION_REDACT,
  LEVEE_ACTION_BLOCK
} levee_action;

typedef enum levee_severity {
  LEVEE_SEVERITY_INFO = 0,
  LEVEE_SEVERITY_LOW,
  LEVEE_SEVERITY_MEDIUM,
  LEVEE_SEVERITY_HIGH,
  LEVEE_SEVERITY_CRITICAL
} levee_severity;

LEVEE_EXTERN const char *levee_action_name(levee_action a);
LEVEE_EXTERN const char *levee_severity_name(levee_severity s);

/* --- policy --------------------------------------------------------------- */

typedef struct levee_policy levee_policy;

/* Reads a file named inside a policy (a keyword list). Returns 0 and a
 * malloc'd buffer (taken by the library) or a negative status. */
typedef int (*levee_file_reader)(void *ud, const char *path, char **out_data,
                                 size_t *out_len);

/* Parses a YAML policy from bytes. origin names it in messages (a path or
 * "<embedded>"). reader may be NULL if the policy names no files. */
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_policy_parse(const char *yaml, size_t len, const char *origin,
                   levee_file_reader reader, void *reader_ud,
                   levee_policy **out, levee_error *err);

/* The policy compiled into the library (policies/default.yaml). */
LEVEE_EXTERN LEVEE_MUSTCHECK int levee_policy_default(levee_policy **out,
                                                      levee_error *err);

/* A human-readable explanation of what the policy does (malloc'd; caller
 * frees). */
LEVEE_EXTERN char *levee_policy_explain(const levee_policy *p);

LEVEE_EXTERN void levee_policy_destroy(levee_policy *p);

/* --- engine --------------------------------------------------------------- */

typedef struct levee_engine levee_engine;

/* Optional cache of compiled pattern databases, keyed by a hex digest of
 * everything that goes into them. load returns 0 and a malloc'd buffer
 * (taken) or nonzero on a miss; store is best effort. */
typedef struct levee_cache_ops {
  int version; /* 1 */
  int (*load)(void *ud, const char *key, char **out_data, size_t *out_len);
  void (*store)(void *ud, const char *key, const char *data, size_t len);
  void *ud;
} levee_cache_ops;

/* Compiles a policy into an engine with one reference. The policy is copied
 * where needed; the caller keeps ownership of it. cache may be NULL. */
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_engine_compile(const levee_policy *p, const levee_cache_ops *cache,
                     levee_engine **out, levee_error *err);

LEVEE_EXTERN levee_engine *levee_engine_ref(levee_engine *e);
LEVEE_EXTERN void levee_engine_unref(levee_engine *e);

/* Whether the last compile of this engine was served from the cache. */
LEVEE_EXTERN int levee_engine_from_cache(const levee_engine *e);

/* --- scanner (one per thread) ----------------------------------------------
 */

typedef struct levee_scanner levee_scanner;

/* Takes a reference on the engine for the scanner's lifetime. */
LEVEE_EXTERN LEVEE_MUSTCHECK int levee_scanner_create(levee_engine *e,
                                                      levee_scanner **out);
LEVEE_EXTERN void levee_scanner_destroy(levee_scanner *s);

/* A registered confidential document or image (levee_registry below). */
typedef struct levee_registration {
  uint64_t id;     /* the caller's number for it: levee uses its record's
                      sequence number in the audit store */
  levee_str label; /* what it is, for people */
  levee_str level; /* its classification (绝密, 机密, 秘密, 内部), or absent */
  levee_str name; /* the file that was registered, or absent */
} levee_registration;

typedef struct levee_finding {
  const char *rule;     /* policy rule id */
  const char *category; /* e.g. "pii.cn_resident_id", "keyword.projects" */
  int source;           /* -1: text; N >= 0: attachment N */
  size_t start, end;    /* byte offsets in that source's original text */
  double confidence;    /* 0..1 after context scoring */
  const char *excerpt;  /* matched original text, personal data masked */
  levee_action action;
  levee_severity severity;
  /* classified.document and classified.image: the registration matched,
   * else NULL; matched is the share of a document's fingerprints found in
   * the text, distance the Hamming distance of an image's perceptual hash
   * from the registered one (-1 for a document). */
  const levee_registration *registration;
  double matched;
  int distance;
} levee_finding;

typedef struct levee_verdict {
  levee_str id;
  levee_action action;
  levee_severity severity;
  const levee_finding *findings;
  size_t n_findings;
  int truncated;             /* more findings existed than LV_MAX_FINDINGS */
  const char *redacted_text; /* when action == REDACT, else NULL */
} levee_verdict;

/* Inspects one event. The verdict and everything it points to live in the
 * scanner's arena and are valid until the next inspect or destroy. */
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_scanner_inspect(levee_scanner *s, const levee_event *ev,
                      const levee_verdict **out);

/* Called once per event of a batch, in order: i is the event's index, and
 * either status is LEVEE_OK and v is its verdict (valid until fn returns),
 * or status says why that event could not be inspected and v is NULL. */
typedef void (*levee_verdict_fn)(void *ctx, size_t i, int status,
                                 const levee_verdict *v);

/* Inspects evs[0..n) and gives each verdict to fn. The verdicts are those
 * levee_scanner_inspect() gives one event at a time; a batch is faster on
 * many short messages, because one pattern scan covers many texts. */
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_scanner_inspect_batch(levee_scanner *s, const levee_event *evs, size_t n,
                            levee_verdict_fn fn, void *ctx);

/* Appends the verdict as one line of JSON (with '\n') to a malloc'd buffer
 * that the function grows: buf, len and cap are in-out. */
LEVEE_EXTERN LEVEE_MUSTCHECK int levee_verdict_json(const levee_verdict *v,
                                                    char **buf, size_t *len,
                                                    size_t *cap);

/* --- registered documents and images ---------------------------------------
 *
 * A registry holds confidential documents and images registered by an
 * officer (`levee register`), so that content matching them is found:
 * text or OCR output sharing enough of a document's fingerprints gives a
 * classified.document finding, an attachment whose perceptual hash is near
 * a registered image's gives classified.image. It keeps fingerprints and
 * hashes, never the documents themselves. A registry is filled, sealed,
 * then shared read-only by any number of scanners on any threads. */

typedef struct levee_registry levee_registry;

/* OUT: *r, empty, with one reference. */
LEVEE_EXTERN LEVEE_MUSTCHECK int levee_registry_new(levee_registry **out);
LEVEE_EXTERN levee_registry *levee_registry_ref(levee_registry *r);
LEVEE_EXTERN void levee_registry_unref(levee_registry *r); /* accepts NULL */

/* The fingerprints of a text as a registry keeps a document's: the text
 * normalized as for inspection (at most its first 4 MiB), winnowed
 * (core/winnow.h). OUT: *fp (malloc'd, the caller frees; NULL when there
 * are none) and *n. Returns LEVEE_OK or LEVEE_ENOMEM. */
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_fingerprint_text(const char *text, size_t len, uint64_t **fp, size_t *n);

/* Adds a document by its fingerprints (levee_fingerprint_text), or an
 * image by its 64-bit perceptual hashes (its own, and any of crops of it:
 * an attachment near any of them matches) and, when it holds text (a
 * photographed page), that text's fingerprints: an attachment near such
 * an image matches only when its own text shares enough of them, since
 * photos of different pages of one layout hash alike. reg's strings are
 * copied.
 * Returns LEVEE_OK, LEVEE_ENOMEM, or LEVEE_EINVAL once the registry is
 * sealed, or for a document with no fingerprints or an image with no
 * hash. */
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_registry_add_document(levee_registry *r, const levee_registration *reg,
                            const uint64_t *fp, size_t n);
LEVEE_EXTERN LEVEE_MUSTCHECK int
levee_registry_add_image(levee_registry *r, const levee_registration *reg,
                         const uint64_t *phash, size_t n,
                         const uint64_t *text_fp, size_t n_text_fp);

/* Builds the indexes; after this the registry is read-only. */
LEVEE_EXTERN LEVEE_MUSTCHECK int levee_registry_seal(levee_registry *r);

/* Registered documents and images. */
LEVEE_EXTERN size_t levee_registry_documents(const levee_registry *r);
LEVEE_EXTERN size_t levee_registry_images(const levee_registry *r);

/* The registry this scanner matches content against from its next
 * inspection on (a reference is taken; NULL: none). Returns LEVEE_OK, or
 * LEVEE_EINVAL for a registry not yet sealed. */
LEVEE_EXTERN LEVEE_MUSTCHECK int levee_scanner_set_registry(levee_scanner *s,
                                                            levee_registry *r);

LEVEE_EXTERN const char *levee_version(void);

#ifdef __cplusplus
}
#endif
#endif /* LEVEE_LEVEE_H */
