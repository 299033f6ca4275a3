#pragma once

#include <QCoreApplication>
#include <QString>

#include <cstdint>

#include "base/MemoryTier.h"

namespace poolscope {

// How every view and model writes sizes, counts and memory tiers, so that the same figure
// reads the same wherever it is shown. Sizes are 1024-based: KiB, MiB, GiB.
class DisplayFormat {
    Q_DECLARE_TR_FUNCTIONS(DisplayFormat)

public:
    // "512 bytes", "4.0 MiB", "1.5 GiB", in the user's locale.
    static QString bytes(std::uint64_t bytes);
    // bytes() with the exact figure after it: "4.0 MiB (4,194,304 B)".
    static QString exactBytes(std::uint64_t bytes);
    // The suffix of a spin box that holds mebibytes.
    static QString mebibyteSuffix();
    // "0x7f3a2c000000": a memory address in hex.
    static QString address(std::uint64_t address);
    // A whole number with the locale's group separators.
    static QString count(std::int64_t value);
    // The tier's short name, as the engine names it: "pooled", "unpooled", ...
    static QString tierName(MemoryTier tier);
    // Where the tier's memory comes from, in words: "pooled (4 MiB chunk pool)", ...
    static QString tierDescription(MemoryTier tier);
};

}  // namespace poolscope
