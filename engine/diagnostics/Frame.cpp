#include "diagnostics/Frame.h"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>

namespace poolscope {

std::string Frame::toString() const {
    std::string text;
    if (function.empty()) {
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(address));
        text = hex;
    } else {
        text = function;
    }
    if (!file.empty()) {
        text += " (" + file + ":" + std::to_string(line) + ")";
    } else if (!module.empty()) {
        text += " [" + module + "]";
    }
    if (inlined) {
        text += " [inlined]";
    }
    return text;
}

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

std::string shortenTemplateArguments(std::string_view function) {
    std::string text;
    text.reserve(function.size());
    int depth = 0;
    for (std::size_t i = 0; i < function.size(); ++i) {
        const char c = function[i];
        // "operator<", "operator<<", "operator<=>" and "operator->" name functions; their
        // angle brackets open nothing.
        if (depth == 0 && function.substr(0, i).ends_with("operator")) {
            const std::size_t length = function.substr(i).starts_with("<=>")  ? 3
                                       : function.substr(i).starts_with("<<") ? 2
                                       : function.substr(i).starts_with("->") ? 2
                                       : (c == '<' || c == '>')               ? 1
                                                                              : 0;
            if (length > 0) {
                text += function.substr(i, length);
                i += length - 1;
                continue;
            }
        }
        if (c == '<') {
            if (depth == 0) {
                text += "<…";
            }
            ++depth;
        } else if (c == '>' && depth > 0) {
            --depth;
            if (depth == 0) {
                text += '>';
            }
        } else if (depth == 0) {
            text += c;
        }
    }
    return text;
}

}  // namespace poolscope
