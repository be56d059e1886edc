/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_hold.c: statements held for a second person, and the approvals
 * socket through which `levee approve` (and levee serve, for the console)
 * lists, approves and refuses them.
 *
 * A held statement waits at the head of its connection (dbguard_conn.c);
 * its client gets a NoticeResponse at once, naming the hold's id, and
 * another every keepalive while it waits. It ends approved (it then runs,
 * as it came), refused (42501), timed out or cancelled (57014), or
 * abandoned (the client went away); each end is an audit record, durable
 * before the client hears of it.
 *
 * The socket speaks lines: "list", "approve ID [as NAME]", "deny ID [as
 * NAME]". Who asks is the peer's OS user (SO_PEERCRED); "as NAME" (for
 * levee serve, whose signed-in account approves) is honoured only from the
 * guard's own OS user or root. The approver must not be the database user
 * who sent the statement, and, when the policy names approvers
 * (dbguard.approvers), must be one of them; listing is open to the same
 * people.
 */
#include <errno.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/dbguard_int.h"
#include "util/error.h"

#define CONTROL_LINE_MAX 512

/* --- holds ------------------------------------------------------------------
 */

static void hold_notice(dbg_conn *c, int first) {
  dbg_decision *d = &c->dec;
  char msg[400], detail[300];
  int64_t waited = (dbg_now_ms() - (int64_t)d->hold_started_ms) / 1000;
  if (first)
    snprintf(msg, sizeof msg,
             "levee dbguard: held for approval, id %s: %s (%s, %s%s)",
             d->hold_id, d->reason, d->category,
             d->rule[0] ? "rule " : "the guard's default",
             d->rule[0] ? d->rule : "");
  else
    snprintf(msg, sizeof msg,
             "levee dbguard: still held for approval, id %s (%llds)",
             d->hold_id, (long long)waited);
  snprintf(detail, sizeof detail,
           "A second person approves it with: levee approve %s; it is "
           "refused after %llds without.",
           d->hold_id,
           (long long)((d->deadline_ms - (int64_t)d->hold_started_ms) / 1000));
  /* cout holds whole messages only, so a notice never lands inside one */
  if (lv_pg_build_notice(&c->cout, "NOTICE", "01000", msg,
                         first ? detail : NULL, NULL))
    dbg_log("connection %u: a notice could not be built", c->id);
  dbg_conn_flush(c);
}

static void on_hold_tick(uv_timer_t *t) {
  dbg_conn *c = t->data;
  if (c->phase != PH_READY || c->dec.state != DEC_HOLD) {
    uv_timer_stop(t);
    return;
  }
  if (dbg_now_ms() >= c->dec.deadline_ms) {
    dbg_hold_end(c, 0, NULL, "57014",
                 "levee dbguard: canceling statement: it was held for "
                 "approval and none came in time",
                 "timeout");
    return;
  }
  hold_notice(c, 0);
}

static dbg_conn *hold_find(dbg_server *srv, const char *id) {
  for (dbg_conn *c = srv->conns; c; c = c->next)
    if (c->dec.state == DEC_HOLD && !strcmp(c->dec.hold_id, id))
      return c;
  return NULL;
}

int dbg_hold_start(dbg_conn *c) {
  dbg_decision *d = &c->dec;
  const lv_dbguard_policy *pol = &c->srv->policy->dbguard;
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  do {
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    d->hold_id[0] = 'h';
    for (size_t i = 0; i < sizeof r; i++)
      d->hold_id[i + 1] = alphabet[r[i] % (sizeof alphabet - 1)];
    d->hold_id[sizeof r + 1] = '\0';
  } while (hold_find(c->srv, d->hold_id));
  d->state = DEC_HOLD;
  d->hold_started_ms = (uint64_t)dbg_now_ms();
  d->deadline_ms = (int64_t)d->hold_started_ms + pol->hold_timeout_ms;
  if (!dbg_record_hold(c, "held", NULL))
    return -1;
  if (!c->hold_timer_init) {
    uv_timer_init(&c->srv->loop, &c->hold_timer);
    c->hold_timer.data = c;
    c->hold_timer_init = 1;
  }
  uint64_t every = (uint64_t)pol->keepalive_ms;
  if ((int64_t)every > pol->hold_timeout_ms)
    every = (uint64_t)pol->hold_timeout_ms;
  uv_timer_start(&c->hold_timer, on_hold_tick, every, every);
  dbg_log("connection %u: %s@%s from %s: held %s: %s (%s, rule %s)", c->id,
          c->user, c->database, c->client_addr, d->hold_id, d->reason,
          d->category, d->rule[0] ? d->rule : "default");
  hold_notice(c, 1);
  if (d->have_res) { /* the approvers hear of it */
    char reason[LV_SQL_REASON_MAX + 40];
    snprintf(reason, sizeof reason, "held %s: %s", d->hold_id, d->reason);
    dbg_alert(c, d->res.text, d->res.text_len, LEVEE_ACTION_HOLD, d->rule,
              d->category, reason);
  }
  return 0;
}

