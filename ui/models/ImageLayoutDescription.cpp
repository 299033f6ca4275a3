#include "models/ImageLayoutDescription.h"

#include <algorithm>

#include "imaging/PixelTypeId.h"
#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

int bytesPerPixel(PixelTypeId type) {
    const PixelTypeInfo* const info = findPixelType(type);
    return info != nullptr ? info->bytesPerPixel() : 0;
}

QString pixelTypeText(PixelTypeId type) {
    const std::string_view name = pixelTypeName(type);
    return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
}

// The rows of `table` that hold one image buffer with `row`: itself, or for an unpooled group
// (one allocation per chunk, each told the image's size) its neighbours from the same request,
// in chunk order.
std::vector<const LiveAllocation*> imageAllocations(const AllocationTable& table,
                                                    const LiveAllocation& row,
                                                    std::uint64_t imageBytes) {
    if (row.tier != MemoryTier::Unpooled || row.pixelType == PixelTypeId::Unknown ||
        row.bytes >= imageBytes) {
        return {&row};
    }
    const auto sameRequest = [&row](const LiveAllocation& other) {
        return other.tier == row.tier && other.pixelType == row.pixelType &&
               other.imageWidth == row.imageWidth && other.imageHeight == row.imageHeight &&
               other.stackId == row.stackId && other.threadId == row.threadId;
    };
    const std::size_t index = static_cast<std::size_t>(&row - table.rows.data());
    std::size_t first = index;
    while (first > 0 && sameRequest(table.rows[first - 1])) {
        --first;
    }
    std::size_t last = index;
    while (last + 1 < table.rows.size() && sameRequest(table.rows[last + 1])) {
        ++last;
    }
    // Several images of the same size from the same place: split the run at image sizes.
    std::vector<const LiveAllocation*> group;
    std::uint64_t bytes = 0;
    for (std::size_t i = first; i <= last; ++i) {
        group.push_back(&table.rows[i]);
        bytes += table.rows[i].bytes;
        if (bytes >= imageBytes) {
            if (i >= index) {
                return group;
            }
            group.clear();
            bytes = 0;
        }
    }
    return group.empty() ? std::vector<const LiveAllocation*>{&row} : group;
}

std::uint64_t imageBytesOf(const LiveAllocation& row) {
    return static_cast<std::uint64_t>(row.imageWidth) *
           static_cast<std::uint64_t>(row.imageHeight) *
           static_cast<std::uint64_t>(bytesPerPixel(row.pixelType));
}

QString chunkPlace(const AllocationChunk& chunk, MemoryTier tier) {
    if (chunk.slot >= 0) {
        return ImageLayoutDescription::tr("pooled, slot %1").arg(chunk.slot);
    }
    return DisplayFormat::tierDescription(tier);
}

QString addressText(std::uint64_t address) {
    return address == 0 ? ImageLayoutDescription::tr("address unknown")
                        : DisplayFormat::address(address);
}

ImageLayoutDescription message(const QString& title, const QString& singlePixelText,
                               const QString& emptyText) {
    ImageLayoutDescription description;
    description.title = title;
    description.singlePixelText = singlePixelText;
    description.emptyText = emptyText;
    return description;
}

// The largest live image buffer, or the largest allocation when no image is live.
const LiveAllocation* largestLive(const AllocationTable& table, bool* image) {
    const LiveAllocation* largestImage = nullptr;
    const LiveAllocation* largest = nullptr;
    for (const LiveAllocation& candidate : table.rows) {
        if (candidate.releasedWithoutDispose) {
            continue;
        }
        if (candidate.pixelType != PixelTypeId::Unknown &&
            (largestImage == nullptr || imageBytesOf(candidate) > imageBytesOf(*largestImage))) {
            largestImage = &candidate;
        }
        if (largest == nullptr || candidate.bytes > largest->bytes) {
            largest = &candidate;
        }
    }
    *image = largestImage != nullptr;
    return largestImage != nullptr ? largestImage : largest;
}

}  // namespace

