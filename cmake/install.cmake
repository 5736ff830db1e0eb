# What `cmake --install` puts under the prefix: the libraries, the public headers, the command and
# the bench, the man pages, and the descriptions for pkg-config and find_package.
# Included from the top-level CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CLPROP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/clprop)

install(TARGETS clprop_shared clprop EXPORT clprop-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS clprop_cli clprop-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/clprop.h ${CLPROP_GENERATED_INCLUDE}/clprop_version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The MPI build's library (include/clprop_mpi.h), when MPI was found.
if(MPI_C_FOUND)
  install(TARGETS clprop_mpi EXPORT clprop-targets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/include/clprop_mpi.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
install(FILES ${CLPROP_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# find_package(clprop): the targets, a config that finds their dependencies first, and a version
# file. SameMajorVersion matches the library's SOVERSION: every 0.x keeps the ABI of 0.
install(EXPORT clprop-targets NAMESPACE clprop:: FILE clprop-targets.cmake
        DESTINATION ${CLPROP_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/clprop-config.cmake.in
                              ${PROJECT_BINARY_DIR}/clprop-config.cmake
                              INSTALL_DESTINATION ${CLPROP_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/clprop-config-version.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/clprop-config.cmake
              ${PROJECT_BINARY_DIR}/clprop-config-version.cmake
        DESTINATION ${CLPROP_CMAKE_DIR})

# clprop.pc names absolute paths, and the prefix is only known when installing (`--prefix`, or
# /usr when CPack builds the package), so it is written then, just before it is copied.
set(CLPROP_PC_FILE ${PROJECT_BINARY_DIR}/pkgconfig/clprop.pc)
install(CODE "
  set(CLPROP_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CLPROP_PC_LIBDIR \"\\\${prefix}/${CMAKE_INSTALL_LIBDIR}\")
  set(CLPROP_PC_INCLUDEDIR \"\\\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/clprop.pc.in\" \"${CLPROP_PC_FILE}\" @ONLY)")
install(FILES ${CLPROP_PC_FILE} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
