# Makes the Debian packages as `cpack -G DEB` in the build folder does, into a folder of its
# own, and checks what they hold and depend on: poolscope with the program, the library (its
# SONAME) and the desktop entry, depending on the libraries the binaries link (read by
# dpkg-shlibdeps); libpoolscope-dev with the headers, the CMake package and poolscope.pc,
# depending on poolscope of the same version. Run by ctest: cmake -DCPACK=... -P this file.
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${CPACK} -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK_DIR}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cpack failed:\n${out}\n${err}")
endif()

function(expect_in package field text)
  file(GLOB deb ${WORK_DIR}/${package}_*.deb)
  if(NOT deb)
    message(FATAL_ERROR "no ${package} package in ${WORK_DIR}")
  endif()
  if(field STREQUAL "contents")
    execute_process(COMMAND dpkg-deb -c ${deb} OUTPUT_VARIABLE value)
  else()
    execute_process(COMMAND dpkg-deb -f ${deb} ${field} OUTPUT_VARIABLE value)
  endif()
  string(FIND "${value}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${package}'s ${field} lacks '${text}':\n${value}")
  endif()
endfunction()

foreach(dependency libqt6widgets6 libtbb12 libpng16-16 libjpeg62-turbo libsqlite3-0 libzstd1 libdw1
                   libunwind8 libqcustomplot2.1-qt6)
  expect_in(poolscope Depends ${dependency})
endforeach()
foreach(file ./usr/bin/poolscope ./usr/lib/libpoolscope.so.0
             ./usr/share/applications/poolscope.desktop ./usr/share/poolscope/samples/meadow.jpg
             ./usr/share/icons/hicolor/scalable/apps/poolscope.svg)
  expect_in(poolscope contents ${file})
endforeach()
expect_in(libpoolscope-dev Depends "poolscope (= ${VERSION})")
expect_in(libpoolscope-dev Depends libtbb-dev)
foreach(file ./usr/include/poolscope/poolscope.h ./usr/include/poolscope/LeakCheckpoint.h
             ./usr/lib/cmake/PoolScope/PoolScopeConfig.cmake ./usr/lib/pkgconfig/poolscope.pc
             ./usr/lib/libpoolscope.so)
  expect_in(libpoolscope-dev contents ${file})
endforeach()
message(STATUS "the Debian packages hold what they should")
