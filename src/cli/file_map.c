/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file_map.c: a read-only file mapping guarded against SIGBUS (file_map.h).
 */
#include "cli/file_map.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The open mapping, for the handler: base, and [lo, hi) in whole pages
 * (lo is base's address). */
static char *_Atomic map_base;
static _Atomic uintptr_t map_lo, map_hi;
static volatile sig_atomic_t map_lost;
static struct sigaction previous;
static uintptr_t page_mask;

/* Runs in the thread whose read faulted. Zero pages over the lost range
 * make the read, which the kernel restarts on return, see zeros. mmap(2)
 * is a plain system call on Linux, safe in a handler. */
static void on_sigbus(int sig, siginfo_t *si, void *uctx) {
  (void)sig;
  (void)uctx;
  uintptr_t a = (uintptr_t)si->si_addr;
  uintptr_t lo = atomic_load(&map_lo), hi = atomic_load(&map_hi);
  if (si->si_code == BUS_ADRERR && a >= lo && a < hi) {
    uintptr_t page = a & page_mask;
    void *p = mmap(atomic_load(&map_base) + (page - lo), hi - page, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p != MAP_FAILED) {
      map_lost = 1;
      return;
    }
  }
  /* Not ours: the fault happens again, under the handler before ours. */
  sigaction(SIGBUS, &previous, NULL);
}

int lv_file_map_open(lv_file_map *m, int fd, off_t offset, size_t len) {
  memset(m, 0, sizeof *m);
  if (!len || offset < 0)
    return -EINVAL;
  if (atomic_load(&map_hi))
    return -EBUSY;
  long ps = sysconf(_SC_PAGESIZE);
  if (ps <= 0)
    return -EINVAL;
  page_mask = ~(uintptr_t)(ps - 1);
  off_t start = offset & (off_t)page_mask;
  size_t skip = (size_t)(offset - start);
  if (len > SIZE_MAX - skip - (size_t)ps)
    return -EFBIG;
  size_t base_len = len + skip;
  void *p = mmap(NULL, base_len, PROT_READ, MAP_PRIVATE, fd, start);
  if (p == MAP_FAILED)
    return -errno;
  /* Read ahead and drop behind: levee reads the file once, in order. */
  (void)madvise(p, base_len, MADV_SEQUENTIAL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  map_lost = 0;
  atomic_store(&map_base, (char *)p);
  atomic_store(&map_lo, (uintptr_t)p);
  atomic_store(&map_hi,
               ((uintptr_t)p + base_len + (uintptr_t)ps - 1) & page_mask);
  if (sigaction(SIGBUS, &sa, &previous)) {
    int e = errno;
    atomic_store(&map_hi, 0);
    atomic_store(&map_lo, 0);
    munmap(p, base_len);
    return -e;
  }
  m->base = p;
  m->base_len = base_len;
  m->data = (const char *)p + skip;
  m->len = len;
  return 0;
}

int lv_file_map_lost(void) {
  return map_lost != 0;
}

void lv_file_map_close(lv_file_map *m) {
  if (!m->base)
    return;
  sigaction(SIGBUS, &previous, NULL);
  atomic_store(&map_hi, 0);
  atomic_store(&map_lo, 0);
  munmap(m->base, m->base_len);
  memset(m, 0, sizeof *m);
}
