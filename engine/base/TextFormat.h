#pragma once

#include <cstdint>
#include <string>

namespace poolscope {

// "4.0 MiB", "512 bytes": sizes as a person reads them in a terminal.
std::string formatBytes(std::uint64_t bytes);

}  // namespace poolscope
