# SPDX-License-Identifier: Apache-2.0
# levee_embed(SYMBOL FILE): compiles FILE's bytes into the library as
#   const unsigned char SYMBOL[]; const size_t SYMBOL_len;
# (NUL-terminated for convenience, the terminator not counted), so the core
# layer reads its shipped data (lexicons, code tables, default policy) without
# touching the file system.
set(LEVEE_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)
function(levee_embed symbol file)
  set(out ${LEVEE_GEN_DIR}/embed_${symbol}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/${file} -DOUT=${out} -DSYM=${symbol}
            -P ${LEVEE_EMBED_SCRIPT}
    DEPENDS ${CMAKE_SOURCE_DIR}/${file} ${LEVEE_EMBED_SCRIPT}
    COMMENT "Embedding ${file}")
  set(LEVEE_GENERATED_SOURCES ${LEVEE_GENERATED_SOURCES} ${out} PARENT_SCOPE)
endfunction()
