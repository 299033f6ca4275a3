#include "imaging/Configuration.h"

#include <stdexcept>
#include <string>
#include <thread>

namespace poolscope {

Configuration& Configuration::defaultInstance() {
    static Configuration instance{MemoryAllocator::create(), false,
                                  defaultMaxDegreeOfParallelism()};
    return instance;
}

int Configuration::defaultMaxDegreeOfParallelism() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

void Configuration::validate() const {
    if (!allocator) {
        throw std::invalid_argument("Configuration has no memory allocator.");
    }
    if (maxDegreeOfParallelism < 1) {
        throw std::invalid_argument(
            "Configuration::maxDegreeOfParallelism must be at least 1, got " +
            std::to_string(maxDegreeOfParallelism) + ".");
    }
    if (maxDecodePixels < 1) {
        throw std::invalid_argument("Configuration::maxDecodePixels must be at least 1, got " +
                                    std::to_string(maxDecodePixels) + ".");
    }
}

}  // namespace poolscope
