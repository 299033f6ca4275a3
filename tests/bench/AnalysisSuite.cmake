# scripts/bench analysis: every analysis of a large recording (engine/analysis), timed, and the
# time a recording of 1 GB would take at that rate (the target: at most 5 s).
add_executable(analysis_bench AnalysisBenchmark.cpp)
target_link_libraries(analysis_bench PRIVATE poolscope_engine poolscope_bench_support)
target_compile_options(analysis_bench PRIVATE -Wall -Wextra)
