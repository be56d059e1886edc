/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_winnow.c: fingerprints by winnowing (core/winnow.h) and the index
 * of registered documents (core/doc_index.h), in both directions: a copy,
 * a copied paragraph and an OCR-damaged copy are found; unrelated text
 * that shares the phrases every notice has is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/doc_index.h"
#include "core/normalize.h"
#include "core/winnow.h"
#include "levee/levee.h"
#include "util/limits.h"
#include "util/utf8.h"

/* Paragraphs of the kind levee's users register and send: official prose,
 * sharing set phrases (有关事项, 认真贯彻落实) across unrelated texts. */
static const char *const para[] = {
    "为进一步加强涉密载体管理，防止失泄密事件发生，经研究决定，自即日起在全"
    "系统开展涉密载体专项清查，各单位要对本单位保存的涉密文件资料逐件登记，"
    "核对份数和去向。",
    "关于二〇二四年第三季度重点项目资金调度情况，请财务处会同规划处于十月十"
    "五日前形成书面报告，重点说明滨江片区安置房项目超支原因及整改措施。",
    "会议听取了新能源装备产业园招商进展汇报，原则同意与华腾集团签订框架协议，"
    "首期投资不低于十二亿元，土地由开发区管委会负责在年内完成收储。",
    "请各单位认真贯彻落实，有关事项通知如下：一、高度重视，加强组织领导；二、"
    "明确责任，抓好工作落实；三、加强督查，确保取得实效。",
    "请各单位认真贯彻落实，有关事项通知如下：一、统一思想，提高认识；二、突出"
    "重点，狠抓落实；三、严明纪律，强化问责。",
    "经查，该公司于三月至六月间通过虚构交易向关联方转移资金共计三千四百万元，"
    "相关凭证已由审计组封存，待移送纪检监察机关进一步核查。",
};

static lv_norm norm;

static int setup(void **state) {
  (void)state;
  lv_norm_init(&norm);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  lv_norm_cleanup(&norm);
  return 0;
}

/* The fingerprints of text, into b (reset first). */
static size_t prints(const char *text, lv_buf *b) {
  lv_buf_reset(b);
  assert_int_equal(lv_normalize(&norm, text, strlen(text)), LEVEE_OK);
  assert_int_equal(lv_winnow(&norm, b), LEVEE_OK);
  return b->len / sizeof(lv_fingerprint);
}

static int same_prints(const char *a, const char *b) {
  lv_buf x, y;
  lv_buf_init(&x, 1u << 24);
  lv_buf_init(&y, 1u << 24);
  size_t nx = prints(a, &x), ny = prints(b, &y);
  int same = nx == ny;
  for (size_t i = 0; same && i < nx; i++)
    same = ((lv_fingerprint *)(void *)x.data)[i].hash ==
           ((lv_fingerprint *)(void *)y.data)[i].hash;
  lv_buf_cleanup(&x);
  lv_buf_cleanup(&y);
  return same;
}

static void test_short_texts(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 1u << 20);
  assert_int_equal(prints("", &b), 0);
  assert_int_equal(prints("一二三四五六七", &b), 0);   /* k - 1 */
  assert_int_equal(prints("一二三四五六七八", &b), 1); /* k: one k-gram */
  assert_int_equal(prints("机密，文件！！  ", &b), 0); /* punctuation: no */
  /* Fingerprints point into the normalized text, at k-grams. */
  size_t n = prints(para[0], &b);
  assert_true(n > 3);
  const lv_fingerprint *f = (const lv_fingerprint *)(void *)b.data;
  for (size_t i = 0; i < n; i++) {
    assert_true(f[i].start < f[i].end && f[i].end <= norm.len);
    assert_true(i == 0 || f[i].start > f[i - 1].start);
  }
  lv_buf_cleanup(&b);
}

/* What OCR and retyping change most does not change the fingerprints. */
static void test_invariance(void **state) {
  (void)state;
  assert_true(same_prints("为进一步加强涉密载体管理防止失泄密事件发生",
                          "为进一步加强 涉密载体管理，\n防止失泄密事件发生。"));
  assert_true(same_prints("为进一步加强涉密载体管理防止失泄密事件发生",
                          "為進一步加強涉密載體管理防止失洩密事件發生"));
  assert_true(same_prints("Project Polaris budget 2024 review",
                          "PROJECT polaris, budget (2024) review"));
  assert_false(same_prints("为进一步加强涉密载体管理防止失泄密事件发生",
                           "为进一步加强涉密载体管理防止失窃密事件发生"));
}

/* Winnowing's guarantee: a shared run of w + k - 1 characters gives a
 * common fingerprint, whatever surrounds it. */
