#include "imaging/PixelTypeId.h"

#include <algorithm>
#include <cctype>

namespace poolscope {

namespace {

char lowerCase(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

}  // namespace

std::string PixelTypeInfo::optionName() const {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), lowerCase);
    return lower;
}

const PixelTypeInfo* findPixelType(std::string_view name) {
    for (const PixelTypeInfo& info : kPixelTypes) {
        if (std::equal(info.name.begin(), info.name.end(), name.begin(), name.end(),
                       [](char a, char b) { return lowerCase(a) == lowerCase(b); })) {
            return &info;
        }
    }
    return nullptr;
}

}  // namespace poolscope
