# scripts/bench preload: `poolscope launch` (the interposer, the launcher's reader and the
# recording) against heaptrack on the same programs: slowdown, the tracker process's peak memory
# and the recording's size.
add_executable(preload_bench PreloadBenchmark.cpp)
target_link_libraries(preload_bench PRIVATE poolscope_engine)
target_compile_options(preload_bench PRIVATE -Wall -Wextra)
add_executable(preload_bench_churn ${PROJECT_SOURCE_DIR}/tests/preload/programs/clean_many_small_allocations.c)
target_compile_options(preload_bench_churn PRIVATE -O2 -g -fno-omit-frame-pointer)
target_link_libraries(preload_bench_churn PRIVATE Threads::Threads)
add_executable(preload_bench_rate ${PROJECT_SOURCE_DIR}/tests/preload/programs/preload_probe_rate.c)
target_compile_options(preload_bench_rate PRIVATE -O2 -g -fno-omit-frame-pointer)
target_compile_definitions(preload_bench PRIVATE
  POOLSCOPE_PRELOAD_LIBRARY="$<TARGET_FILE:poolscope_preload>"
  POOLSCOPE_CHURN_PROGRAM="$<TARGET_FILE:preload_bench_churn>"
  POOLSCOPE_RATE_PROGRAM="$<TARGET_FILE:preload_bench_rate>")
add_dependencies(preload_bench poolscope_preload preload_bench_churn preload_bench_rate)
