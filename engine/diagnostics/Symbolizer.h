#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace poolscope {

struct SymbolizedFrame {
    std::uintptr_t address = 0;
    std::string function;  // demangled; empty when unknown
    std::string file;      // source file; empty without debug info
    int line = 0;
    std::string module;  // the shared object or executable

    // "function (file:line)" or "function [module]" or the hex address, whichever is known.
    std::string toString() const;
};

// Turns return addresses into functions, source lines and modules through libdw (elfutils).
// Work happens only when asked, and every address is resolved once: the result is cached.
// Thread-safe; libdw itself is used under one lock.
class Symbolizer {
public:
    Symbolizer();
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // `address` is a return address as captured; the call site is looked up.
    SymbolizedFrame symbolize(std::uintptr_t address);
    std::vector<SymbolizedFrame> symbolize(const std::vector<std::uintptr_t>& addresses);
    std::size_t cachedAddressCount() const;

    static Symbolizer& instance();

private:
    struct Session;
    SymbolizedFrame resolve(std::uintptr_t address);

    mutable std::mutex mutex_;
    std::unique_ptr<Session> session_;
    std::unordered_map<std::uintptr_t, SymbolizedFrame> cache_;
};

std::string demangle(const char* symbol);

}  // namespace poolscope
