# scripts/bench flamegraph: the Analyses dock's flame graph and call trees at a hundred thousand
# distinct stacks (first frame, zoom, search), against PoolScope's frame budgets (33 ms a frame,
# 100 ms a letter typed). Needs the Qt views; scripts/bench configures its build engine-only, so
# without the ui libraries this suite brings them in itself, as the ui suite does.
if(NOT TARGET poolscope_ui)
  find_package(Qt6 REQUIRED COMPONENTS Widgets Concurrent PrintSupport)
  find_package(QCustomPlotQt6 REQUIRED)
  add_subdirectory(${PROJECT_SOURCE_DIR}/ui ${CMAKE_CURRENT_BINARY_DIR}/ui)
endif()

add_executable(flamegraph_bench FlameGraphBenchmark.cpp)
set_target_properties(flamegraph_bench PROPERTIES AUTOMOC ON)
target_link_libraries(flamegraph_bench PRIVATE poolscope_ui)
target_compile_options(flamegraph_bench PRIVATE -Wall -Wextra)