static void test_guarantee(void **state) {
  (void)state;
  static const char alphabet[] = "的一是在不了有和人这中大为上个国我以要他时"
                                 "来用们生到作地于出就分对成会可主发年动同工"
                                 "也能下过子说产种面而方后多定行学法所民得经";
  size_t nalpha = strlen(alphabet) / 3;
  lv_buf a, b, t;
  lv_buf_init(&a, 1u << 20);
  lv_buf_init(&b, 1u << 20);
  lv_buf_init(&t, 1u << 20);
  srand(7);
  for (int trial = 0; trial < 200; trial++) {
    char shared[3 * 64 + 1], left[3 * 40 + 1], right[3 * 40 + 1];
    size_t len = LV_WINNOW_W + LV_WINNOW_K - 1 + (size_t)(rand() % 10);
    for (size_t i = 0; i < len; i++)
      memcpy(shared + 3 * i, alphabet + 3 * (size_t)(rand() % (int)nalpha), 3);
    shared[3 * len] = '\0';
    for (size_t i = 0; i < 40; i++) {
      memcpy(left + 3 * i, alphabet + 3 * (size_t)(rand() % (int)nalpha), 3);
      memcpy(right + 3 * i, alphabet + 3 * (size_t)(rand() % (int)nalpha), 3);
    }
    left[3 * 40] = right[3 * 40] = '\0';
    lv_buf_reset(&t);
    assert_int_equal(lv_buf_printf(&t, "%s%s%s", left, shared, right), 0);
    size_t na = prints(t.data, &a);
    lv_buf_reset(&t);
    assert_int_equal(lv_buf_printf(&t, "%s%s%s", right, shared, left), 0);
    size_t nb = prints(t.data, &b);
    int common = 0;
    const lv_fingerprint *fa = (const lv_fingerprint *)(void *)a.data,
                         *fb = (const lv_fingerprint *)(void *)b.data;
    for (size_t i = 0; i < na && !common; i++)
      for (size_t j = 0; j < nb && !common; j++)
        common = fa[i].hash == fb[j].hash;
    assert_true(common);
  }
  lv_buf_cleanup(&a);
  lv_buf_cleanup(&b);
  lv_buf_cleanup(&t);
}

/* An index of documents 0..n-1 made of paragraphs. */
static lv_doc_index *index_of(const char *const *docs, size_t n) {
  lv_doc_index *x;
  assert_int_equal(lv_doc_index_new(&x), LEVEE_OK);
  lv_buf b;
  lv_buf_init(&b, 1u << 24);
  for (size_t i = 0; i < n; i++) {
    size_t k = prints(docs[i], &b);
    assert_int_equal(
        lv_doc_index_add(x, (uint32_t)i, (lv_fingerprint *)(void *)b.data, k),
        LEVEE_OK);
  }
  lv_buf_cleanup(&b);
  assert_int_equal(lv_doc_index_seal(x), LEVEE_OK);
  return x;
}

/* Which registered documents text matches: a bit per document. */
static unsigned matched(const lv_doc_index *x, const char *text,
                        double *fraction) {
  lv_buf b;
  lv_buf_init(&b, 1u << 24);
  size_t n = prints(text, &b);
  lv_doc_match m[8];
  size_t found = 0;
  assert_int_equal(
      lv_doc_index_match(x, (lv_fingerprint *)(void *)b.data, n, m, 8, &found),
      LEVEE_OK);
  unsigned bits = 0;
  for (size_t i = 0; i < found; i++) {
    bits |= 1u << m[i].id;
    assert_true(m[i].matched <= m[i].total);
    assert_true(m[i].start < m[i].end && m[i].end <= norm.len);
  }
  if (fraction)
    *fraction = found ? (double)m[0].matched / m[0].total : 0;
  lv_buf_cleanup(&b);
  return bits;
}

static void test_documents_both_ways(void **state) {
  (void)state;
  /* Registered: 0 = paragraphs 0 and 1; 1 = paragraph 2; 2 = paragraph 5. */
  char d0[2048], mixed[4096];
  snprintf(d0, sizeof d0, "%s\n%s", para[0], para[1]);
  const char *docs[] = {d0, para[2], para[5]};
  lv_doc_index *x = index_of(docs, 3);
  assert_int_equal(lv_doc_index_documents(x), 3);
  double frac = 0;
  /* A copy of the whole. */
  assert_int_equal(matched(x, d0, &frac), 1u << 0);
  assert_true(frac > 0.99);
  /* One paragraph of it, inside other text. */
  snprintf(mixed, sizeof mixed, "大家看一下这个：%s 明天上午讨论。", para[1]);
  assert_int_equal(matched(x, mixed, &frac), 1u << 0);
  assert_true(frac > 0.3 && frac < 0.8);
  /* Read back by OCR: a character in 25 misread, spaces and breaks. */
  char ocr[2048];
  size_t o = 0, chars = 0;
  for (const char *p = para[2]; *p;) {
    int32_t cp;
    int len = lv_utf8_decode((const unsigned char *)p, strlen(p), &cp);
    if (++chars % 25 == 0) {
      memcpy(ocr + o, "未", 3);
      o += 3;
    } else {
      memcpy(ocr + o, p, (size_t)len);
      o += (size_t)len;
    }
    if (chars % 17 == 0)
      ocr[o++] = chars % 34 ? ' ' : '\n';
    p += len;
  }
  ocr[o] = '\0';
  assert_int_equal(matched(x, ocr, NULL), 1u << 1);
  /* Unrelated notices sharing the set phrases of every notice. */
  assert_int_equal(matched(x, para[3], NULL), 0);
  assert_int_equal(matched(x, para[4], NULL), 0);
  snprintf(mixed, sizeof mixed, "%s%s", para[3], para[4]);
  assert_int_equal(matched(x, mixed, NULL), 0);
  lv_doc_index_free(x);
  /* The two boilerplate notices registered: neither finds the other. */
  const char *boiler[] = {para[3]};
  x = index_of(boiler, 1);
  assert_int_equal(matched(x, para[4], NULL), 0);
  assert_int_equal(matched(x, para[3], NULL), 1u);
  lv_doc_index_free(x);
}

