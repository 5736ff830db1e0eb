# `clprop export --format onnx`: the model as an ONNX file, encoded by protobuf-c over ONNX's own
# schema. protoc-c turns onnx.proto (Debian's libonnx-dev ships it as /usr/include/onnx/onnx.proto)
# into C at build time; nothing of ONNX is kept in this tree. Built when protoc-c, libprotobuf-c
# and onnx.proto are all found (.ci/setup installs protobuf-c-compiler, libprotobuf-c-dev and
# libonnx-dev); otherwise the command says how to get it. CLPROP_ONNX=OFF leaves it out anyway.
# Included from the top-level CMakeLists.txt after the command's target.
option(CLPROP_ONNX "Build ONNX export when protobuf-c and onnx.proto are found" ON)

set(CLPROP_WITH_ONNX OFF)
if(CLPROP_ONNX)
  find_program(CLPROP_PROTOC_C protoc-c)
  find_path(CLPROP_PROTOBUF_C_INCLUDE protobuf-c/protobuf-c.h)
  find_library(CLPROP_PROTOBUF_C_LIBRARY protobuf-c)
  # The folder that holds onnx/onnx.proto: protoc-c is run from there, so the generated code is
  # onnx/onnx.pb-c.{c,h} and includes itself as "onnx/onnx.pb-c.h".
  find_path(CLPROP_ONNX_PROTO_DIR onnx/onnx.proto)
  if(CLPROP_PROTOC_C AND CLPROP_PROTOBUF_C_INCLUDE AND CLPROP_PROTOBUF_C_LIBRARY
     AND CLPROP_ONNX_PROTO_DIR)
    set(CLPROP_WITH_ONNX ON)
  endif()
endif()
# For scripts that read the build's cache (tests/sanitizers/valgrind-check.sh).
set(CLPROP_WITH_ONNX ${CLPROP_WITH_ONNX} CACHE INTERNAL "ONNX export is built")

if(NOT CLPROP_WITH_ONNX)
  if(CLPROP_ONNX)
    message(STATUS "protoc-c, libprotobuf-c or onnx/onnx.proto not found: no ONNX export "
                   "(install protobuf-c-compiler libprotobuf-c-dev libonnx-dev)")
  else()
    message(STATUS "CLPROP_ONNX is OFF: no ONNX export")
  endif()
  return()
endif()

set(CLPROP_ONNX_GENERATED ${PROJECT_BINARY_DIR}/generated/onnx)
set(CLPROP_ONNX_PROTO ${CLPROP_ONNX_PROTO_DIR}/onnx/onnx.proto)
add_custom_command(
  OUTPUT ${CLPROP_ONNX_GENERATED}/onnx/onnx.pb-c.c ${CLPROP_ONNX_GENERATED}/onnx/onnx.pb-c.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CLPROP_ONNX_GENERATED}
  COMMAND ${CLPROP_PROTOC_C} --proto_path=${CLPROP_ONNX_PROTO_DIR}
          --c_out=${CLPROP_ONNX_GENERATED} ${CLPROP_ONNX_PROTO}
  DEPENDS ${CLPROP_ONNX_PROTO}
  COMMENT "Generating the ONNX schema's C code with protoc-c"
  VERBATIM)

# The encoder (host/onnx/, a client of the public header like the command) and the generated
# code, as one static library for the command and the tests; libclprop itself stays free of
# protobuf-c. The generated file gets the compiler's defaults, not our warning list.
add_library(clprop_onnx STATIC ${PROJECT_SOURCE_DIR}/host/onnx/model_onnx.c
            ${CLPROP_ONNX_GENERATED}/onnx/onnx.pb-c.c)
target_include_directories(clprop_onnx PUBLIC ${PROJECT_SOURCE_DIR}/host/onnx
                           ${CLPROP_ONNX_GENERATED} ${CLPROP_PROTOBUF_C_INCLUDE})
set_source_files_properties(${PROJECT_SOURCE_DIR}/host/onnx/model_onnx.c PROPERTIES
                            COMPILE_OPTIONS "${CLPROP_WARNINGS}")
target_link_libraries(clprop_onnx PUBLIC clprop ${CLPROP_PROTOBUF_C_LIBRARY})

target_compile_definitions(clprop_cli PRIVATE CLPROP_WITH_ONNX=1)
target_link_libraries(clprop_cli PRIVATE clprop_onnx)
message(STATUS "protobuf-c and ${CLPROP_ONNX_PROTO} found: building ONNX export")