ImageLayoutDescription ImageLayoutDescription::ofAllocation(const AllocationTable* table,
                                                            quint64 selected) {
    if (table == nullptr) {
        return message(tr("No live allocations yet"),
                       tr("Run a scenario, or use the calculator below to see a layout without "
                          "allocating."),
                       tr("Nothing allocated yet"));
    }
    const LiveAllocation* row = selected != 0 ? table->find(selected) : nullptr;
    QString how;
    if (selected != 0 && row == nullptr) {
        how = tr("allocation #%1 is no longer live; ").arg(selected);
    }
    if (row == nullptr) {
        bool image = false;
        row = largestLive(*table, &image);
        how += image ? tr("the largest live image buffer") : tr("the largest live allocation");
    }
    if (row == nullptr) {
        return message(tr("No live allocations"),
                       tr("Nothing is allocated now. Use the calculator below to see a layout "
                          "without allocating."),
                       tr("Nothing allocated"));
    }
    ImageLayoutDescription description;
    description.shownAllocation = row->id;

    const int pixelBytes = bytesPerPixel(row->pixelType);
    const bool image = row->pixelType != PixelTypeId::Unknown && row->imageWidth > 0 &&
                       row->imageHeight > 0 && pixelBytes > 0;
    const std::uint64_t imageBytes = image ? imageBytesOf(*row) : row->bytes;
    const std::vector<const LiveAllocation*> rows =
        image ? imageAllocations(*table, *row, imageBytes) : std::vector{row};

    std::vector<LayoutBand>& bands = description.bands;
    const std::int64_t rowBytes = image ? std::int64_t{row->imageWidth} * pixelBytes : 0;
    std::int64_t nextRow = 0;
    std::size_t chunkCount = 0;
    for (const LiveAllocation* part : rows) {
        chunkCount += part->chunkCount;
    }
    for (const LiveAllocation* part : rows) {
        for (std::uint32_t i = 0; i < part->chunkCount; ++i) {
            const AllocationChunk& chunk = table->chunks[part->firstChunk + i];
            LayoutBand band;
            band.bytes = chunk.bytes;
            band.tier = part->tier;
            const int index = static_cast<int>(bands.size());
            band.heading = tr("Chunk %1 of %2").arg(index + 1).arg(chunkCount);
            if (image) {
                const bool lastChunk = static_cast<std::size_t>(index) + 1 == chunkCount;
                std::int64_t rowsHere = static_cast<std::int64_t>(chunk.bytes) / rowBytes;
                rowsHere = lastChunk ? row->imageHeight - nextRow
                                     : std::min<std::int64_t>(rowsHere, row->imageHeight - nextRow);
                rowsHere = std::max<std::int64_t>(rowsHere, 0);
                band.heading += rowsHere > 0
                                    ? tr(" \u00b7 rows %1\u2013%2 (%3 rows)")
                                          .arg(DisplayFormat::count(nextRow))
                                          .arg(DisplayFormat::count(nextRow + rowsHere - 1))
                                          .arg(DisplayFormat::count(rowsHere))
                                    : tr(" \u00b7 no rows");
                nextRow += rowsHere;
            }
            if (part != row) {
                band.heading += tr(" \u00b7 allocation #%1").arg(part->id);
            }
            band.details = tr("%1 \u00b7 %2 \u00b7 %3")
                               .arg(DisplayFormat::exactBytes(chunk.bytes),
                                    addressText(chunk.address), chunkPlace(chunk, part->tier));
            bands.push_back(std::move(band));
        }
    }

    QString& title = description.title;
    if (image) {
        title =
            tr("Allocation #%1: image %2 \u00d7 %3 %4, %5, %n chunk(s)", nullptr,
               static_cast<int>(chunkCount))
                .arg(row->id)
                .arg(DisplayFormat::count(row->imageWidth), DisplayFormat::count(row->imageHeight),
                     pixelTypeText(row->pixelType), DisplayFormat::exactBytes(imageBytes));
    } else {
        title = tr("Allocation #%1: not an image buffer, %2, %n chunk(s)", nullptr,
                   static_cast<int>(chunkCount))
                    .arg(row->id)
                    .arg(DisplayFormat::exactBytes(row->bytes));
    }
    title += QStringLiteral(" \u2014 ") + DisplayFormat::tierDescription(row->tier);
    if (!how.isEmpty()) {
        title += tr(" (%1; click an allocation to choose another)").arg(how);
    }
    if (row->releasedWithoutDispose) {
        title += tr(" \u2014 released without dispose: these chunks are no longer its memory");
    }

    if (!image) {
        description.singlePixelText =
            tr("Not an image buffer: dangerousTryGetSinglePixelMemory does not apply. The "
               "allocation is %n chunk(s) of plain memory.",
               nullptr, static_cast<int>(chunkCount));
    } else if (chunkCount == 1) {
        description.singlePixelText =
            tr("dangerousTryGetSinglePixelMemory returns true: one chunk holds the whole image, "
               "%1 pixels in one span.")
                .arg(DisplayFormat::count(std::int64_t{row->imageWidth} * row->imageHeight));
    } else {
        description.singlePixelText =
            tr("dangerousTryGetSinglePixelMemory returns false: the image is split over %1 "
               "chunks, so no single span holds it. Read it row by row, or ask for "
               "contiguous buffers (preferContiguousImageBuffers).")
                .arg(chunkCount);
    }
    return description;
}

