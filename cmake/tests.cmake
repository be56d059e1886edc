# SPDX-License-Identifier: Apache-2.0
# Tests under ctest:
#   unit/<name>         tests/unit/test_<module>.c, cmocka, one per module
#   integration/<name>  tests/integration/test_*.sh, run with LEVEE=<binary>
#   fuzz-replay/<name>  every libFuzzer target replays its corpus once (-runs=0)
file(GLOB LEVEE_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${LEVEE_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  # levee_extract_objs: the extraction module's readers, for their tests.
  target_link_libraries(${name} PRIVATE levee_core levee_extract_objs PkgConfig::CMOCKA
                        PkgConfig::JANSSON PkgConfig::UTF8PROC PkgConfig::OPENCC)
  add_dependencies(${name} levee-extract)
  add_test(NAME unit/${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endforeach()
# The net layer's unit tests.
target_link_libraries(test_rate_limit PRIVATE levee_net)
target_link_libraries(test_http PRIVATE levee_net)
target_link_libraries(test_alert_format PRIVATE levee_net)
target_link_libraries(test_alert PRIVATE levee_net)
target_link_libraries(test_auth PRIVATE levee_net)
target_link_libraries(test_store_writer PRIVATE levee_net)
# The database guard's: the SQL classifier, the wire protocol.
target_link_libraries(test_sql_classify PRIVATE levee_sql)
target_link_libraries(test_sql_cache PRIVATE levee_sql)
target_link_libraries(test_pg_wire PRIVATE levee_dbguard)
target_link_libraries(test_dbguard_audit PRIVATE levee_dbguard)

file(GLOB LEVEE_INTEGRATION_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/integration/test_*.sh)
foreach(script ${LEVEE_INTEGRATION_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME integration/${name} COMMAND bash ${script} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  # Exit 77: the test could not run here (a tool it needs is missing);
  # ctest shows it as skipped, not passed.
  set_tests_properties(integration/${name} PROPERTIES ENVIRONMENT
    "LEVEE=$<TARGET_FILE:levee>;LEVEE_BUILD=${CMAKE_BINARY_DIR};LEVEE_SRC=${CMAKE_SOURCE_DIR}"
    SKIP_RETURN_CODE 77)
endforeach()

if(LEVEE_FUZZ)
  target_compile_options(levee_core PRIVATE -fsanitize=fuzzer-no-link)
  target_compile_options(levee_extract_objs PRIVATE -fsanitize=fuzzer-no-link)
  file(GLOB LEVEE_FUZZERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
  foreach(src ${LEVEE_FUZZERS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE levee_core levee_extract_objs PkgConfig::JANSSON)
    add_test(NAME fuzz-replay/${name}
             COMMAND ${name} -runs=0 ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
  endforeach()
  # levee serve's request path, through the API's handler.
  target_compile_options(levee_net PRIVATE -fsanitize=fuzzer-no-link)
  target_link_libraries(fuzz_api PRIVATE levee_net)
  # The database guard: the wire protocol's parser, the SQL classifier.
  target_compile_options(levee_sql PRIVATE -fsanitize=fuzzer-no-link)
  target_compile_options(levee_dbguard PRIVATE -fsanitize=fuzzer-no-link)
  target_link_libraries(fuzz_pg_wire PRIVATE levee_dbguard)
  target_link_libraries(fuzz_sql_classify PRIVATE levee_sql)
  # Alert message bodies and receivers' answers.
  target_link_libraries(fuzz_alert_format PRIVATE levee_net)
  # A CLI parser, compiled in (the CLI is not a library).
  target_sources(fuzz_registration
                 PRIVATE ${CMAKE_SOURCE_DIR}/src/cli/registration_detail.c)
endif()

# The CLI is not a library: its unit-tested modules are compiled in.
target_sources(test_file_map PRIVATE ${CMAKE_SOURCE_DIR}/src/cli/file_map.c)
