# What `cmake --install` lays out and `cpack -G DEB` packs, in two components: runtime (the
# program, the engine's shared library, the preload interposer, the desktop entry, icons and
# samples) and development (the public headers, the CMake package and poolscope.pc). The README
# names the public headers.
include(CMakePackageConfigHelpers)

set(POOLSCOPE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/PoolScope)

install(TARGETS poolscope_engine EXPORT PoolScopeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development)
# The interposer `poolscope launch` preloads into a program: beside the engine, in the runtime
# package with the program that uses it. A module to load, not to link: no namelink.
install(TARGETS poolscope_preload
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_SKIP)

# The engine's library API: memory, diagnostics, imaging and what they share. They include each
# other as "folder/Header.h", so the package puts include/poolscope on the include path beside
# include/ (for <poolscope/poolscope.h>). gc/, recording/, scenarios/ and client/'s own
# headers stay private.
foreach(folder base memory diagnostics imaging)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/${folder}
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/poolscope COMPONENT development
    FILES_MATCHING PATTERN "*.h")
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/client/poolscope/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/poolscope COMPONENT development
  FILES_MATCHING PATTERN "*.h")

install(EXPORT PoolScopeTargets NAMESPACE PoolScope:: DESTINATION ${POOLSCOPE_CMAKE_DIR}
  COMPONENT development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/PoolScopeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/PoolScopeConfig.cmake INSTALL_DESTINATION ${POOLSCOPE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/PoolScopeConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/PoolScopeConfig.cmake
              ${PROJECT_BINARY_DIR}/PoolScopeConfigVersion.cmake
  DESTINATION ${POOLSCOPE_CMAKE_DIR} COMPONENT development)

# pkg-config paths relative to the .pc file's own place, so that an install moved to another
# prefix (a Debian package built for /usr/local and installed in /usr) still points home.
file(RELATIVE_PATH POOLSCOPE_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/poolscope.pc.in ${PROJECT_BINARY_DIR}/poolscope.pc
  @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/poolscope.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/samples/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/poolscope/samples COMPONENT runtime)

if(NOT POOLSCOPE_ENGINE_ONLY)
  # The program finds the engine beside it wherever the prefix is moved.
  set_target_properties(poolscope PROPERTIES
    INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS poolscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/poolscope.desktop
    DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT runtime)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/poolscope.svg
    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps COMPONENT runtime)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/poolscope.png
    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps COMPONENT runtime)
endif()

# Debian packages: poolscope, whose Depends dpkg-shlibdeps reads from the binaries, and
# libpoolscope-dev, which needs what find_dependency() looks for.
set(CPACK_PACKAGE_NAME poolscope)
set(CPACK_PACKAGE_VENDOR "PoolScope")
set(CPACK_PACKAGE_CONTACT "PoolScope <poolscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Memory inspector for a pooled image-memory allocator and a managed heap")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME poolscope)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libpoolscope-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS
  "poolscope (= ${PROJECT_VERSION}), libtbb-dev, pkg-config")
include(CPack)
