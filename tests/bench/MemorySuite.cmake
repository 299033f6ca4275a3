# scripts/bench memory. The peer allocators are not linked: linking jemalloc or mimalloc would
# replace malloc for the whole process. The benchmark loads them with dlopen at run time, from
# the paths found here, so that a missing peer is a configure error rather than a surprise later.
find_library(POOLSCOPE_JEMALLOC_LIBRARY NAMES jemalloc REQUIRED
             DOC "jemalloc, dlopen'ed by the benchmarks (Debian: libjemalloc-dev)")
find_library(POOLSCOPE_MIMALLOC_LIBRARY NAMES mimalloc REQUIRED
             DOC "mimalloc, dlopen'ed by the benchmarks (Debian: libmimalloc-dev)")

add_executable(memory_bench MemoryBenchmark.cpp PeerAllocator.cpp)
# libunwind directly too: the suite times the bare stack walk beside captureStack().
target_link_libraries(memory_bench PRIVATE poolscope_engine poolscope_bench_support
                                           PkgConfig::LIBUNWIND Threads::Threads ${CMAKE_DL_LIBS})
target_compile_options(memory_bench PRIVATE -Wall -Wextra)
target_compile_definitions(memory_bench PRIVATE
  POOLSCOPE_JEMALLOC_LIBRARY="${POOLSCOPE_JEMALLOC_LIBRARY}"
  POOLSCOPE_MIMALLOC_LIBRARY="${POOLSCOPE_MIMALLOC_LIBRARY}")
