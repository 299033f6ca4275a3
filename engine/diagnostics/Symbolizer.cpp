#include "diagnostics/Symbolizer.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace poolscope {

namespace {

std::string hex(const unsigned char* bytes, int length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (int i = 0; i < length; ++i) {
        text += kDigits[bytes[i] >> 4];
        text += kDigits[bytes[i] & 15];
    }
    return text;
}

// A function's name as DWARF gives it: its linkage name demangled, which carries namespaces
// and parameters, or else its plain name. Both are looked up through abstract origins, so an
// inlined instance is named after the function it copies.
std::string functionName(Dwarf_Die* die) {
    Dwarf_Attribute attribute;
    for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
        if (const char* linkage = dwarf_formstring(dwarf_attr_integrate(die, name, &attribute))) {
            return demangle(linkage);
        }
    }
    const char* plain = dwarf_diename(die);
    return plain != nullptr ? plain : std::string();
}

bool isFunctionScope(Dwarf_Die* die) {
    const int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
           tag == DW_TAG_entry_point;
}

constexpr int kSlotShift = 44;  // offsets into one module stay far below 2^44

}  // namespace

// One module's file, opened through libdw on first use and closed to bound memory.
struct Symbolizer::ModuleFile {
    LoadedModule module;
    Dwfl_Callbacks callbacks{};
    char* debugInfoPath = nullptr;
    Dwfl* dwfl = nullptr;
    Dwfl_Module* handle = nullptr;
    bool opened = false;
    std::string problem;  // why nothing can be named: the file is gone or another build
    bool hasSymbols = false;
    bool hasDebugInfo = false;
    std::uint64_t lastUse = 0;
    std::uint64_t unnamedFrames = 0;
    std::uint64_t framesWithoutSource = 0;

    void close() {
        if (dwfl != nullptr) {
            dwfl_end(dwfl);
        }
        dwfl = nullptr;
        handle = nullptr;
        opened = false;
    }
    ~ModuleFile() { close(); }
};

Symbolizer::Symbolizer() : Symbolizer(Limits{}) {}
Symbolizer::Symbolizer(Limits limits) : limits_(limits) {}
Symbolizer::~Symbolizer() = default;

Symbolizer& Symbolizer::instance() {
    // Destroyed at exit, so its caches and libdw's are given back before leak checkers look.
    static Symbolizer symbolizer;
    return symbolizer;
}

std::vector<Frame> Symbolizer::symbolize(std::uint64_t address) {
    // A return address points after the call; the call is one byte earlier, possibly in the
    // previous module's last function, so the module is looked up for the call.
    const std::optional<ModuleLocation> location =
        ModuleMap::instance().locate(address > 0 ? address - 1 : address);
    if (!location) {
        Frame frame;
        frame.address = address;
        return {frame};
    }
    return symbolize(ModuleMap::instance().module(location->module), location->offset + 1, address);
}

std::vector<Frame> Symbolizer::symbolize(const LoadedModule& module, std::uint64_t offset,
                                         std::uint64_t address) {
    std::lock_guard lock(mutex_);
    const std::size_t slot = moduleSlot(module);
    const std::uint64_t key = (std::uint64_t{slot} << kSlotShift) | offset;
    if (auto it = cache_.find(key); it != cache_.end()) {
        std::vector<Frame> frames = it->second;
        for (Frame& frame : frames) {
            frame.address = address;
        }
        return frames;
    }
    ModuleFile& file = *files_[slot];
    std::vector<Frame> frames = resolve(file, offset, address);
    for (const Frame& frame : frames) {
        file.unnamedFrames += frame.function.empty() ? 1 : 0;
        file.framesWithoutSource += !frame.function.empty() && frame.file.empty() ? 1 : 0;
    }
    if (cache_.size() >= limits_.maxCachedAddresses) {
        cache_.clear();  // a bound, not a policy: the names come back from libdw
    }
    cache_.emplace(key, frames);
    return frames;
}

std::size_t Symbolizer::moduleSlot(const LoadedModule& module) {
    const std::string key = module.path + '\n' + module.buildId;
    if (auto it = slots_.find(key); it != slots_.end()) {
        return it->second;
    }
    auto file = std::make_unique<ModuleFile>();
    file->module = module;
    files_.push_back(std::move(file));
    slots_.emplace(key, files_.size() - 1);
    return files_.size() - 1;
}

bool Symbolizer::open(ModuleFile& file) {
    file.lastUse = ++useClock_;
    if (file.opened) {
        return file.handle != nullptr;
    }
    std::size_t open = 0;
    ModuleFile* oldest = nullptr;
    for (const auto& other : files_) {
        if (other->dwfl != nullptr) {
            ++open;
            if (oldest == nullptr || other->lastUse < oldest->lastUse) {
                oldest = other.get();
            }
        }
    }
    if (open >= limits_.maxOpenModules && oldest != nullptr) {
        oldest->close();
    }
    file.opened = true;
    if (file.module.path.empty() || access(file.module.path.c_str(), R_OK) != 0) {
        file.problem = "the file is missing";
        return false;
    }
    file.callbacks.find_elf = dwfl_build_id_find_elf;
    file.callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    file.callbacks.section_address = dwfl_offline_section_address;
    file.callbacks.debuginfo_path = &file.debugInfoPath;
    file.dwfl = dwfl_begin(&file.callbacks);
    if (file.dwfl == nullptr) {
        file.problem = "libdw could not start";
        return false;
    }
    dwfl_report_begin(file.dwfl);
    // Reported at 0, so that libdw's addresses are offsets into the module.
    file.handle = dwfl_report_elf(file.dwfl, file.module.path.c_str(), file.module.path.c_str(), -1,
                                  0, false);
    dwfl_report_end(file.dwfl, nullptr, nullptr);
    if (file.handle == nullptr) {
        file.problem = "the file is not an ELF object libdw can read";
        file.close();
        file.opened = true;
        return false;
    }
    const unsigned char* bits = nullptr;
    GElf_Addr noteAddress = 0;
    const int length = dwfl_module_build_id(file.handle, &bits, &noteAddress);
    const std::string onDisk = length > 0 ? hex(bits, length) : std::string();
    if (!file.module.buildId.empty() && onDisk != file.module.buildId) {
        file.problem = "the file on disk is another build (build-id " + onDisk + ", recorded " +
                       file.module.buildId + ")";
        file.close();
        file.opened = true;
        return false;
    }
    file.problem.clear();
    file.hasSymbols = dwfl_module_getsymtab(file.handle) > 0;
    Dwarf_Addr bias = 0;
    file.hasDebugInfo = dwfl_module_getdwarf(file.handle, &bias) != nullptr;
    return true;
}

