# scripts/bench ui: the leak table's sort and filter at a million rows, frame times and CPU while
# a session ingests 100k and 1M events/s, and the idle window's CPU. Needs the Qt views;
# scripts/bench configures its build engine-only, so without the ui libraries this suite brings
# them in itself.
if(NOT TARGET poolscope_ui)
  find_package(Qt6 REQUIRED COMPONENTS Widgets Concurrent PrintSupport)
  find_package(QCustomPlotQt6 REQUIRED)
  add_subdirectory(${PROJECT_SOURCE_DIR}/ui ${CMAKE_CURRENT_BINARY_DIR}/ui)
endif()

add_executable(ui_bench UiBenchmark.cpp IdleWindowBenchmark.cpp IdleWindowBenchmark.h)
set_target_properties(ui_bench PROPERTIES AUTOMOC ON)
target_link_libraries(ui_bench PRIVATE poolscope_ui Threads::Threads)
target_compile_options(ui_bench PRIVATE -Wall -Wextra)