void dbg_hold_end(dbg_conn *c, int approved, const char *approver,
                  const char *sqlstate, const char *message,
                  const char *outcome) {
  dbg_decision *d = &c->dec;
  if (d->state != DEC_HOLD)
    return;
  if (c->hold_timer_init)
    uv_timer_stop(&c->hold_timer);
  uint64_t ticket = dbg_record_hold(c, outcome, approver);
  dbg_log("connection %u: hold %s %s%s%s", c->id, d->hold_id, outcome,
          approver ? " by " : "", approver ? approver : "");
  d->ticket = ticket;
  if (approved) {
    d->state = DEC_LET_THROUGH;
    snprintf(d->approver, sizeof d->approver, "%s", approver);
  } else {
    d->state = DEC_REFUSE;
    snprintf(d->sqlstate, sizeof d->sqlstate, "%s", sqlstate);
    snprintf(d->message, sizeof d->message, "%s", message);
    d->hint[0] = '\0';
  }
  if (c->phase == PH_READY)
    dbg_conn_resume(c);
}

/* --- the approvals socket ---------------------------------------------------
 */

typedef struct control_client {
  uv_pipe_t pipe;
  dbg_server *srv;
  char line[CONTROL_LINE_MAX];
  size_t len;
  char reply[65536];
  uv_write_t w;
  int answered;
} control_client;

static void control_closed(uv_handle_t *h) {
  free(h->data);
}

static void control_written(uv_write_t *w, int status) {
  (void)status;
  uv_close((uv_handle_t *)w->handle, control_closed);
}

static void control_reply(control_client *k, const char *text) {
  k->answered = 1;
  uv_read_stop((uv_stream_t *)&k->pipe);
  snprintf(k->reply, sizeof k->reply, "%s", text);
  uv_buf_t b = uv_buf_init(k->reply, (unsigned)strlen(k->reply));
  if (uv_write(&k->w, (uv_stream_t *)&k->pipe, &b, 1, control_written))
    uv_close((uv_handle_t *)&k->pipe, control_closed);
}

/* The OS user at the other end; its uid in *uid. */
static int peer_name(control_client *k, char *name, size_t cap, uid_t *uid) {
  uv_os_fd_t fd;
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (uv_fileno((uv_handle_t *)&k->pipe, &fd) ||
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
    return -1;
  *uid = cred.uid;
  struct passwd pw, *res = NULL;
  char buf[4096];
  if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &res) || !res)
    snprintf(name, cap, "uid:%u", (unsigned)cred.uid);
  else
    snprintf(name, cap, "%s", res->pw_name);
  return 0;
}

static int may_approve(const lv_dbguard_policy *p, const char *name) {
  if (!p->approvers.n)
    return 1;
  for (size_t i = 0; i < p->approvers.n; i++)
    if (!strcmp(p->approvers.v[i], name))
      return 1;
  return 0;
}

/* Appends one line per hold to out. */
static void list_holds(dbg_server *srv, char *out, size_t cap) {
  size_t n = 0;
  out[0] = '\0';
  for (dbg_conn *c = srv->conns; c && n + 600 < cap; c = c->next) {
    const dbg_decision *d = &c->dec;
    if (d->state != DEC_HOLD)
      continue;
    char text[201] = "";
    if (d->have_res) {
      size_t len = d->res.text_len < 200 ? d->res.text_len : 200;
      memcpy(text, d->res.text, len);
      text[len] = '\0';
      for (char *q = text; *q; q++)
        if (*q == '\n' || *q == '\r' || *q == '\t')
          *q = ' ';
    }
    int w = snprintf(
        out + n, cap - n, "%s\t%s@%s\t%s\t%llds\t%s\t%s\t%s\t%s\n", d->hold_id,
        c->user, c->database, c->client_addr,
        (long long)((dbg_now_ms() - (int64_t)d->hold_started_ms) / 1000),
        d->category, d->rule[0] ? d->rule : "-", d->reason, text);
    if (w < 0 || (size_t)w >= cap - n)
      break;
    n += (size_t)w;
  }
}

