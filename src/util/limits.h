/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limits.h: every bound levee puts on outside input, in one place.
 *
 * Untrusted bytes never exhaust memory or time: each parser and the engine
 * check against these names and report LEVEE_ETOOBIG (or skip, where the
 * contract says so) instead of growing without end.
 */
#ifndef LV_UTIL_LIMITS_H
#define LV_UTIL_LIMITS_H

/* One line of a JSON Lines event stream. */
#define LV_MAX_LINE_BYTES (8u << 20)
/* The text of one event or one attachment, in bytes of UTF-8. */
#define LV_MAX_TEXT_BYTES (4u << 20)
/* Normalized text may grow (NFKC expands some code points); cap the ratio. */
#define LV_NORM_MAX_GROWTH 4u
/* JSON tokens in one event line; nesting depth of JSON. */
#define LV_MAX_JSON_TOKENS 65536
#define LV_MAX_JSON_DEPTH 32
/* Recipients and attachments kept per event. */
#define LV_MAX_RECIPIENTS 1024
#define LV_MAX_ATTACHMENTS 64
/* Candidate pattern matches collected while scanning one text. */
#define LV_MAX_CANDIDATES 4096
/* Findings reported in one verdict (the rest are counted, not listed). */
#define LV_MAX_FINDINGS 256
/* Excerpt length in bytes of original text (cut at a character boundary). */
#define LV_MAX_EXCERPT_BYTES 240
/* A file scanned as a `file` event. */
#define LV_MAX_FILE_BYTES (64u << 20)
/* One .eml message. */
#define LV_MAX_EMAIL_BYTES (32u << 20)
/* Policy: YAML size, rules, keyword lists and keywords per list. */
#define LV_MAX_POLICY_BYTES (1u << 20)
#define LV_MAX_RULES 1024
#define LV_MAX_KEYWORD_LISTS 256
#define LV_MAX_KEYWORDS_PER_LIST 200000
#define LV_MAX_KEYWORD_BYTES 256
/* levee_scanner_inspect_batch() inspects at most this many events, and
 * this many bytes of their texts, per literal-database scan. */
#define LV_BATCH_EVENTS 4096
#define LV_BATCH_TEXT_BYTES (4u << 20)
/* Per-message arena: bytes one inspection may allocate. */
#define LV_MAX_ARENA_BYTES (64u << 20)

/* Ingest: WeCom chat-record and mixed messages carry JSON inside JSON
 * strings; levels of such nesting followed. MIME parts of one email, and
 * their nesting (multipart and message/rfc822). */
#define LV_MAX_WECOM_NESTING 8
#define LV_MAX_MIME_PARTS 512
#define LV_MAX_MIME_DEPTH 32

/* Full-text search (src/store/search_tokens.h): a word token longer than
 * this is cut (at a character boundary) when indexing and when querying
 * alike, so long words still match and an index entry stays small (a
 * PostgreSQL GIN entry must stay under ~2700 bytes); a user's search text
 * is at most LV_MAX_SEARCH_QUERY_BYTES. */
#define LV_MAX_SEARCH_TOKEN_BYTES 128
#define LV_MAX_SEARCH_QUERY_BYTES (4u << 10)
/* Counts of stored events (lv_store_stats): groups one answer may have
 * (27 years of days, or as many departments), so its size is bounded
 * whatever the store holds. */
#define LV_MAX_STATS_GROUPS 10000u

/* Attachments (src/extract/). Images: an image whose header declares more
 * than LV_MAX_IMAGE_PIXELS is refused unread; a JPEG over
 * LV_MAX_DECODE_PIXELS is decoded at 1/2, 1/4 or 1/8 scale, any other
 * format over it is refused; OCR gets at most LV_OCR_MAX_SIDE pixels on the
 * longer side and LV_OCR_TIMEOUT_MS per image. */
