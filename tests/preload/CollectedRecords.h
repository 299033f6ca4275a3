#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "native/PreloadStreamDecoder.h"

namespace poolscope::test {

// Everything a PreloadStreamDecoder delivered, kept by kind and in arrival order.
class CollectedRecords : public PreloadRecordVisitor {
public:
    struct Opened {
        PreloadWire::DescriptorOpened record;
        std::string path;
    };
    struct Module {
        PreloadWire::ModuleRecord record;
        std::string path;
    };

    std::vector<PreloadWire::Hello> hellos;
    std::vector<PreloadWire::Allocation> allocations;
    std::vector<PreloadWire::Release> releases;
    std::vector<PreloadWire::Mapping> mappings;
    std::vector<PreloadWire::Unmapping> unmappings;
    std::vector<PreloadWire::Remapping> remappings;
    std::vector<Opened> opened;
    std::vector<PreloadWire::DescriptorClosed> closed;
    std::map<std::uint32_t, std::vector<std::uint64_t>> stacks;
    std::vector<std::uint32_t> stackIds;  // in arrival order
    std::vector<Module> modules;
    std::vector<PreloadWire::DroppedRecords> drops;
    std::vector<PreloadWire::ProcessEvent> processes;
    // Every record's kind in the order of the stream, and the index within its kind's list.
    std::vector<std::pair<PreloadWire::RecordKind, std::size_t>> order;

    void hello(const PreloadWire::Hello& record) override { hellos.push_back(record); }
    void allocated(const PreloadWire::Allocation& record) override {
        note(record.header, allocations.size());
        allocations.push_back(record);
    }
    void released(const PreloadWire::Release& record) override {
        note(record.header, releases.size());
        releases.push_back(record);
    }
    void mapped(const PreloadWire::Mapping& record) override {
        note(record.header, mappings.size());
        mappings.push_back(record);
    }
    void unmapped(const PreloadWire::Unmapping& record) override {
        note(record.header, unmappings.size());
        unmappings.push_back(record);
    }
    void remapped(const PreloadWire::Remapping& record) override {
        note(record.header, remappings.size());
        remappings.push_back(record);
    }
    void descriptorOpened(const PreloadWire::DescriptorOpened& record,
                          std::string_view path) override {
        note(record.header, opened.size());
        opened.push_back({record, std::string(path)});
    }
    void descriptorClosed(const PreloadWire::DescriptorClosed& record) override {
        note(record.header, closed.size());
        closed.push_back(record);
    }
    void stack(const PreloadWire::StackRecord& record,
               std::span<const std::uint64_t> returnAddresses) override {
        note(record.header, stackIds.size());
        stackIds.push_back(record.stackId);
        stacks[record.stackId].assign(returnAddresses.begin(), returnAddresses.end());
    }
    void module(const PreloadWire::ModuleRecord& record, std::string_view path) override {
        note(record.header, modules.size());
        modules.push_back({record, std::string(path)});
    }
    void dropped(const PreloadWire::DroppedRecords& record) override {
        note(record.header, drops.size());
        drops.push_back(record);
    }
    void process(const PreloadWire::ProcessEvent& record) override {
        note(record.header, processes.size());
        processes.push_back(record);
    }

private:
    void note(const PreloadWire::RecordHeader& header, std::size_t index) {
        order.emplace_back(header.kind, index);
    }
};

}  // namespace poolscope::test
