#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace poolscope {

// One frame of a call stack as every layer sees it: the symbolizer makes it, recordings store
// its fields, sessions, views and reports show it. A captured return address can stand for
// several frames when the compiler inlined calls there: the inlined ones come first
// (innermost first) and are marked, each with its own function and source line.
struct Frame {
    std::string function;  // demangled; empty when unknown
    std::string file;      // source file; empty without debug information
    int line = 0;
    std::string module;              // path of the shared object or executable
    std::uint64_t address = 0;       // the captured return address
    std::uint64_t moduleOffset = 0;  // address less the module's load address
    bool inlined = false;

    // "function (file:line)", "function [module]" or the hexadecimal address, whichever is
    // known, followed by " [inlined]" for an inlined frame.
    std::string toString() const;

    friend bool operator==(const Frame&, const Frame&) = default;
};

// A C++ symbol as people read it; the symbol itself when it is not a mangled name.
std::string demangle(const char* symbol);

// "std::vector<int, std::allocator<int> >::push_back" as "std::vector<…>::push_back": every
// outermost template argument list becomes "<…>". The operators <, <<, <=> keep their names.
std::string shortenTemplateArguments(std::string_view function);

}  // namespace poolscope