#define LV_MAX_IMAGE_PIXELS 100000000u
#define LV_MAX_DECODE_PIXELS 25000000u
#define LV_OCR_MAX_SIDE 4000
#define LV_OCR_TIMEOUT_MS 10000
/* Text kept from one attachment (OCR, document or decoded codes). */
#define LV_MAX_EXTRACT_TEXT_BYTES (4u << 20)
/* Zip archives (docx, xlsx, pptx): entries, one entry's and all entries'
 * uncompressed bytes, the ratio of an entry's uncompressed to compressed
 * size (a zip bomb), and XML element nesting. */
#define LV_MAX_ZIP_ENTRIES 10000
#define LV_MAX_ZIP_ENTRY_BYTES (64u << 20)
#define LV_MAX_ZIP_TOTAL_BYTES (256u << 20)
#define LV_MAX_ZIP_RATIO 200
#define LV_MAX_XML_DEPTH 256
/* QR codes: codes read from one image, and bytes of one code's payload. */
#define LV_MAX_QR_CODES 16
#define LV_MAX_QR_PAYLOAD_BYTES 4096
/* PDF: pages whose text layer is read; pages rendered and OCRed when there
 * is no text layer, and the time for all of them. */
#define LV_MAX_PDF_PAGES 500
#define LV_MAX_PDF_OCR_PAGES 20
#define LV_PDF_OCR_TIMEOUT_MS 60000
/* Registered documents (levee register): fingerprints kept of one. A
 * fingerprint stands for about (w + 1) / 2 = 4.5 characters (core/winnow.h),
 * so this is a document of some 1.8 million characters, 900 pages of
 * Chinese; its record's detail (16 hex digits a fingerprint) stays under
 * LV_MAX_LINE_BYTES. */
#define LV_MAX_REGISTERED_FINGERPRINTS 400000u
/* levee serve (src/net/): a request body (one event, its attachments as
 * base64 data: an event line's bound), idle seconds before a connection is
 * closed (a slow client holds it no longer), connections in all and from
 * one address, and HTTP worker threads. */
#define LV_MAX_REQUEST_BYTES LV_MAX_LINE_BYTES
#define LV_HTTP_IDLE_TIMEOUT_S 30
/* ... and the seconds a whole request may take to arrive (its connection
 * is closed past it). */
#define LV_HTTP_REQUEST_S 60
#define LV_HTTP_MAX_CONNECTIONS 1024
#define LV_HTTP_MAX_PER_ADDRESS 256
#define LV_MAX_HTTP_WORKERS 64
/* Rate limits: clients whose buckets are kept (24 bytes each: 1.5 MiB);
 * past that the one idle longest is forgotten. A multiple of 64. */
#define LV_RATE_BUCKETS 65536
/* On SIGTERM, how long requests in flight may take to finish: the
 * longest an inline inspection waits for attachments, and its margin. */
#define LV_HTTP_DRAIN_MS 65000
/* Accounts and API tokens a store may hold (each a few hundred bytes in
 * memory while levee serve runs), and signed-in sessions at once. */
#define LV_MAX_ACCOUNTS 10000u
#define LV_MAX_TOKENS 10000u
#define LV_MAX_SESSIONS 4096u
/* Writes waiting for levee serve's store writer; past it, 503. Writes in
 * one transaction at most (a group commit). */
#define LV_STORE_WRITE_QUEUE 1024u
#define LV_STORE_WRITE_GROUP 256u
/* Events in one POST /v1/events (its body is bounded too, by
 * LV_MAX_REQUEST_BYTES). */
#define LV_MAX_EVENTS_BATCH 1000u
/* Alerts whose review status levee serve keeps in memory (about 200 bytes
 * each): six months at a thousand reviews a day. */
#define LV_MAX_REVIEWED_ALERTS 200000u
/* A verdict that follows (api_followup.h): the longest its attachments are
 * waited for. */
#define LV_FOLLOWUP_WAIT_MS 120000
/* The web console's files (static_files.h): how many, and their bytes in
 * all (the charting library is about 1 MiB). */
#define LV_CONSOLE_MAX_FILES 512
#define LV_CONSOLE_MAX_BYTES ((size_t)32 << 20)
/* On SIGTERM, how long the alert sinks are given to take what is queued. */
#define LV_ALERTS_STOP_GRACE_MS 5000

