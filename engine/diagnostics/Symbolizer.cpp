#include "diagnostics/Symbolizer.h"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace poolscope {

std::string demangle(const char* symbol) {
    if (symbol == nullptr) {
        return {};
    }
    int status = 0;
    char* demangled = abi::__cxa_demangle(symbol, nullptr, nullptr, &status);
    if (status == 0 && demangled != nullptr) {
        std::string result(demangled);
        std::free(demangled);
        return result;
    }
    return symbol;
}

std::string SymbolizedFrame::toString() const {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(address));
    std::string text = function.empty() ? std::string(hex) : function;
    if (!file.empty()) {
        text += " (" + file + ":" + std::to_string(line) + ")";
    } else if (!module.empty()) {
        text += " [" + module + "]";
    }
    return text;
}

// One libdw session over this process's modules. It is reported again when an address falls
// outside every known module, since libraries may have been loaded since.
struct Symbolizer::Session {
    Dwfl_Callbacks callbacks{};
    char* debugInfoPath = nullptr;
    Dwfl* dwfl = nullptr;

    Session() {
        callbacks.find_elf = dwfl_linux_proc_find_elf;
        callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
        callbacks.debuginfo_path = &debugInfoPath;
        dwfl = dwfl_begin(&callbacks);
        report();
    }
    ~Session() {
        if (dwfl != nullptr) {
            dwfl_end(dwfl);
        }
    }
    void report() {
        if (dwfl == nullptr) {
            return;
        }
        dwfl_report_begin(dwfl);
        dwfl_linux_proc_report(dwfl, getpid());
        dwfl_report_end(dwfl, nullptr, nullptr);
    }
};

Symbolizer::Symbolizer() = default;
Symbolizer::~Symbolizer() = default;

Symbolizer& Symbolizer::instance() {
    static Symbolizer* symbolizer = new Symbolizer();  // outlives static destructors
    return *symbolizer;
}

SymbolizedFrame Symbolizer::symbolize(std::uintptr_t address) {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(address); it != cache_.end()) {
        return it->second;
    }
    SymbolizedFrame frame = resolve(address);
    cache_.emplace(address, frame);
    return frame;
}

std::vector<SymbolizedFrame> Symbolizer::symbolize(const std::vector<std::uintptr_t>& addresses) {
    std::vector<SymbolizedFrame> frames;
    frames.reserve(addresses.size());
    for (std::uintptr_t address : addresses) {
        frames.push_back(symbolize(address));
    }
    return frames;
}

std::size_t Symbolizer::cachedAddressCount() const {
    std::lock_guard lock(mutex_);
    return cache_.size();
}

SymbolizedFrame Symbolizer::resolve(std::uintptr_t address) {
    SymbolizedFrame frame;
    frame.address = address;
    if (!session_) {
        session_ = std::make_unique<Session>();
    }
    if (session_->dwfl == nullptr) {
        return frame;
    }
    // A return address points after the call; the call itself is one byte earlier.
    const Dwarf_Addr lookup = address > 0 ? address - 1 : address;
    Dwfl_Module* module = dwfl_addrmodule(session_->dwfl, lookup);
    if (module == nullptr) {
        session_->report();
        module = dwfl_addrmodule(session_->dwfl, lookup);
    }
    if (module == nullptr) {
        return frame;
    }
    if (const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr,
                                            nullptr, nullptr)) {
        frame.module = name;
    }
    if (const char* symbol = dwfl_module_addrname(module, lookup)) {
        frame.function = demangle(symbol);
    }
    if (Dwfl_Line* line = dwfl_module_getsrc(module, lookup)) {
        int lineNumber = 0;
        if (const char* file =
                dwfl_lineinfo(line, nullptr, &lineNumber, nullptr, nullptr, nullptr)) {
            frame.file = file;
            frame.line = lineNumber;
        }
    }
    return frame;
}

}  // namespace poolscope
