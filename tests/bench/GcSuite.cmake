# scripts/bench gc: the managed heap's allocation rate against glibc malloc, its generation 0
# and generation 2 pause times at live sets of 1 to 64 MiB, and a batch of 50 resized
# 4000x3000 images on the GC-backed pixel allocator against the pool (peak, idle, time).
add_executable(gc_bench GcBenchmark.cpp)
target_link_libraries(gc_bench PRIVATE poolscope_engine poolscope_bench_support Threads::Threads)
target_compile_options(gc_bench PRIVATE -Wall -Wextra)
