# scripts/bench link: the live link's throughput to a reading viewer in events/s with its drops,
# and the time an attached viewer adds to batch-resize over the shipped samples (target: at
# most 5%).
add_executable(link_bench LinkBenchmark.cpp)
target_link_libraries(link_bench PRIVATE poolscope_engine poolscope_bench_support Threads::Threads)
target_compile_options(link_bench PRIVATE -Wall -Wextra)
