/* SPDX-License-Identifier: Apache-2.0 */
/* sql_category.c: the dbop.* category names of the classifier's bits
 * (sql_classify.h; the taxonomy of spec/interface.md). */
#include "sql/sql_classify.h"

const char *lv_sql_category_name(unsigned bit) {
  switch (bit) {
  case LV_SQL_DESTRUCTIVE: return "dbop.destructive";
  case LV_SQL_PRIVILEGE: return "dbop.privilege";
  case LV_SQL_EXFILTRATION: return "dbop.exfiltration";
  case LV_SQL_UNRESOLVED: return "dbop.unresolved";
  case LV_SQL_UNPARSABLE: return "dbop.unparsable";
  default: return NULL;
  }
}
