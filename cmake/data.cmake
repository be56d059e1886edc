# SPDX-License-Identifier: Apache-2.0
# Every file under data/ (except README/ATTRIBUTION notes) is compiled into the
# library with levee_embed(). The symbol is lv_data_ + the path below data/ with
# non-identifier characters turned into '_':
#   data/lexicon/abusive_zh.txt -> lv_data_lexicon_abusive_zh_txt
# The default policy is embedded as lv_data_default_policy.
file(GLOB_RECURSE LEVEE_DATA_FILES CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR}
     ${CMAKE_SOURCE_DIR}/data/*.txt ${CMAKE_SOURCE_DIR}/data/*.tsv)
foreach(f ${LEVEE_DATA_FILES})
  string(REGEX REPLACE "^data/" "" rel ${f})
  string(MAKE_C_IDENTIFIER "lv_data_${rel}" sym)
  levee_embed(${sym} ${f})
endforeach()
levee_embed(lv_data_default_policy policies/default.yaml)
