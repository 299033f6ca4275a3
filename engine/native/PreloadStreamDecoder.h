#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "native/PreloadWire.h"

namespace poolscope {

// What the decoder found in the stream, one call per record, in the stream's order.
class PreloadRecordVisitor {
public:
    virtual ~PreloadRecordVisitor() = default;
    virtual void hello(const PreloadWire::Hello& hello) = 0;
    virtual void allocated(const PreloadWire::Allocation& record) = 0;
    virtual void released(const PreloadWire::Release& record) = 0;
    virtual void mapped(const PreloadWire::Mapping& record) = 0;
    virtual void unmapped(const PreloadWire::Unmapping& record) = 0;
    virtual void remapped(const PreloadWire::Remapping& record) = 0;
    virtual void descriptorOpened(const PreloadWire::DescriptorOpened& record,
                                  std::string_view path) = 0;
    virtual void descriptorClosed(const PreloadWire::DescriptorClosed& record) = 0;
    virtual void stack(const PreloadWire::StackRecord& record,
                       std::span<const std::uint64_t> returnAddresses) = 0;
    virtual void module(const PreloadWire::ModuleRecord& record, std::string_view path) = 0;
    virtual void dropped(const PreloadWire::DroppedRecords& record) = 0;
    virtual void process(const PreloadWire::ProcessEvent& record) = 0;
};

// The stream was not what the interposer writes: the message names what and at which offset.
class PreloadStreamError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Turns the interposer's byte stream back into records. Bytes arrive in pieces of any size (a
// pipe's reads); a packet split across pieces is kept until it is whole. Refuses, with a
// PreloadStreamError naming the stream offset, a wrong hello, a packet over kMaxPacketBytes
// (before buffering anything for it), or a record whose length does not fit its kind or its
// packet (before delivering any record of that packet). Records of kinds it does not know are
// stepped over.
//
// A program that execs goes on in the same stream: after an Exec record that did not report a
// failure, the new image's interposer may start with a hello of its own (its magic cannot begin
// a packet: read as a packet's length it is far over the limit); the visitor gets a second
// hello() and knows that the image was replaced.
class PreloadStreamDecoder {
public:
    explicit PreloadStreamDecoder(PreloadRecordVisitor& visitor);

    void feed(std::span<const unsigned char> bytes);

    // Bytes of the stream consumed so far, for error messages and progress.
    std::uint64_t offset() const { return offset_; }
    // True when the stream ended between packets (a clean end), false inside one.
    bool atBoundary() const;

private:
    // The bytes the unit (the hello, or a packet) starting at `data` needs in all, checking what
    // of it is there already.
    std::size_t unitBytes(const unsigned char* data, std::size_t available) const;
    // Whether the unit starting at `data` is the hello of a new image after an exec.
    bool startsNextHello(const unsigned char* data, std::size_t available) const;
    void consumeUnit(const unsigned char* data, std::size_t size);
    // A packet is checked whole before any of its records is delivered: a bad packet delivers
    // nothing.
    void checkPacket(std::span<const unsigned char> payload, std::uint32_t records) const;
    void deliverPacket(std::span<const unsigned char> payload);

    PreloadRecordVisitor& visitor_;
    // The part of a hello or packet that arrived so far; empty between them.
    std::vector<unsigned char> pending_;
    std::vector<std::uint64_t> frames_;
    std::uint64_t offset_ = 0;
    bool helloSeen_ = false;
    // An Exec record came, and no report of its failure after it: a new image may say hello.
    bool execPending_ = false;
};

}  // namespace poolscope
