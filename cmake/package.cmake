# `cpack -G DEB` in the build folder: clprop_<version>_<arch>.deb holding what cmake/install.cmake
# installs, under /usr. Included from the top-level CMakeLists.txt, after the install rules.
set(CPACK_PACKAGE_NAME clprop)
set(CPACK_PACKAGE_VENDOR "clprop developers")
set(CPACK_PACKAGE_CONTACT "clprop developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "multilayer perceptrons trained by backpropagation in OpenCL (library and command)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# CPack installs into its staging folder with DESTDIR and this prefix, so clprop.pc (written at
# install time) names /usr.
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # clprop_0.9.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# What libclprop and the programs load (the OpenCL loader, CLBlast, zlib, the C library),
# and an OpenCL driver, without which there is no device to run on: PoCL on any CPU, or any other
# installable client driver.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, ocl-icd-libopencl1 | libopencl1, libclblast1, zlib1g, pocl-opencl-icd | opencl-icd")
# The MPI build's command and libclprop_mpi load Open MPI's library.
if(MPI_C_FOUND)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libopenmpi3")
endif()
# The ONNX export (cmake/onnx.cmake) links the command against protobuf-c's runtime.
if(CLPROP_WITH_ONNX)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libprotobuf-c1")
endif()
include(CPack)
