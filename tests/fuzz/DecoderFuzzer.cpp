// libFuzzer entry for one decoder, FuzzedCodec (PngCodec or JpegCodec, chosen by the build):
// any input either decodes or raises InvalidImageContent, and every buffer of a failed decode
// is released. Anything else (a crash, a sanitizer report, another exception, a changed
// undisposed count) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>

#include "diagnostics/MemoryDiagnostics.h"
#include "imaging/Configuration.h"
#include "imaging/codecs/InvalidImageContent.h"
#include POOLSCOPE_FUZZED_CODEC_HEADER
#include "memory/MemoryAllocator.h"

namespace {

using FuzzedCodec = poolscope::POOLSCOPE_FUZZED_CODEC;

// A 64 MB limit keeps each input fast and within libFuzzer's RSS limit: larger claimed
// dimensions take the degenerate-dimensions path, which is itself under test.
const poolscope::Configuration& fuzzConfiguration() {
    static const poolscope::Configuration configuration = [] {
        poolscope::Configuration made;
        made.allocator = poolscope::MemoryAllocator::create({std::nullopt, 64});
        made.maxDegreeOfParallelism = 1;
        return made;
    }();
    return configuration;
}

template <class TPixel>
void decodeInto(std::span<const std::uint8_t> bytes) {
    try {
        FuzzedCodec::decode<TPixel>(bytes, fuzzConfiguration(), "fuzz-input");
    } catch (const poolscope::InvalidImageContent&) {
        // The expected outcome for most inputs.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const std::int64_t undisposedBefore =
        poolscope::MemoryDiagnostics::totalUndisposedAllocationCount();
    try {
        FuzzedCodec::identify(bytes, "fuzz-input");
    } catch (const poolscope::InvalidImageContent&) {
    }
    // The converting path and the path that writes straight into the image's rows.
    decodeInto<poolscope::Rgba32>(bytes);
    decodeInto<poolscope::RgbaVector>(bytes);
    if (poolscope::MemoryDiagnostics::totalUndisposedAllocationCount() != undisposedBefore) {
        std::abort();
    }
    return 0;
}
