# SPDX-License-Identifier: Apache-2.0
# The normalization fold table (layout in src/core/fold_table.h) is generated
# at build time by tools/gen_fold.c from utf8proc (NFKC_Casefold) and OpenCC's
# TSCharacters dictionary, so the run-time normalizer is one table lookup per
# code point.
#
# The generator is a host program built in this tree (it gets the sanitizer
# flags of a debug build like everything else, which it survives); its output
# is ${LEVEE_GEN_DIR}/fold_table.c, compiled into levee_core. The dictionary
# comes from Debian's opencc data (package libopencc-data, pulled in by
# opencc).
find_file(LEVEE_OPENCC_TS_DICT TSCharacters.ocd2
          PATHS /usr/share/opencc /usr/local/share/opencc
          NO_DEFAULT_PATH REQUIRED)
add_executable(gen_fold tools/gen_fold.c)
target_include_directories(gen_fold PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(gen_fold PRIVATE PkgConfig::UTF8PROC PkgConfig::OPENCC)
add_custom_command(
  OUTPUT ${LEVEE_GEN_DIR}/fold_table.c
  COMMAND gen_fold ${LEVEE_OPENCC_TS_DICT} ${LEVEE_GEN_DIR}/fold_table.c
  DEPENDS gen_fold ${LEVEE_OPENCC_TS_DICT}
  COMMENT "Generating the fold table (utf8proc NFKC_Casefold + OpenCC TSCharacters)")
list(APPEND LEVEE_GENERATED_SOURCES ${LEVEE_GEN_DIR}/fold_table.c)