static void control_command(control_client *k) {
  dbg_server *srv = k->srv;
  const lv_dbguard_policy *pol = &srv->policy->dbguard;
  char who[64];
  uid_t uid;
  if (peer_name(k, who, sizeof who, &uid)) {
    control_reply(k, "error: cannot tell who is asking\n");
    return;
  }
  /* "VERB [ID] [as NAME]" */
  char tok[4][64] = {{0}};
  int n =
      sscanf(k->line, "%63s %63s %63s %63s", tok[0], tok[1], tok[2], tok[3]);
  if (n >= 3 && !strcmp(tok[n - 2], "as")) {
    if (uid != 0 && uid != getuid()) {
      control_reply(k, "error: only the guard's own OS user or root may "
                       "approve for another name\n");
      return;
    }
    snprintf(who, sizeof who, "%s", tok[n - 1]);
    n -= 2;
  }
  const char *verb = tok[0], *id = tok[1];
  if (n < 1 || n > 2) {
    control_reply(k, "error: usage: list | approve ID [as NAME] | deny ID "
                     "[as NAME]\n");
    return;
  }
  if (!may_approve(pol, who)) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "error: %s is not among the policy's approvers "
             "(dbguard.approvers)\n",
             who);
    control_reply(k, msg);
    return;
  }
  if (!strcmp(verb, "list") && n == 1) {
    list_holds(srv, k->reply, sizeof k->reply);
    char copy[sizeof k->reply];
    memcpy(copy, k->reply, sizeof copy);
    control_reply(k, copy);
    return;
  }
  int approve = !strcmp(verb, "approve");
  if ((!approve && strcmp(verb, "deny") != 0) || n < 2) {
    control_reply(k, "error: usage: list | approve ID [as NAME] | deny ID "
                     "[as NAME]\n");
    return;
  }
  dbg_conn *c = hold_find(srv, id);
  if (!c) {
    control_reply(k, "error: no statement is held with that id (it may "
                     "have ended: approved, refused, timed out or "
                     "cancelled)\n");
    return;
  }
  if (approve && !strcmp(who, c->user)) {
    control_reply(k, "error: the second person must be another than the "
                     "database user who sent the statement\n");
    return;
  }
  char msg[400];
  if (approve) {
    dbg_hold_end(c, 1, who, NULL, NULL, "approved");
    snprintf(msg, sizeof msg, "approved %s by %s\n", id, who);
  } else {
    char refusal[300];
    snprintf(refusal, sizeof refusal,
             "levee dbguard: the held statement was refused by %s", who);
    dbg_hold_end(c, 0, who, "42501", refusal, "denied");
    snprintf(msg, sizeof msg, "denied %s by %s\n", id, who);
  }
  control_reply(k, msg);
}

static void control_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b) {
  control_client *k = h->data;
  (void)suggested;
  *b = uv_buf_init(k->line + k->len, (unsigned)(sizeof k->line - 1 - k->len));
}

static void control_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  control_client *k = s->data;
  (void)b;
  if (k->answered)
    return;
  if (n < 0) {
    uv_close((uv_handle_t *)&k->pipe, control_closed);
    return;
  }
  k->len += (size_t)n;
  k->line[k->len] = '\0';
  char *nl = strchr(k->line, '\n');
  if (nl) {
    *nl = '\0';
    control_command(k);
  } else if (k->len >= sizeof k->line - 1) {
    control_reply(k, "error: line too long\n");
  }
}

static void on_control_connection(uv_stream_t *server, int status) {
  dbg_server *srv = server->data;
  if (status < 0)
    return;
  control_client *k = calloc(1, sizeof *k);
  if (!k)
    return;
  k->srv = srv;
  uv_pipe_init(&srv->loop, &k->pipe, 0);
  k->pipe.data = k;
  if (uv_accept(server, (uv_stream_t *)&k->pipe) ||
      uv_read_start((uv_stream_t *)&k->pipe, control_alloc, control_read))
    uv_close((uv_handle_t *)&k->pipe, control_closed);
}

int dbg_control_start(dbg_server *srv, levee_error *err) {
  const char *path = srv->o->control_path;
  struct stat st;
  if (!lstat(path, &st)) {
    if (!S_ISSOCK(st.st_mode))
      return lv_error_set(err, LEVEE_EINVAL, "%s exists and is not a socket",
                          path);
    unlink(path); /* a socket left by a guard that stopped */
  }
  int rc = uv_pipe_init(&srv->loop, &srv->control, 0);
  if (!rc)
    srv->control_open = 1;
  srv->control.data = srv;
  if (!rc)
    rc = uv_pipe_bind(&srv->control, path);
  /* anyone local may connect; who they are decides what they may do */
  if (!rc)
    rc = chmod(path, 0666) ? uv_translate_sys_error(errno) : 0;
  if (!rc)
    rc = uv_listen((uv_stream_t *)&srv->control, 16, on_control_connection);
  if (rc)
    return lv_error_set(err, LEVEE_EIO, "the approvals socket %s: %s", path,
                        uv_strerror(rc));
  return LEVEE_OK;
}

void dbg_control_stop(dbg_server *srv) {
  if (srv->control_open) {
    uv_close((uv_handle_t *)&srv->control, NULL);
    srv->control_open = 0;
    unlink(srv->o->control_path);
  }
}
