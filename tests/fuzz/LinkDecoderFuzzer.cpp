// libFuzzer entry for the live link's decoder, which reads whatever a peer sends: any input,
// fed in pieces whose size the first byte chooses, either decodes into frames or raises
// LinkProtocolError. Every frame decoded is encoded again and must decode to one frame of the
// same type. Anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "link/LinkDecoder.h"
#include "link/LinkProtocol.h"

namespace {

void checkRoundTrip(const poolscope::LinkFrame& frame) {
    poolscope::LinkEncoder::Bytes bytes;
    poolscope::LinkEncoder::hello(bytes);
    poolscope::LinkEncoder::frame(bytes, frame);
    poolscope::LinkDecoder again;
    again.feed(bytes);
    const std::optional<poolscope::LinkFrame> decoded = again.next();
    if (!decoded || decoded->index() != frame.index() || again.pendingBytes() != 0) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t piece = std::size_t{data[0]} + 1;
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    poolscope::LinkDecoder decoder;
    try {
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            decoder.feed(stream.subspan(at, std::min(piece, stream.size() - at)));
            while (std::optional<poolscope::LinkFrame> frame = decoder.next()) {
                checkRoundTrip(*frame);
            }
        }
    } catch (const poolscope::LinkProtocolError&) {
        // The expected outcome for most inputs.
    }
    return 0;
}
