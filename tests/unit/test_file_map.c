/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_file_map.c: the guarded file mapping of `levee scan`
 * (src/cli/file_map.c): it maps what it is asked for, a file that shrinks
 * underneath it reads as zeros and is reported instead of killing the
 * process, and a SIGBUS that is not about the mapping still kills.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/file_map.h"

/* A temporary file of n bytes: byte i is 'a' + i % 26. */
static int temp_file(size_t n) {
  char path[] = "/tmp/levee-test-file-map-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  char *p = malloc(n);
  assert_non_null(p);
  for (size_t i = 0; i < n; i++)
    p[i] = (char)('a' + i % 26);
  assert_int_equal(write(fd, p, n), (ssize_t)n);
  free(p);
  return fd;
}

static size_t page(void) {
  return (size_t)sysconf(_SC_PAGESIZE);
}

static void test_maps_from_any_offset(void **state) {
  (void)state;
  size_t n = 3 * page() + 100;
  int fd = temp_file(n);
  const off_t offsets[] = {0, 1, (off_t)page() - 1, (off_t)page(),
                           (off_t)(2 * page() + 7)};
  for (size_t k = 0; k < sizeof offsets / sizeof *offsets; k++) {
    lv_file_map m;
    size_t len = n - (size_t)offsets[k];
    assert_int_equal(lv_file_map_open(&m, fd, offsets[k], len), 0);
    assert_int_equal(m.len, len);
    for (size_t i = 0; i < len; i++)
      assert_int_equal(m.data[i], 'a' + ((size_t)offsets[k] + i) % 26);
    assert_false(lv_file_map_lost());
    lv_file_map_close(&m);
    assert_null(m.data);
  }
  close(fd);
}

static void test_refuses_bad_requests(void **state) {
  (void)state;
  int fd = temp_file(100);
  lv_file_map m, other;
  assert_int_equal(lv_file_map_open(&m, fd, 0, 0), -EINVAL);
  assert_int_equal(lv_file_map_open(&m, fd, -1, 10), -EINVAL);
  assert_int_equal(lv_file_map_open(&m, -1, 0, 10), -EBADF);
  /* One mapping at a time. */
  assert_int_equal(lv_file_map_open(&m, fd, 0, 100), 0);
  assert_int_equal(lv_file_map_open(&other, fd, 0, 100), -EBUSY);
  lv_file_map_close(&m);
  assert_int_equal(lv_file_map_open(&other, fd, 0, 100), 0);
  lv_file_map_close(&other);
  lv_file_map_close(&other); /* closing twice is harmless */
  close(fd);
}

static void test_shrunk_file_reads_as_zeros(void **state) {
  (void)state;
  size_t n = 4 * page();
  int fd = temp_file(n);
  lv_file_map m;
  assert_int_equal(lv_file_map_open(&m, fd, 0, n), 0);
  assert_int_equal(m.data[n - 1], 'a' + (n - 1) % 26);
  /* Another process truncates the file: pages past the new end are gone. */
  assert_int_equal(ftruncate(fd, (off_t)page() + 10), 0);
  volatile const char *d = m.data;
  assert_int_equal(d[page() + 9], 'a' + (page() + 9) % 26);
  assert_false(lv_file_map_lost()); /* that page still exists */
  assert_int_equal(d[3 * page()], 0);
  assert_true(lv_file_map_lost());
  for (size_t i = 3 * page(); i < n; i++)
    assert_int_equal(d[i], 0);
  assert_int_equal(d[0], 'a'); /* what was not lost is still there */
  lv_file_map_close(&m);
  assert_true(lv_file_map_lost()); /* still known after closing */
  /* The next mapping starts afresh. */
  assert_int_equal(lv_file_map_open(&m, fd, 0, 10), 0);
  assert_false(lv_file_map_lost());
  lv_file_map_close(&m);
  close(fd);
}

/* In a child: a SIGBUS from a mapping that is not lv_file_map's, while one
 * is open, kills as it would have without the guard. */
static void test_other_sigbus_still_kills(void **state) {
  (void)state;
  size_t n = 2 * page();
  int fd = temp_file(n), other = temp_file(n);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGBUS, SIG_DFL); /* not the sanitizer's report, if any */
    lv_file_map m;
    if (lv_file_map_open(&m, fd, 0, n))
      _exit(3);
    volatile char *p = mmap(NULL, n, PROT_READ, MAP_SHARED, other, 0);
    if (p == MAP_FAILED || ftruncate(other, 0))
      _exit(4);
    (void)p[page()];
    _exit(0); /* not reached */
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGBUS);
  close(fd);
  close(other);
}

/* Closing puts back the handler that was there before. */
static void test_close_restores_handler(void **state) {
  (void)state;
  int fd = temp_file(10);
  struct sigaction before, during, after;
  assert_int_equal(sigaction(SIGBUS, NULL, &before), 0);
  lv_file_map m;
  assert_int_equal(lv_file_map_open(&m, fd, 0, 10), 0);
  assert_int_equal(sigaction(SIGBUS, NULL, &during), 0);
  assert_true(during.sa_flags & SA_SIGINFO);
  lv_file_map_close(&m);
  assert_int_equal(sigaction(SIGBUS, NULL, &after), 0);
  assert_true(after.sa_handler == before.sa_handler);
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_maps_from_any_offset),
      cmocka_unit_test(test_refuses_bad_requests),
      cmocka_unit_test(test_shrunk_file_reads_as_zeros),
      cmocka_unit_test(test_other_sigbus_still_kills),
      cmocka_unit_test(test_close_restores_handler),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
