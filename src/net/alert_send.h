/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert_send.h: carrying an alert's bytes to its sink, on a delivery
 * thread of the dispatcher (alert.h): an HTTP POST with libcurl for the
 * webhook and the group robots, a datagram (RFC 5426) or a TCP frame with
 * octet counting (RFC 6587 section 3.4.1) for syslog.
 *
 * Each call is bounded in time (timeout_ms for all of it: name lookup
 * aside, which the system resolver bounds) and can be cut short: when
 * *cancel becomes nonzero the call returns LEVEE_ECANCELLED within about
 * a second (libcurl's progress callback; the syslog paths poll every
 * 100 ms). Nothing here retries: the dispatcher decides.
 */
#ifndef LV_NET_ALERT_SEND_H
#define LV_NET_ALERT_SEND_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* One thread's HTTP client: a libcurl easy handle, which keeps
 * connections (and TLS sessions) to a sink between alerts. */
typedef struct lv_alert_http lv_alert_http;

/* OUT: *out. Returns 0 or LEVEE_ENOMEM. */
int lv_alert_http_new(lv_alert_http **out) __attribute__((warn_unused_result));
void lv_alert_http_free(lv_alert_http *h); /* accepts NULL */

/* POSTs body[0..n) as application/json (UTF-8) to url (http or https
 * only; redirects are not followed; TLS certificates are verified).
 * Returns 0 when an answer came: its status in *status and at most
 * LV_ALERT_RESPONSE_BYTES of its body appended to answer (the rest is
 * read and ignored). Otherwise LEVEE_ETIMEOUT, LEVEE_ECANCELLED or
 * LEVEE_EIO, with why (a NUL-terminated reason of at most why_len - 1
 * bytes). */
int lv_alert_http_post(lv_alert_http *h, const char *url, const char *body,
                       size_t n, int64_t timeout_ms, const atomic_int *cancel,
                       long *status, lv_buf *answer, char *why, size_t why_len)
    __attribute__((warn_unused_result));

/* Sends one syslog message msg[0..n) to host:port: one UDP datagram, or
 * over a new TCP connection as "<n> <msg>" (then closed). Returns 0 when
 * it was handed to the network (UDP has no receipt; TCP: every byte
 * written and the connection shut down in order), else LEVEE_ETIMEOUT,
 * LEVEE_ECANCELLED or LEVEE_EIO with why. */
int lv_alert_syslog_send(const char *host, const char *port, int tcp,
                         const char *msg, size_t n, int64_t timeout_ms,
                         const atomic_int *cancel, char *why, size_t why_len)
    __attribute__((warn_unused_result));

#endif