/* A short registered text (a code name and a figure) is found whole. */
static void test_short_registration(void **state) {
  (void)state;
  const char *docs[] = {"北极星项目首期预算三千二百万元由集团总部直接拨付"};
  lv_doc_index *x = index_of(docs, 1);
  assert_int_equal(
      matched(x, "听说北极星项目首期预算三千二百万元由集团总部直接拨付了",
              NULL),
      1u);
  assert_int_equal(matched(x, "北极星项目下周开会", NULL), 0);
  lv_doc_index_free(x);
}

/* A query of n fingerprints: those of doc at the places in at[] (the
 * others unrelated). */
static void query(lv_fingerprint *q, size_t n, const lv_fingerprint *doc,
                  const size_t *at, size_t n_at) {
  for (size_t i = 0; i < n; i++)
    q[i] = (lv_fingerprint){0x9e3779b97f4a7c15ull * (i + 1000), 0, 0};
  for (size_t k = 0; k < n_at; k++)
    q[at[k]] = (lv_fingerprint){doc[k].hash, 0, 0};
}

/* Six of a long document's fingerprints match when they come together (a
 * copied paragraph), not when they are scattered over a page (set phrases
 * other notices share), unless the index accepts them scattered. */
static void test_together_or_scattered(void **state) {
  (void)state;
  enum { DOC = 100, Q = 200 };
  lv_fingerprint doc[DOC], q[Q];
  for (size_t i = 0; i < DOC; i++)
    doc[i] = (lv_fingerprint){0x2545f4914f6cdd1dull * (i + 1), 0, 0};
  static const size_t together[] = {50, 51, 53, 55, 58, 60};
  static const size_t scattered[] = {0, 30, 60, 90, 120, 150};
  for (int loose = 0; loose < 2; loose++) {
    lv_doc_index *x;
    assert_int_equal(lv_doc_index_new(&x), LEVEE_OK);
    if (loose)
      lv_doc_index_accept_scattered(x);
    assert_int_equal(lv_doc_index_add(x, 1, doc, DOC), LEVEE_OK);
    assert_int_equal(lv_doc_index_seal(x), LEVEE_OK);
    lv_doc_match m[2];
    size_t found = 9;
    query(q, Q, doc, together, 6);
    assert_int_equal(lv_doc_index_match(x, q, Q, m, 2, &found), LEVEE_OK);
    assert_int_equal(found, 1);
    assert_int_equal(m[0].matched, 6);
    query(q, Q, doc, scattered, 6);
    assert_int_equal(lv_doc_index_match(x, q, Q, m, 2, &found), LEVEE_OK);
    assert_int_equal(found, (size_t)loose);
    /* Five together are not enough. */
    query(q, Q, doc, together, 5);
    assert_int_equal(lv_doc_index_match(x, q, Q, m, 2, &found), LEVEE_OK);
    assert_int_equal(found, 0);
    lv_doc_index_free(x);
  }
  /* A fifth of the document, scattered (a page read back by OCR). */
  lv_doc_index *x;
  assert_int_equal(lv_doc_index_new(&x), LEVEE_OK);
  assert_int_equal(lv_doc_index_add(x, 1, doc, DOC), LEVEE_OK);
  assert_int_equal(lv_doc_index_seal(x), LEVEE_OK);
  size_t fifth[20];
  for (size_t k = 0; k < 20; k++)
    fifth[k] = k * 9;
  lv_doc_match m[2];
  size_t found = 0;
  query(q, Q, doc, fifth, 20);
  assert_int_equal(lv_doc_index_match(x, q, Q, m, 2, &found), LEVEE_OK);
  assert_int_equal(found, 1);
  query(q, Q, doc, fifth, 19);
  assert_int_equal(lv_doc_index_match(x, q, Q, m, 2, &found), LEVEE_OK);
  assert_int_equal(found, 0);
  lv_doc_index_free(x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_short_texts),
      cmocka_unit_test(test_invariance),
      cmocka_unit_test(test_guarantee),
      cmocka_unit_test(test_documents_both_ways),
      cmocka_unit_test(test_short_registration),
      cmocka_unit_test(test_together_or_scattered),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
