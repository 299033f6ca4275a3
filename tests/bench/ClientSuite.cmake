# scripts/bench client: what POOLSCOPE_RECORD costs a program of a user's, the example
# thumbnailer (tests/client/thumbnailer) over the shipped samples (target: at most 5%).
add_executable(client_bench ClientBenchmark.cpp)
target_link_libraries(client_bench PRIVATE poolscope_engine poolscope_bench_support)
target_compile_options(client_bench PRIVATE -Wall -Wextra)
target_compile_definitions(client_bench PRIVATE
  POOLSCOPE_THUMBNAILER="$<TARGET_FILE:poolscope_thumbnailer>")
add_dependencies(client_bench poolscope_thumbnailer)