std::vector<Frame> Symbolizer::resolve(ModuleFile& file, std::uint64_t offset,
                                       std::uint64_t address) {
    Frame outermost;
    outermost.address = address;
    outermost.moduleOffset = offset;
    outermost.module = file.module.path;
    if (!open(file)) {
        return {outermost};
    }
    // The call instruction, one byte before the return address.
    const Dwarf_Addr pc = offset > 0 ? offset - 1 : offset;
    if (const char* symbol = dwfl_module_addrname(file.handle, pc)) {
        outermost.function = demangle(symbol);
    }
    // The source line at the address belongs to the innermost inlined call, if any.
    std::string sourceFile;
    int line = 0;
    if (Dwfl_Line* source = dwfl_module_getsrc(file.handle, pc)) {
        if (const char* name = dwfl_lineinfo(source, nullptr, &line, nullptr, nullptr, nullptr)) {
            sourceFile = name;
        }
    }
    std::vector<Frame> frames;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(file.handle, pc, &bias);
    Dwarf_Die* scopes = nullptr;
    int count = cu != nullptr ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
    if (count > 0) {
        // The concrete scopes around the innermost one: with dwarf_getscopes_die, each
        // inlined instance is followed by the scope it was inlined into, not by its abstract
        // definition.
        Dwarf_Die innermost = scopes[0];
        std::free(scopes);
        scopes = nullptr;
        count = dwarf_getscopes_die(&innermost, &scopes);
    }
    Dwarf_Files* files = nullptr;
    if (count > 0 && dwarf_getsrcfiles(cu, &files, nullptr) != 0) {
        files = nullptr;
    }
    for (int i = 0; i < count; ++i) {
        Dwarf_Die* scope = &scopes[i];
        if (!isFunctionScope(scope)) {
            continue;
        }
        Frame frame = outermost;
        frame.file = sourceFile;
        frame.line = line;
        if (dwarf_tag(scope) != DW_TAG_inlined_subroutine) {
            if (frame.function.empty()) {
                frame.function = functionName(scope);
            }
            frames.push_back(std::move(frame));
            break;
        }
        frame.function = functionName(scope);
        frame.inlined = true;
        frames.push_back(std::move(frame));
        // The next frame out is where this call was inlined.
        Dwarf_Attribute attribute;
        Dwarf_Word value = 0;
        const char* callFile = nullptr;
        if (files != nullptr &&
            dwarf_formudata(dwarf_attr(scope, DW_AT_call_file, &attribute), &value) == 0) {
            callFile = dwarf_filesrc(files, value, nullptr, nullptr);
        }
        sourceFile = callFile != nullptr ? callFile : std::string();
        line = dwarf_formudata(dwarf_attr(scope, DW_AT_call_line, &attribute), &value) == 0
                   ? static_cast<int>(value)
                   : 0;
    }
    std::free(scopes);
    if (frames.empty() || frames.back().inlined) {
        outermost.file = sourceFile;
        outermost.line = line;
        frames.push_back(std::move(outermost));
    }
    return frames;
}

std::string Symbolizer::problemWith(const LoadedModule& module) {
    std::lock_guard lock(mutex_);
    ModuleFile& file = *files_[moduleSlot(module)];
    open(file);
    return file.problem;
}

std::vector<ModuleSymbolStatus> Symbolizer::missingSymbols() const {
    std::lock_guard lock(mutex_);
    std::vector<ModuleSymbolStatus> statuses;
    for (const auto& file : files_) {
        if (file->unnamedFrames == 0 && file->framesWithoutSource == 0) {
            continue;
        }
        ModuleSymbolStatus status{file->module.path, file->unnamedFrames, file->framesWithoutSource,
                                  file->problem};
        if (status.reason.empty()) {
            if (file->module.path.empty()) {
                status.reason = "the address lies in no known module";
            } else if (!file->hasSymbols && !file->hasDebugInfo) {
                status.reason = "no symbol table and no debug information";
            } else if (!file->hasDebugInfo) {
                status.reason = "no debug information: install the module's -dbgsym package";
            } else {
                status.reason = "the debug information does not cover these addresses";
            }
        }
        statuses.push_back(std::move(status));
    }
    return statuses;
}

void Symbolizer::releaseMemory() {
    std::lock_guard lock(mutex_);
    cache_ = {};
    for (const auto& file : files_) {
        file->close();
    }
}

std::size_t Symbolizer::cachedAddressCount() const {
    std::lock_guard lock(mutex_);
    return cache_.size();
}

std::size_t Symbolizer::openModuleCount() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        files_.begin(), files_.end(), [](const auto& file) { return file->dwfl != nullptr; }));
}

}  // namespace poolscope
