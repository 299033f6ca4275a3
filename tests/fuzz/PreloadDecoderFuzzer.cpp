// libFuzzer entry for the decoder of the interposer's stream, which the launcher reads from a
// program it does not trust to be well-formed: any input, fed in pieces whose size the first
// byte chooses, either decodes into records or raises PreloadStreamError. Every record
// delivered must agree with its own counts. Anything else (a crash, a sanitizer report, another
// exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "native/PreloadStreamDecoder.h"

namespace {

namespace wire = poolscope::PreloadWire;

class CheckingVisitor : public poolscope::PreloadRecordVisitor {
public:
    void hello(const wire::Hello&) override {}
    void allocated(const wire::Allocation&) override {}
    void released(const wire::Release&) override {}
    void mapped(const wire::Mapping&) override {}
    void unmapped(const wire::Unmapping&) override {}
    void remapped(const wire::Remapping&) override {}
    void descriptorOpened(const wire::DescriptorOpened& record, std::string_view path) override {
        expect(path.size() == record.pathBytes && path.size() <= wire::kMaxPathBytes);
    }
    void descriptorClosed(const wire::DescriptorClosed&) override {}
    void stack(const wire::StackRecord& record,
               std::span<const std::uint64_t> returnAddresses) override {
        expect(returnAddresses.size() == record.depth &&
               returnAddresses.size() <= wire::kMaxStackFrames);
    }
    void module(const wire::ModuleRecord& record, std::string_view path) override {
        expect(path.size() == record.pathBytes && path.size() <= wire::kMaxPathBytes);
    }
    void dropped(const wire::DroppedRecords&) override {}
    void process(const wire::ProcessEvent&) override {}

private:
    static void expect(bool condition) {
        if (!condition) {
            std::abort();
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t piece = std::size_t{data[0]} + 1;
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    CheckingVisitor visitor;
    poolscope::PreloadStreamDecoder decoder(visitor);
    try {
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            decoder.feed(stream.subspan(at, std::min(piece, stream.size() - at)));
        }
    } catch (const poolscope::PreloadStreamError&) {
        // The expected outcome for most inputs.
    }
    return 0;
}
