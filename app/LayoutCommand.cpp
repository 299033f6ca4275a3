#include "LayoutCommand.h"

#include <QCommandLineParser>

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

#include "CommandLine.h"
#include "base/TextFormat.h"
#include "imaging/PixelTypeId.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/LayoutCalculator.h"

namespace poolscope {

namespace {

void printUsageError(const QString& message) {
    CommandLine::printUsageError(QStringLiteral("layout"), message);
}

const char* yesNo(bool value) {
    return value ? "yes" : "no";
}

}  // namespace

std::string LayoutCommand::toJson(const ImageLayout& layout) {
    const auto flag = [](bool value) { return value ? "true" : "false"; };
    std::string json = std::string("{\"contiguous\": ") + flag(layout.contiguous) +
                       ", \"singlePixelMemory\": " + flag(layout.singlePixelMemory) +
                       ", \"pooled\": " + flag(layout.pooled) + ", \"chunks\": [";
    for (std::size_t i = 0; i < layout.chunks.size(); ++i) {
        const ImageLayout::Chunk& chunk = layout.chunks[i];
        json += (i == 0 ? "" : ", ") + std::string("{\"rows\": ") + std::to_string(chunk.rows) +
                ", \"elements\": " + std::to_string(chunk.elements) +
                ", \"bytes\": " + std::to_string(chunk.bytes) + "}";
    }
    return json + "]}";
}

void LayoutCommand::printText(const ImageLayoutRequest& request, const ImageLayout& layout,
                              std::ostream& out) {
    std::uint64_t total = 0;
    for (const ImageLayout::Chunk& chunk : layout.chunks) {
        total += static_cast<std::uint64_t>(chunk.bytes);
    }
    out << request.width << " x " << request.height << " pixels of " << request.bytesPerPixel
        << (request.bytesPerPixel == 1 ? " byte" : " bytes") << ": " << total << " bytes ("
        << formatBytes(total) << ")"
        << (request.preferContiguous ? ", contiguous buffers preferred" : "") << '\n'
        << "  Tier                " << memoryTierName(layout.tier) << '\n'
        << "  Pooled              " << yesNo(layout.pooled) << '\n'
        << "  Contiguous          " << yesNo(layout.contiguous) << '\n'
        << "  Single pixel memory " << yesNo(layout.singlePixelMemory)
        << "  (dangerousTryGetSinglePixelMemory)\n"
        << "  Chunks              " << layout.chunks.size() << '\n';
    for (std::size_t i = 0; i < layout.chunks.size(); ++i) {
        const ImageLayout::Chunk& chunk = layout.chunks[i];
        out << "    " << i + 1 << ": " << chunk.rows << " rows, " << chunk.elements << " pixels, "
            << chunk.bytes << " bytes\n";
    }
}

int LayoutCommand::exec(const QStringList& arguments) {
    QString formats;
    for (const PixelTypeInfo& type : kPixelTypes) {
        formats += (formats.isEmpty() ? "" : "|") + QString::fromStdString(type.optionName());
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Says what memory the default allocator would give an image of that size: its chunks "
        "(each a whole number of rows), whether it is contiguous, whether "
        "dangerousTryGetSinglePixelMemory would succeed, and whether it is pooled. Nothing is "
        "allocated.\n\n"
        "Exit status:\n"
        "  0  the layout was printed\n"
        "  1  a usage error, or the allocator would refuse the image (its message is printed)"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("layout"),
                                 QStringLiteral("Prints the memory layout of one image."),
                                 QStringLiteral("layout"));
    const QCommandLineOption width(QStringLiteral("width"),
                                   QStringLiteral("Image width in pixels."), QStringLiteral("W"));
    const QCommandLineOption height(QStringLiteral("height"),
                                    QStringLiteral("Image height in pixels."), QStringLiteral("H"));
    const QCommandLineOption pixel(QStringLiteral("pixel"),
                                   QStringLiteral("Pixel type: %1 (default rgba32).").arg(formats),
                                   QStringLiteral("type"), QStringLiteral("rgba32"));
    const QCommandLineOption maxPool(
        QStringLiteral("max-pool-mb"),
        QStringLiteral("Maximum pool size in MiB (default: the machine's, an eighth of its "
                       "memory)."),
        QStringLiteral("N"));
    const QCommandLineOption preferContiguous(
        QStringLiteral("prefer-contiguous"),
        QStringLiteral("As Configuration.preferContiguousImageBuffers: one buffer for the image."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Prints JSON."));
    parser.addOptions({width, height, pixel, maxPool, preferContiguous, json});

    if (!CommandLine::parseCommandOptions(parser, arguments, QStringLiteral("layout"))) {
        return CommandLine::kExitFailure;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printUsageError(QStringLiteral("unexpected argument '%1'.")
                            .arg(parser.positionalArguments().constFirst()));
        return CommandLine::kExitFailure;
    }

    ImageLayoutRequest request;
    const auto positiveNumber = [&](const QCommandLineOption& option, std::int64_t& into) {
        const QString name = option.names().constFirst();
        if (!parser.isSet(option)) {
            printUsageError(QStringLiteral("--%1 is required.").arg(name));
            return false;
        }
        const auto value = CommandLine::wholeNumberInRange(parser.value(option), 1, INT32_MAX);
        into = value.value_or(0);
        if (!value) {
            printUsageError(QStringLiteral("--%1 must be a whole number from 1 to %2, not '%3'.")
                                .arg(name)
                                .arg(INT32_MAX)
                                .arg(parser.value(option)));
            return false;
        }
        return true;
    };
    if (!positiveNumber(width, request.width) || !positiveNumber(height, request.height)) {
        return CommandLine::kExitFailure;
    }
    const PixelTypeInfo* const type = findPixelType(parser.value(pixel).toStdString());
    if (type == nullptr) {
        printUsageError(QStringLiteral("--pixel must be one of %1, not '%2'.")
                            .arg(formats, parser.value(pixel)));
        return CommandLine::kExitFailure;
    }
    request.bytesPerPixel = type->bytesPerPixel();
    if (parser.isSet(maxPool)) {
        const auto megabytes =
            CommandLine::wholeNumberInRange(parser.value(maxPool), 0, 1024 * 1024 * 1024);
        if (!megabytes) {
            printUsageError(QStringLiteral("--max-pool-mb must be a whole number of MiB from 0 to "
                                           "%1, not '%2'.")
                                .arg(1024 * 1024 * 1024)
                                .arg(parser.value(maxPool)));
            return CommandLine::kExitFailure;
        }
        request.maximumPoolSizeMegabytes = *megabytes;
    }
    request.preferContiguous = parser.isSet(preferContiguous);

    try {
        const ImageLayout layout = LayoutCalculator::calculate(request);
        if (parser.isSet(json)) {
            std::cout << toJson(layout) << '\n';
        } else {
            printText(request, layout, std::cout);
        }
        return CommandLine::kExitSuccess;
    } catch (const InvalidMemoryOperation& refusal) {
        std::cerr << refusal.what() << '\n';
        return CommandLine::kExitFailure;
    }
}

}  // namespace poolscope
