# With CLPROP_SANITIZE=ON (see the top-level CMakeLists.txt), every ctest test runs with these
# sanitizer settings; the command and the bench they spawn inherit them. Without it, nothing.
#
# - exitcode=86: a sanitizer report ends the process with a status no clprop path uses (clprop
#   exits 0, 1, 2 or 130), so a command test expecting "1 for bad input" can't mistake one for it.
# - A leak found in one of Criterion's per-test child processes only prints its report: Criterion
#   ignores the child's exit status once the test has passed. FAIL_REGULAR_EXPRESSION fails the
#   ctest test on any report in its output instead.
# - LSan: tests/sanitizers/lsan.supp (the OpenCL stack's own leaks, each explained there).
# - UBSan: -fno-sanitize-recover=undefined already aborts on the first report; print its stack.
function(clprop_sanitizer_environment test)
  if(NOT CLPROP_SANITIZE)
    return()
  endif()
  set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT
    "ASAN_OPTIONS=exitcode=86:detect_leaks=1:strict_string_checks=1"
    "LSAN_OPTIONS=exitcode=86:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=exitcode=86:print_stacktrace=1:halt_on_error=1")
  set_property(TEST ${test} PROPERTY FAIL_REGULAR_EXPRESSION
    "ERROR: AddressSanitizer" "ERROR: LeakSanitizer" "runtime error: ")
endfunction()
