# Installs the build into a prefix of its own and uses it as a user would: checks the layout
# (public headers in, private ones out), builds tests/client/consumer with find_package and
# consumer.c with pkg-config, builds the example thumbnailer against the package and runs it
# recorded through POOLSCOPE_RECORD, then gates the recording with the installed
# `poolscope report --fail-on-leak`. Run by ctest: cmake -DBUILD_DIR=... -P InstallTest.cmake.
cmake_minimum_required(VERSION 3.25)

function(run)
  cmake_parse_arguments(ARG "" "" "COMMAND" ${ARGN})
  execute_process(COMMAND ${ARG_COMMAND} RESULT_VARIABLE status OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " shown "${ARG_COMMAND}")
    message(FATAL_ERROR "'${shown}' failed (${status}):\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
run(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

file(GLOB library ${prefix}/lib*/libpoolscope.so.0 ${prefix}/lib*/*/libpoolscope.so.0)
if(NOT library)
  message(FATAL_ERROR "no libpoolscope.so.0 (the SONAME) under ${prefix}")
endif()
get_filename_component(libdir ${library} DIRECTORY)
foreach(file bin/poolscope
             include/poolscope/poolscope.h include/poolscope/LeakCheckpoint.h
             include/poolscope/imaging/Image.h include/poolscope/memory/MemoryAllocator.h
             include/poolscope/diagnostics/MemoryDiagnostics.h include/poolscope/base/Clock.h
             share/applications/poolscope.desktop
             share/icons/hicolor/scalable/apps/poolscope.svg
             share/icons/hicolor/256x256/apps/poolscope.png
             share/poolscope/samples/meadow.jpg)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "the install lacks ${file}")
  endif()
endforeach()
foreach(file ${libdir}/libpoolscope.so ${libdir}/cmake/PoolScope/PoolScopeConfig.cmake
             ${libdir}/cmake/PoolScope/PoolScopeConfigVersion.cmake
             ${libdir}/pkgconfig/poolscope.pc)
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "the install lacks ${file}")
  endif()
endforeach()
foreach(private gc recording scenarios client link)
  if(EXISTS ${prefix}/include/poolscope/${private})
    message(FATAL_ERROR "the private headers of ${private}/ were installed")
  endif()
endforeach()
run(COMMAND ${prefix}/bin/poolscope --version)

# find_package(PoolScope)
run(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/consumer -B ${WORK_DIR}/consumer -G ${GENERATOR}
            -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
run(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run(COMMAND ${WORK_DIR}/consumer/consumer)
run(COMMAND ${WORK_DIR}/consumer/c_consumer)

# pkg-config poolscope, with a C compiler and nothing else
find_program(PKG_CONFIG pkg-config REQUIRED)
find_program(CC NAMES cc gcc REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs poolscope RESULT_VARIABLE status
                OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pkg-config does not know poolscope")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run(COMMAND ${CC} -std=c11 -Wall -o ${WORK_DIR}/pkgconfig_consumer ${SOURCE_DIR}/consumer/consumer.c
            ${flags} -Wl,-rpath,${libdir})
run(COMMAND ${WORK_DIR}/pkgconfig_consumer)

# The example client against the package, recorded, and gated by the installed poolscope.
run(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/thumbnailer -B ${WORK_DIR}/thumbnailer
            -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
run(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/thumbnailer)
set(ENV{POOLSCOPE_RECORD} ${WORK_DIR}/thumbnails.psrec)
run(COMMAND ${WORK_DIR}/thumbnailer/poolscope_thumbnailer ${SAMPLES} ${WORK_DIR}/thumbnails)
unset(ENV{POOLSCOPE_RECORD})
run(COMMAND ${prefix}/bin/poolscope report ${WORK_DIR}/thumbnails.psrec --fail-on-leak)
message(STATUS "the installed package works")
