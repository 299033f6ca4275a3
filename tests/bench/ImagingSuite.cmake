# scripts/bench imaging: resize, Gaussian blur and the PNG/JPEG codecs against OpenCV and libvips,
# in one process.
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips)

add_executable(imaging_bench ImagingBenchmark.cpp)
target_link_libraries(imaging_bench PRIVATE poolscope_engine poolscope_bench_support
                                            opencv_core opencv_imgproc opencv_imgcodecs PkgConfig::VIPS)
target_include_directories(imaging_bench SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
target_compile_options(imaging_bench PRIVATE -Wall -Wextra)
