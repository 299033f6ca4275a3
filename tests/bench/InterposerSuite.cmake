# scripts/bench interposer: how many records a second libpoolscope_preload.so sends from one
# thread of a program doing nothing but malloc/free pairs, read by the launcher's decoder, with
# nothing dropped; and what it costs that program.
add_executable(interposer_bench InterposerBenchmark.cpp
               ${PROJECT_SOURCE_DIR}/tests/preload/PreloadRun.cpp)
target_include_directories(interposer_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/preload)
target_link_libraries(interposer_bench PRIVATE poolscope_engine poolscope_bench_support)
target_compile_options(interposer_bench PRIVATE -Wall -Wextra)
target_compile_definitions(interposer_bench PRIVATE
  POOLSCOPE_PRELOAD_LIBRARY="$<TARGET_FILE:poolscope_preload>"
  POOLSCOPE_PRELOAD_RATE="$<TARGET_FILE:preload_probe_rate>")
add_dependencies(interposer_bench poolscope_preload preload_probe_rate)
