# scripts/bench recording: the SQLite recording writer's throughput in events/s, and the time a
# recording adds to batch-resize over the shipped samples (target: at most 5%).
add_executable(recording_bench RecordingBenchmark.cpp)
target_link_libraries(recording_bench PRIVATE poolscope_engine poolscope_bench_support
                                              Threads::Threads)
target_compile_options(recording_bench PRIVATE -Wall -Wextra)
