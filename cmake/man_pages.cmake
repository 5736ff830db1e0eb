# clprop(1) and clprop-bench(1), generated at build time from the programs' --help texts by
# cmake/man_page.cmake. Included from the top-level CMakeLists.txt.
set(CLPROP_MAN_DIR ${PROJECT_BINARY_DIR}/man)

# clprop_man_page(TARGET SUMMARY): ${CLPROP_MAN_DIR}/<output name of TARGET>.1
function(clprop_man_page target name summary)
  set(page ${CLPROP_MAN_DIR}/${name}.1)
  set(tail ${PROJECT_SOURCE_DIR}/cmake/man/${name}.tail.roff)
  # LSan off: a sanitizer build runs the program here too, and the build is not the place for
  # its reports (the test suite is).
  add_custom_command(
    OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
            ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${target}> -DNAME=${name}
            "-DSUMMARY=${summary}" -DVERSION=${PROJECT_VERSION} -DTAIL=${tail} -DOUTPUT=${page}
            -P ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake ${tail}
    COMMENT "Writing the man page ${name}(1)"
    VERBATIM)
  set(CLPROP_MAN_PAGES ${CLPROP_MAN_PAGES} ${page} PARENT_SCOPE)
endfunction()

set(CLPROP_MAN_PAGES "")
clprop_man_page(clprop_cli clprop
                "train and run multilayer perceptrons on OpenCL devices")
clprop_man_page(clprop-bench clprop-bench
                "validate and time clprop's OpenCL kernels and training")
add_custom_target(clprop_man_pages ALL DEPENDS ${CLPROP_MAN_PAGES})
