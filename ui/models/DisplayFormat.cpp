#include "models/DisplayFormat.h"

#include <QLocale>

namespace poolscope {

QString DisplayFormat::bytes(std::uint64_t bytes) {
    return QLocale().formattedDataSize(static_cast<qint64>(bytes), bytes < 1024 ? 0 : 1,
                                       QLocale::DataSizeIecFormat);
}

QString DisplayFormat::exactBytes(std::uint64_t bytes) {
    return QStringLiteral("%1 (%2 B)")
        .arg(DisplayFormat::bytes(bytes), QLocale().toString(static_cast<qulonglong>(bytes)));
}

QString DisplayFormat::mebibyteSuffix() {
    return tr(" MiB");
}

QString DisplayFormat::address(std::uint64_t address) {
    return QStringLiteral("0x") + QString::number(address, 16);
}

QString DisplayFormat::count(std::int64_t value) {
    return QLocale().toString(static_cast<qlonglong>(value));
}

QString DisplayFormat::tierName(MemoryTier tier) {
    return QString::fromLatin1(memoryTierName(tier));
}

QString DisplayFormat::tierDescription(MemoryTier tier) {
    switch (tier) {
        case MemoryTier::Pooled:
            return tr("pooled (4 MiB chunk pool)");
        case MemoryTier::Small:
            return tr("pooled (small-buffer pool)");
        case MemoryTier::Unpooled:
            return tr("unpooled (its own OS memory)");
        case MemoryTier::Heap:
            return tr("heap (not pooled)");
        case MemoryTier::Managed:
            return tr("managed heap array (not pooled)");
        case MemoryTier::NativeHeap:
            return tr("the program's heap (malloc, new)");
        case MemoryTier::Mapped:
            return tr("the program's mapped memory (mmap)");
        case MemoryTier::Descriptor:
            return tr("an open file descriptor");
    }
    return {};
}

}  // namespace poolscope
