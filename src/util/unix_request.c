/* SPDX-License-Identifier: Apache-2.0 */
/* unix_request.c: a request line to a unix socket (unix_request.h). */
#include "util/unix_request.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits until fd is ready for events, up to the deadline: 0, or -errno. */
static int wait_for(int fd, short events, long long deadline) {
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0)
      return -ETIMEDOUT;
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, (int)left);
    if (n > 0)
      return 0;
    if (n < 0 && errno != EINTR)
      return -errno;
  }
}

int lv_unix_request(const char *path, const char *line, char *reply, size_t cap,
                    int timeout_ms) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (!cap)
    return -EINVAL;
  reply[0] = '\0';
  if (strlen(path) >= sizeof sa.sun_path)
    return -ENAMETOOLONG;
  memcpy(sa.sun_path, path, strlen(path) + 1);
  long long deadline = now_ms() + timeout_ms;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  int rc = 0;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
    rc = errno == EINPROGRESS || errno == EAGAIN
             ? wait_for(fd, POLLOUT, deadline)
             : -errno;
    if (rc)
      goto out;
  }
  size_t len = strlen(line), off = 0;
  while (off < len) {
    ssize_t w = send(fd, line + off, len - off, MSG_NOSIGNAL);
    if (w > 0) {
      off += (size_t)w;
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      if ((rc = wait_for(fd, POLLOUT, deadline)))
        goto out;
      continue;
    }
    rc = -errno;
    goto out;
  }
  size_t got = 0;
  for (;;) {
    char tmp[4096];
    ssize_t r = recv(fd, tmp, sizeof tmp, 0);
    if (r == 0)
      break;
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        if ((rc = wait_for(fd, POLLIN, deadline)))
          goto out;
        continue;
      }
      rc = -errno;
      goto out;
    }
    size_t keep = got + (size_t)r < cap - 1 ? (size_t)r : cap - 1 - got;
    memcpy(reply + got, tmp, keep);
    got += keep;
  }
  reply[got] = '\0';
out:
  close(fd);
  return rc;
}
