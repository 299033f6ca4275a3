#include "base/TextFormat.h"

#include <iomanip>
#include <iterator>
#include <sstream>

namespace poolscope {

std::string formatBytes(std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    std::ostringstream text;
    if (unit == 0) {
        text << bytes << " bytes";
    } else {
        text << std::fixed << std::setprecision(1) << value << ' ' << kUnits[unit];
    }
    return text.str();
}

}  // namespace poolscope