ImageLayoutDescription ImageLayoutDescription::ofRequest(const ImageLayoutRequest& request) {
    const QString asked =
        tr("%1 \u00d7 %2 pixels of %3 B, %4, pool %5")
            .arg(DisplayFormat::count(request.width), DisplayFormat::count(request.height))
            .arg(request.bytesPerPixel)
            .arg(request.preferContiguous ? tr("contiguous preferred") : tr("row-aligned group"))
            .arg(request.maximumPoolSizeMegabytes
                     ? tr("%1 MiB").arg(DisplayFormat::count(*request.maximumPoolSizeMegabytes))
                     : tr("machine default"));
    const LayoutCalculation calculation = LayoutCalculation::of(request);
    switch (calculation.outcome) {
        case LayoutCalculation::Outcome::Refused:
            return message(tr("Calculated: %1 \u2014 refused").arg(asked),
                           tr("The allocator refuses this request (InvalidMemoryOperation): %1")
                               .arg(calculation.error),
                           tr("No layout: the allocator would throw before allocating anything."));
        case LayoutCalculation::Outcome::Invalid:
            return message(tr("Calculated: %1 \u2014 invalid").arg(asked),
                           tr("Not a valid request: %1").arg(calculation.error),
                           tr("No layout for an invalid request."));
        case LayoutCalculation::Outcome::Calculated:
            break;
    }

    const ImageLayout& layout = calculation.layout;
    ImageLayoutDescription description;
    std::int64_t nextRow = 0;
    std::int64_t totalBytes = 0;
    const int count = static_cast<int>(layout.chunks.size());
    for (int i = 0; i < count; ++i) {
        const ImageLayout::Chunk& chunk = layout.chunks[static_cast<std::size_t>(i)];
        LayoutBand band;
        band.bytes = static_cast<std::uint64_t>(chunk.bytes);
        band.tier = layout.tier;
        band.heading = tr("Chunk %1 of %2 \u00b7 rows %3\u2013%4 (%5 rows)")
                           .arg(i + 1)
                           .arg(count)
                           .arg(DisplayFormat::count(nextRow))
                           .arg(DisplayFormat::count(nextRow + chunk.rows - 1))
                           .arg(DisplayFormat::count(chunk.rows));
        band.details = tr("%1 \u00b7 %2 pixels \u00b7 %3 \u00b7 not allocated")
                           .arg(DisplayFormat::exactBytes(static_cast<std::uint64_t>(chunk.bytes)),
                                DisplayFormat::count(chunk.elements),
                                DisplayFormat::tierDescription(layout.tier));
        nextRow += chunk.rows;
        totalBytes += chunk.bytes;
        description.bands.push_back(std::move(band));
    }
    description.title =
        tr("Calculated: %1 \u2014 %2, %n chunk(s), %3 (nothing allocated)", nullptr, count)
            .arg(asked, DisplayFormat::exactBytes(static_cast<std::uint64_t>(totalBytes)),
                 DisplayFormat::tierDescription(layout.tier));
    description.singlePixelText =
        layout.singlePixelMemory
            ? tr("dangerousTryGetSinglePixelMemory would return true: one chunk holds the whole "
                 "image.")
            : tr("dangerousTryGetSinglePixelMemory would return false: the image would be split "
                 "over %1 chunks.")
                  .arg(count);
    return description;
}

}  // namespace poolscope