/* The extraction pool (src/extract/pool.h). Workers: each holds its own
 * Tesseract engine, its model loaded, and an arena of up to
 * LV_MAX_ARENA_BYTES (64 MiB), so a pool past 32 workers could take
 * gigabytes for no gain on the machines levee runs on. Queued
 * jobs: at 0.4-2 s of OCR each, 256 jobs waiting is a minute of backlog on
 * 4 workers, past any inline wait; refusing more (LEVEE_EBUSY) tells the
 * server to give the text verdict alone instead of piling up work. Queued
 * bytes: 4 attachments of the largest file size levee reads (64 MiB), so
 * any such file fits, and a burst of big files cannot take memory without
 * end. */
#define LV_MAX_EXTRACT_WORKERS 32u
#define LV_EXTRACT_QUEUE_JOBS 256u
#define LV_EXTRACT_QUEUE_BYTES ((size_t)4 * LV_MAX_FILE_BYTES)

/* Alerts (policy alerts:, src/net/alert.h). Sinks in one policy; bytes of a
 * sink's URL, syslog address or secret; the longest aggregation window. */
#define LV_MAX_ALERT_SINKS 64
#define LV_MAX_ALERT_URL_BYTES 2048
#define LV_ALERT_WINDOW_MAX_MS (24LL * 3600 * 1000)
/* The dispatcher: alerts waiting for delivery (its queue_max may not pass
 * this), delivery threads, attempts of one alert, (sender, rule, sink)
 * windows open at once (past it the oldest is closed early and its count
 * sent), and undelivered alerts remembered for the API (a ring: the
 * oldest is forgotten). */
#define LV_ALERT_QUEUE_MAX 65536
#define LV_ALERT_MAX_THREADS 16
#define LV_ALERT_MAX_ATTEMPTS 20
#define LV_ALERT_DEDUP_MAX 4096
#define LV_ALERT_UNDELIVERED_MAX 1000
/* What one alert carries: bytes of each field copied from the event
 * (sender, title, ids: cut at a character boundary), rule ids and
 * categories listed, excerpts (each at most LV_MAX_EXCERPT_BYTES). */
#define LV_ALERT_FIELD_BYTES 256
#define LV_ALERT_MAX_LIST 16
#define LV_ALERT_MAX_EXCERPTS 5
/* Message bodies: a robot's markdown text (WeCom takes 4096 bytes), a
 * syslog message (RFC 5424 over UDP or TCP), any body sent, and the bytes
 * of a receiver's answer that are read (the rest is ignored). */
#define LV_ALERT_MARKDOWN_BYTES 4000
#define LV_ALERT_SYSLOG_BYTES 4096
#define LV_ALERT_BODY_BYTES (64u << 10)
#define LV_ALERT_RESPONSE_BYTES (16u << 10)

/* The trace index and `levee trace` (src/store/trace.h). Fingerprints kept
 * of one event's text (message and extracted text together: some 18,000
 * characters; past it the rest of a long document is not indexed, so a
 * paragraph pasted from its end is not linked to it). Copies one trace
 * follows (past it the graph says truncated), stored events it examines
 * as candidates (copies or not), events read for one fingerprint, hash
 * block or digest (the earliest; past it, truncated too), people listed
 * as reached. The graph asks the store whether a copy's sender takes part
 * in an earlier copy's conversation for at most LV_MAX_TRACE_LOOKBACK
 * conversations per copy and LV_MAX_TRACE_MEMBER_ASKS in all (a
 * store's answer costs a lookup, a round trip in PostgreSQL); past them an
 * edge rests on what the copies themselves say (their senders and
 * recipients), else on the earliest copy. */
#define LV_MAX_TRACE_FINGERPRINTS 4096u
#define LV_MAX_TRACE_COPIES 10000u
#define LV_MAX_TRACE_CANDIDATES 50000u
#define LV_MAX_TRACE_POSTING LV_MAX_TRACE_COPIES
#define LV_MAX_TRACE_LOOKBACK 64u
#define LV_MAX_TRACE_MEMBER_ASKS 10000u
#define LV_MAX_TRACE_PEOPLE 10000u

#endif
