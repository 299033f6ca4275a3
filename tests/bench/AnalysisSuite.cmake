# scripts/bench analysis: every analysis of a large recording (engine/analysis), timed, and
# RATIO lines against the targets for a recording of 1 GB (first view in 2 s, every analysis in
# 5 s), measured or scaled by the file's size, which the lines say.
add_executable(analysis_bench AnalysisBenchmark.cpp)
target_link_libraries(analysis_bench PRIVATE poolscope_engine poolscope_bench_support)
target_compile_options(analysis_bench PRIVATE -Wall -Wextra)
